import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { fromPromise } from "xstate";
import { DurableActor, type PersistedView } from "../../src/actors/durable-actor.ts";
import { acquireLease } from "../../src/actors/lease-store.ts";
import { buildRegistry, type MachineRegistry } from "../../src/actors/registry.ts";
import { loadActor } from "../../src/actors/snapshot-store.ts";
import { actorTransitions, type Repository } from "../../src/db/schema.ts";
import { silentLogger } from "../../src/logger.ts";
import {
  type PullInput,
  type PullOutput,
  type PushOutput,
  type RepositoryContext,
  repositoryDeadline,
} from "../../src/machines/repository.machine.ts";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { seedRepository } from "../support/seed.ts";
import { waitFor } from "../support/wait.ts";

describe("durable actor", () => {
  let database: TestDatabase;
  let registry: MachineRegistry;
  let repo: Repository;
  beforeAll(async () => {
    database = await createTestDatabase("pglite");
    registry = await buildRegistry();
    repo = await seedRepository(database.db, "octo/durable");
  });
  afterAll(() => database.drop());

  function actorFor(epoch: number, stopped: { reason?: string }, pulls: PullInput[] = []) {
    const machine = registry.repository.machine.provide({
      actors: {
        runPull: fromPromise<PullOutput, PullInput>(async ({ input }) => {
          pulls.push(input);
          return new Promise<PullOutput>(() => {});
        }),
        runPush: fromPromise<PushOutput, { repositoryId: string }>(async () => ({
          now: Date.now(),
          openConflicts: 0,
        })),
      },
    });
    return new DurableActor({
      actorId: `repository:${repo.id}`,
      kind: "repository",
      repositoryId: repo.id,
      parentId: null,
      registered: registry.repository,
      machine,
      input: () => ({
        repositoryId: repo.id,
        fullName: repo.fullName,
        pollIntervalMs: 3_600_000,
        now: Date.now() + 3_600_000,
      }),
      epoch,
      holder: `holder-${epoch}`,
      db: database.db,
      log: silentLogger,
      now: Date.now,
      summarize: (view: PersistedView) => {
        const ctx = view.context as unknown as RepositoryContext;
        return {
          nextDeadline: repositoryDeadline(view.value, ctx),
          retryCount: ctx.retryCount,
          lastError: null,
        };
      },
      deadlineEvent: (now) => ({ type: "DEADLINE", now, operationId: crypto.randomUUID() }),
      onStopped: (reason) => {
        stopped.reason = reason;
      },
    });
  }

  test("each transition is committed with its log row; a restore continues from the stored state", async () => {
    const epoch = await acquireLease(database.db, repo.id, "holder", 10_000);
    const first = actorFor(epoch, {});
    await first.start();
    first.send({ type: "PAUSE", now: Date.now() });
    await first.settled();
    const row = await loadActor(database.db, `repository:${repo.id}`);
    expect(row).toMatchObject({
      stateValue: "paused",
      seq: 2,
      epoch,
      machineVersion: registry.repository.version,
    });
    await first.stop();

    const second = actorFor(epoch, {});
    await second.start();
    expect(second.snapshotView()?.value).toBe("paused");
    await second.stop();
    const log = await database.db
      .select()
      .from(actorTransitions)
      .where(eq(actorTransitions.actorId, `repository:${repo.id}`))
      .orderBy(actorTransitions.id);
    expect(log.map((t) => [t.eventType, t.fromState, t.toState])).toEqual([
      ["runtime.created", null, "idle"],
      ["PAUSE", "idle", "paused"],
      ["runtime.restored", "paused", "paused"],
    ]);
  });

  test("a write under a superseded epoch is rejected and the actor stops itself", async () => {
    const epoch = await acquireLease(database.db, repo.id, "old", 10_000);
    const stopped: { reason?: string } = {};
    const actor = actorFor(epoch, stopped);
    await actor.start();
    const before = await loadActor(database.db, `repository:${repo.id}`);

    // Another replica takes the lease.
    const newer = await acquireLease(database.db, repo.id, "new", 10_000);
    expect(newer).toBe(epoch + 1);
    actor.send({ type: "RESUME", now: Date.now(), operationId: crypto.randomUUID() });
    await waitFor(() => stopped.reason, { what: "the actor to stop" });
    expect(stopped.reason).toBe("ownership_lost");
    expect(actor.isRunning).toBe(false);
    const after = await loadActor(database.db, `repository:${repo.id}`);
    expect(after?.seq).toBe(before?.seq);
    expect(after?.stateValue).toBe(before?.stateValue);
  });

  test("the operation id is persisted with the transition into pulling, so a restore re-runs the same one", async () => {
    const epoch = await acquireLease(database.db, repo.id, "effects", 10_000);
    const pulls: PullInput[] = [];
    const actor = actorFor(epoch, {}, pulls);
    await actor.start();
    actor.send({ type: "RESUME", now: Date.now(), operationId: "11111111-1111-4111-8111-111111111111" });
    actor.send({ type: "RETRY_NOW", now: Date.now(), operationId: "11111111-1111-4111-8111-111111111111" });
    await actor.settled();
    const row = await loadActor(database.db, `repository:${repo.id}`);
    expect(row?.stateValue).toBe("pulling");
    expect((row!.snapshot.context as RepositoryContext).operation?.id).toBe(
      "11111111-1111-4111-8111-111111111111",
    );
    expect(pulls.map((p) => p.operation.id)).toEqual(["11111111-1111-4111-8111-111111111111"]);
    await actor.stop();
  });
});
