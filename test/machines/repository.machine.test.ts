import { describe, expect, test } from "bun:test";
import { createActor, fromPromise, waitFor } from "xstate";
import type { EffectError } from "../../src/machines/effect-error.ts";
import {
  type ApplyOutput,
  type PullInput,
  type PullOutput,
  type PushOutput,
  repositoryDeadline,
  repositoryMachine,
} from "../../src/machines/repository.machine.ts";

const T0 = Date.UTC(2024, 0, 15, 10);
const INTERVAL = 300_000;

/** Effects the test resolves by hand, so every step is observable. */
function controlledEffects() {
  const pulls: { input: PullInput; resolve: (o: PullOutput) => void; reject: (e: EffectError) => void }[] =
    [];
  const pushes: { resolve: (o: PushOutput) => void }[] = [];
  const applies: { resolve: (o: ApplyOutput) => void }[] = [];
  const machine = repositoryMachine.provide({
    actors: {
      runApply: fromPromise<ApplyOutput, { repositoryId: string }>(
        () => new Promise((resolve) => applies.push({ resolve })),
      ),
      runPull: fromPromise<PullOutput, PullInput>(
        ({ input }) => new Promise((resolve, reject) => pulls.push({ input, resolve, reject })),
      ),
      runPush: fromPromise<PushOutput, { repositoryId: string; fullName: string }>(
        () => new Promise((resolve) => pushes.push({ resolve })),
      ),
    },
  });
  return { machine, pulls, pushes, applies };
}

function start(machine: ReturnType<typeof controlledEffects>["machine"]) {
  return createActor(machine, {
    input: { repositoryId: "r1", fullName: "octo/r1", pollIntervalMs: INTERVAL, now: T0 },
  }).start();
}

const stateOf = (actor: { getSnapshot(): { value: unknown } }) => String(actor.getSnapshot().value);

