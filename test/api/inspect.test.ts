import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { DurableActor } from "../../src/actors/durable-actor.ts";
import { acquireLease } from "../../src/actors/lease-store.ts";
import { buildRegistry } from "../../src/actors/registry.ts";
import { silentLogger } from "../../src/logger.ts";
import { type RepositoryContext, repositoryDeadline } from "../../src/machines/repository.machine.ts";
import { testApp } from "../support/app.ts";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { seedRepository } from "../support/seed.ts";

describe("the inspector", () => {
  let database: TestDatabase;
  let api: ReturnType<typeof testApp>;
  let actorId: string;
  beforeAll(async () => {
    database = await createTestDatabase("pglite");
    api = testApp(database);
    const repo = await seedRepository(database.db, "octo-org/inspected");
    const registry = await buildRegistry();
    const epoch = await acquireLease(database.db, repo.id, "replica-x", 60_000);
    actorId = `repository:${repo.id}`;
    const actor = new DurableActor({
      actorId,
      kind: "repository",
      repositoryId: repo.id,
      parentId: null,
      registered: registry.repository,
      machine: registry.repository.machine,
      input: () => ({
        repositoryId: repo.id,
        fullName: repo.fullName,
        pollIntervalMs: 3_600_000,
        now: Date.now() + 3_600_000,
      }),
      epoch,
      holder: "replica-x",
      db: database.db,
      log: silentLogger,
      now: Date.now,
      summarize: (view) => {
        const ctx = view.context as unknown as RepositoryContext;
        return {
          nextDeadline: repositoryDeadline(view.value, ctx),
          retryCount: ctx.retryCount,
          lastError: null,
        };
      },
      deadlineEvent: (now) => ({ type: "DEADLINE", now, operationId: crypto.randomUUID() }),
    });
    await actor.start();
    actor.send({ type: "PAUSE", now: Date.now() });
    await actor.stop();
  });
  afterAll(() => database.drop());

  test("lists actors and draws one machine with its current state and its log, loading nothing from elsewhere", async () => {
    const list = await api.request("/inspect");
    expect(list.status).toBe(200);
    expect(list.headers.get("content-security-policy")).toContain("default-src 'none'");
    const listHtml = await list.text();
    expect(listHtml).toContain("octo-org/inspected");
    expect(listHtml).toContain(`/inspect/${encodeURIComponent(actorId)}`);

    const one = await api.request(`/inspect/${encodeURIComponent(actorId)}`);
    const html = await one.text();
    expect(html).toContain('<div class="state current" title="visited">paused');
    for (const state of ["idle", "pulling", "pushing", "applying", "backing-off", "conflicted"]) {
      expect(html).toContain(`>${state}<small>`);
    }
    expect(html).toContain("PAUSE");
    expect(html).toContain("replica-x");
    expect(html).not.toMatch(/\b(?:src|href)="https?:/);
  });

  test("an unknown actor is said plainly", async () => {
    const res = await api.request("/inspect/repository:00000000-0000-4000-8000-000000000000");
    expect(await res.text()).toContain("No actor");
  });
});
