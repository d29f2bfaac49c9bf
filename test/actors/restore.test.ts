/**
 * Restores across restarts, with the service as a separate process on the real Postgres.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { actorSnapshots, actorTransitions, repositories } from "../../src/db/schema.ts";
import { startSimulator } from "../../src/simulator/index.ts";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { type ServiceProcess, startServiceProcess } from "../support/process.ts";
import { postgresUrl } from "../support/services.ts";
import { waitFor } from "../support/wait.ts";

const enabled = postgresUrl() !== null;

interface ActorDto {
  id: string;
  state: string;
  next_deadline: string | null;
  last_error: { message: string } | null;
}

describe.skipIf(!enabled)("restore", () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setup(repo: string) {
    const sim = await startSimulator({ port: 0, hostname: "127.0.0.1" });
    const database: TestDatabase = await createTestDatabase("postgres");
    cleanups.push(
      () => sim.stop(),
      () => database.drop(),
    );
    const [owner, name] = repo.split("/") as [string, string];
    sim.sim.control.seedRepository({ owner, name, issues: 8 });
    const start = async () => {
      const service = await startServiceProcess({
        DATABASE_URL: database.url ?? "",
        GITHUB_API_URL: sim.url,
        GITHUB_TOKEN: "sim-token",
        GITHUB_REPOS: repo,
        SYNC_INTERVAL_SECONDS: "3600",
        LOG_LEVEL: "info",
      });
      cleanups.push(async () => {
        if (service.proc.exitCode === null) {
          service.proc.kill("SIGKILL");
          await service.proc.exited;
        }
      });
      return service;
    };
    return { sim, database, start };
  }

  async function repositoryActor(service: ServiceProcess): Promise<ActorDto | undefined> {
    const res = await fetch(`${service.url}/api/v1/actors?kind=repository`);
    return ((await res.json()) as { data: ActorDto[] }).data[0];
  }

  test("a restart while backing off wakes at the stored deadline: not earlier, not never", async () => {
    const { sim, database, start } = await setup("octo-org/limited");
    // The rate limit is spent for the next 15 seconds: room for a stop and a start (a process each, migrations
    // checked) on a slow 2-core runner before the deadline passes.
    const limitedUntil = Date.now() + 15_000;
    sim.sim.control.setRateLimit({ token: "sim-token", remaining: 0, windowSeconds: 15 });
    const first = await start();
    const backingOff = await waitFor(
      async () => {
        const actor = await repositoryActor(first);
        return actor?.state === "backing-off" && actor;
      },
      { what: "the actor to back off", timeoutMs: 20_000 },
    );
    expect(backingOff.last_error?.message).toContain("rate_limited");
    const deadline = new Date(backingOff.next_deadline!).getTime();
    // GitHub's x-ratelimit-reset, not an exponential backoff of a second or two.
    expect(deadline).toBeGreaterThanOrEqual(limitedUntil);
    expect(await first.stop("SIGTERM")).toBe(0);

    const second = await start();
    const restored = await repositoryActor(second);
    expect(restored?.state).toBe("backing-off");
    expect(restored?.next_deadline).toBe(backingOff.next_deadline);

    const resumed = await waitFor(
      async () => {
        const rows = await database.db
          .select()
          .from(actorTransitions)
          .where(eq(actorTransitions.actorId, backingOff.id))
          .orderBy(actorTransitions.id);
        return rows.find((t) => t.fromState === "backing-off" && t.toState === "pulling");
      },
      { what: "the actor to leave backing-off", timeoutMs: 20_000 },
    );
    expect(resumed.eventType).toBe("DEADLINE");
    expect(resumed.at.getTime()).toBeGreaterThanOrEqual(deadline);
    expect(resumed.epoch).toBeGreaterThan(1);
    await waitFor(async () => (await repositoryActor(second))?.state === "idle", {
      what: "the sync to finish after the reset",
      timeoutMs: 20_000,
    });
  }, 60_000);

  test("a snapshot from an older machine version is reset through a logged transition", async () => {
    const { database, start } = await setup("octo-org/legacy");
    const [repo] = await database.db
      .insert(repositories)
      .values({ fullName: "octo-org/legacy", owner: "octo-org", name: "legacy" })
      .returning();
    await database.db.insert(actorSnapshots).values({
      actorId: `repository:${repo!.id}`,
      kind: "repository",
      repositoryId: repo!.id,
      machineId: "repository",
      machineVersion: 0,
      definitionHash: "old",
      xstateVersion: "5.0.0",
      snapshot: { status: "active", value: "syncing-the-old-way", context: {} },
      stateValue: "syncing-the-old-way",
    });
    const service = await start();
    const actor = await waitFor(
      async () => {
        const a = await repositoryActor(service);
        return a?.state === "idle" && a;
      },
      { what: "the reset actor to sync and settle", timeoutMs: 20_000 },
    );
    expect(actor.id).toBe(`repository:${repo!.id}`);
    const log = await database.db
      .select()
      .from(actorTransitions)
      .where(eq(actorTransitions.actorId, actor.id))
      .orderBy(actorTransitions.id);
    expect(log[0]?.eventType).toBe("runtime.reset");
    expect(log[0]?.fromState).toBe("syncing-the-old-way");
    expect(String(log[0]?.eventSummary?.reason)).toContain("machine version 0");
    expect(service.output()).toContain("actor snapshot reset");
  }, 60_000);
});