describe("repository machine", () => {
  test("a new repository pulls at once, pushes, then waits for the next poll", async () => {
    const fx = controlledEffects();
    const actor = start(fx.machine);
    expect(stateOf(actor)).toBe("idle");
    expect(repositoryDeadline("idle", actor.getSnapshot().context)).toBe(T0);

    actor.send({ type: "DEADLINE", now: T0, operationId: "op-1" });
    expect(stateOf(actor)).toBe("pulling");
    expect(fx.pulls[0]?.input.operation).toMatchObject({
      id: "op-1",
      trigger: "poll",
      syncType: "incremental",
    });

    fx.pulls[0]?.resolve({ now: T0 + 1_000 });
    await waitFor(actor, (s) => s.matches("pushing"));
    fx.pushes[0]?.resolve({ now: T0 + 2_000, openConflicts: 0 });
    await waitFor(actor, (s) => s.matches("idle"));
    const ctx = actor.getSnapshot().context;
    expect(ctx.nextPollAt).toBe(T0 + 2_000 + INTERVAL);
    expect(ctx.lastSuccessAt).toBe(T0 + 1_000);
    expect(ctx.operation).toBeNull();

    // A deadline event before the poll is due changes nothing.
    actor.send({ type: "DEADLINE", now: T0 + 10_000, operationId: "op-2" });
    expect(stateOf(actor)).toBe("idle");
  });

  test("a rate limit backs off until exactly the reset, then resumes the same operation", async () => {
    const fx = controlledEffects();
    const actor = start(fx.machine);
    actor.send({ type: "TRIGGER", now: T0, operationId: "op-1", syncType: "full", direction: "from_github" });
    const reset = T0 + 42 * 60_000;
    fx.pulls[0]?.reject({
      kind: "rate_limited",
      message: "API rate limit exceeded",
      at: T0 + 500,
      retryAt: reset,
      jitter: 0.9,
    });
    await waitFor(actor, (s) => s.matches("backing-off"));
    const ctx = actor.getSnapshot().context;
    expect(ctx.retryAt).toBe(reset);
    expect(ctx.retryCount).toBe(1);
    expect(ctx.lastError).toMatchObject({ kind: "rate_limited", message: "API rate limit exceeded" });
    expect(repositoryDeadline("backing-off", ctx)).toBe(reset);

    actor.send({ type: "DEADLINE", now: reset - 1, operationId: "op-x" });
    expect(stateOf(actor)).toBe("backing-off");
    actor.send({ type: "DEADLINE", now: reset, operationId: "op-x" });
    expect(stateOf(actor)).toBe("pulling");
    expect(fx.pulls[1]?.input.operation).toMatchObject({ id: "op-1", syncType: "full", attempts: 1 });
  });

  test("transient errors back off exponentially with jitter; success resets the count", async () => {
    const fx = controlledEffects();
    const actor = start(fx.machine);
    actor.send({ type: "DEADLINE", now: T0, operationId: "op-1" });
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      const at = T0 + i * 10_000_000;
      fx.pulls[i]?.reject({ kind: "transient", message: "502 Bad Gateway", at, jitter: 0 });
      await waitFor(actor, (s) => s.matches("backing-off"));
      const retryAt = actor.getSnapshot().context.retryAt ?? 0;
      delays.push(retryAt - at);
      actor.send({ type: "DEADLINE", now: retryAt, operationId: `op-${i + 2}` });
    }
    expect(delays).toEqual([500, 1_000, 2_000, 4_000]);
    fx.pulls[4]?.resolve({ now: T0 });
    await waitFor(actor, (s) => s.matches("pushing"));
    expect(actor.getSnapshot().context.retryCount).toBe(0);
  });

  test("an operation the effect failed for good is dropped; the next attempt starts a new one", async () => {
    const fx = controlledEffects();
    const actor = start(fx.machine);
    actor.send({ type: "DEADLINE", now: T0, operationId: "op-1" });
    fx.pulls[0]?.reject({
      kind: "fatal",
      message: "page 3 failed 5 times",
      at: T0,
      jitter: 0.5,
      operationFailed: true,
    });
    await waitFor(actor, (s) => s.matches("backing-off"));
    expect(actor.getSnapshot().context.operation).toBeNull();
    actor.send({ type: "RETRY_NOW", now: T0 + 1, operationId: "op-2" });
    expect(fx.pulls[1]?.input.operation.id).toBe("op-2");
  });

  test("a wake-up while busy runs one more pull right after the push", async () => {
    const fx = controlledEffects();
    const actor = start(fx.machine);
    actor.send({ type: "DEADLINE", now: T0, operationId: "op-1" });
    actor.send({ type: "WAKE", reason: "local_write", now: T0 + 1, operationId: "op-2" });
    actor.send({ type: "WAKE", reason: "local_write", now: T0 + 2, operationId: "op-3" });
    fx.pulls[0]?.resolve({ now: T0 + 3 });
    await waitFor(actor, (s) => s.matches("pushing"));
    fx.pushes[0]?.resolve({ now: T0 + 4, openConflicts: 0 });
    await waitFor(actor, (s) => s.matches("pulling"));
    expect(fx.pulls.map((p) => p.input.operation.id)).toEqual(["op-1", "op-2"]);
    expect(fx.pulls[1]?.input.operation.trigger).toBe("local_write");
  });

  test("manual triggers while busy are queued and each runs, before a remembered wake-up", async () => {
    const fx = controlledEffects();
    const actor = start(fx.machine);
    actor.send({ type: "DEADLINE", now: T0, operationId: "poll" });
    actor.send({ type: "TRIGGER", now: T0, operationId: "t1", syncType: "full", direction: "from_github" });
    actor.send({ type: "WAKE", reason: "manual", now: T0, operationId: "w1" });
    actor.send({
      type: "TRIGGER",
      now: T0,
      operationId: "t2",
      syncType: "incremental",
      direction: "bidirectional",
    });
    for (let i = 0; i < 4; i++) {
      fx.pulls[i]?.resolve({ now: T0 });
      await waitFor(actor, (s) => s.matches("pushing"));
      fx.pushes[i]?.resolve({ now: T0, openConflicts: 0 });
      await waitFor(actor, (s) => s.matches("pulling") || s.matches("idle"));
    }
    expect(fx.pulls.map((p) => p.input.operation.id)).toEqual(["poll", "t1", "t2", "w1"]);
    expect(fx.pulls[1]?.input.operation.syncType).toBe("full");
    expect(String(actor.getSnapshot().value)).toBe("idle");
  });

  test("a webhook applies stored events without a pull; a failed event's retry time becomes a deadline", async () => {
    const fx = controlledEffects();
    const actor = start(fx.machine);
    actor.send({ type: "DEADLINE", now: T0, operationId: "poll" });
    fx.pulls[0]?.resolve({ now: T0 });
    await waitFor(actor, (s) => s.matches("pushing"));
    fx.pushes[0]?.resolve({ now: T0, openConflicts: 0 });
    await waitFor(actor, (s) => s.matches("idle"));
    actor.send({ type: "WAKE", reason: "webhook", now: T0 + 1, operationId: "w" });
    expect(stateOf(actor)).toBe("applying");
    // Another webhook while applying: applied right after, not lost.
    actor.send({ type: "WAKE", reason: "webhook", now: T0 + 2, operationId: "w2" });
    fx.applies[0]?.resolve({ now: T0 + 3, nextRetryAt: null });
    await waitFor(actor, () => fx.applies.length === 2);
    fx.applies[1]?.resolve({ now: T0 + 4, nextRetryAt: T0 + 60_000 });
    await waitFor(actor, (s) => s.matches("idle"));
    expect(fx.pulls.length).toBe(1);
    const ctx = actor.getSnapshot().context;
    expect(repositoryDeadline("idle", ctx)).toBe(T0 + 60_000);
    actor.send({ type: "DEADLINE", now: T0 + 60_000, operationId: "d" });
    expect(stateOf(actor)).toBe("applying");
  });

  test("webhooks are applied during a rate-limit wait, which then goes on until the reset", async () => {
    const fx = controlledEffects();
    const actor = start(fx.machine);
    actor.send({ type: "DEADLINE", now: T0, operationId: "op-1" });
    const reset = T0 + 3_600_000;
    fx.pulls[0]?.reject({ kind: "rate_limited", message: "limited", at: T0, retryAt: reset, jitter: 0 });
    await waitFor(actor, (s) => s.matches("backing-off"));
    actor.send({ type: "WAKE", reason: "webhook", now: T0 + 1_000, operationId: "w" });
    expect(stateOf(actor)).toBe("applying");
    fx.applies[0]?.resolve({ now: T0 + 2_000, nextRetryAt: null });
    await waitFor(actor, (s) => s.matches("backing-off"));
    expect(actor.getSnapshot().context.retryAt).toBe(reset);
    expect(fx.pulls.length).toBe(1);
    // A webhook applied after the reset passed resumes the interrupted operation.
    actor.send({ type: "WAKE", reason: "webhook", now: reset - 10, operationId: "w2" });
    fx.applies[1]?.resolve({ now: reset + 5, nextRetryAt: null });
    await waitFor(actor, (s) => s.matches("pulling"));
    expect(fx.pulls[1]?.input.operation.id).toBe("op-1");
  });

  test("open conflicts hold the actor in conflicted, where polls go on", async () => {
    const fx = controlledEffects();
    const actor = start(fx.machine);
    actor.send({ type: "DEADLINE", now: T0, operationId: "op-1" });
    fx.pulls[0]?.resolve({ now: T0 });
    await waitFor(actor, (s) => s.matches("pushing"));
    fx.pushes[0]?.resolve({ now: T0, openConflicts: 2 });
    await waitFor(actor, (s) => s.matches("conflicted"));
    actor.send({ type: "DEADLINE", now: T0 + INTERVAL, operationId: "op-2" });
    expect(stateOf(actor)).toBe("pulling");
    fx.pulls[1]?.resolve({ now: T0 + INTERVAL });
    await waitFor(actor, (s) => s.matches("pushing"));
    fx.pushes[1]?.resolve({ now: T0 + INTERVAL, openConflicts: 2 });
    await waitFor(actor, (s) => s.matches("conflicted"));
    actor.send({ type: "CONFLICTS_CHANGED", open: 0, now: T0 + INTERVAL + 1 });
    expect(stateOf(actor)).toBe("idle");
  });

  test("pause stops polling; resume polls at once; cancel abandons the running pull", async () => {
    const fx = controlledEffects();
    const actor = start(fx.machine);
    actor.send({ type: "PAUSE", now: T0 });
    actor.send({ type: "DEADLINE", now: T0 + 10 * INTERVAL, operationId: "op-1" });
    expect(stateOf(actor)).toBe("paused");
    expect(repositoryDeadline("paused", actor.getSnapshot().context)).toBeNull();
    actor.send({ type: "RESUME", now: T0 + 20 * INTERVAL, operationId: "op-2" });
    expect(stateOf(actor)).toBe("idle");
    expect(actor.getSnapshot().context.nextPollAt).toBe(T0 + 20 * INTERVAL);
    actor.send({ type: "WAKE", reason: "manual", now: T0 + 20 * INTERVAL, operationId: "op-3" });
    expect(stateOf(actor)).toBe("pulling");
    actor.send({ type: "CANCEL", now: T0 + 20 * INTERVAL });
    expect(stateOf(actor)).toBe("idle");
    expect(actor.getSnapshot().context.operation).toBeNull();
  });

  test("a persisted snapshot restores with its absolute deadline intact", async () => {
    const fx = controlledEffects();
    const actor = start(fx.machine);
    actor.send({ type: "DEADLINE", now: T0, operationId: "op-1" });
    fx.pulls[0]?.reject({
      kind: "rate_limited",
      message: "limited",
      at: T0,
      retryAt: T0 + 3_600_000,
      jitter: 0,
    });
    await waitFor(actor, (s) => s.matches("backing-off"));
    const persisted = JSON.parse(JSON.stringify(actor.getPersistedSnapshot()));
    actor.stop();

    // A restore passes the snapshot instead of input.
    const restored = createActor(controlledEffects().machine, { snapshot: persisted } as never).start();
    expect(stateOf(restored)).toBe("backing-off");
    expect(repositoryDeadline("backing-off", restored.getSnapshot().context)).toBe(T0 + 3_600_000);
  });
});
