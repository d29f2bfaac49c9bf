import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { actorSnapshots, outbox } from "../../src/db/schema.ts";
import { registerDatabaseGauges } from "../../src/observability/gauges.ts";
import { startTelemetry } from "../../src/telemetry.ts";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { seedIssue, seedRepository } from "../support/seed.ts";

describe("database gauges on /metrics", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase("pglite");
  });
  afterAll(() => database.drop());

  test("actors by state, stuck actors and the backlog are exported for alerting", async () => {
    const repo = await seedRepository(database.db, "octo-org/gauged");
    const issue = await seedIssue(database.db, repo);
    const envelope = { machineId: "repository", machineVersion: 2, definitionHash: "h", xstateVersion: "5" };
    await database.db.insert(actorSnapshots).values([
      {
        actorId: `repository:${repo.id}`,
        kind: "repository",
        repositoryId: repo.id,
        ...envelope,
        snapshot: {},
        stateValue: "backing-off",
        // Overdue by an hour: stuck.
        nextDeadline: new Date(Date.now() - 3_600_000),
      },
    ]);
    await database.db.insert(outbox).values({
      repositoryId: repo.id,
      entityType: "issue",
      entityId: issue.id,
      operation: "update",
      patch: { title: "x" },
    });
    const telemetry = startTelemetry({
      serviceName: "github-tracker",
      serviceVersion: "test",
      otlpEndpoint: null,
    });
    const unregister = registerDatabaseGauges(database.db);
    const text = await telemetry.renderMetrics();
    unregister();
    expect(text).toMatch(/actors\{kind="repository",state="backing-off"[^}]*\} 1/);
    expect(text).toMatch(/actors_stuck(\{[^}]*\})? 1/);
    expect(text).toMatch(/sync_backlog\{kind="outbox"[^}]*\} 1/);
    expect(text).toMatch(/sync_backlog\{kind="conflicts"[^}]*\} 0/);
  });
});
