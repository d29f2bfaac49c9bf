import { describe, expect, test } from "bun:test";
import { createActor, fromPromise, waitFor } from "xstate";
import {
  type StepInput,
  type StepOutput,
  syncOperationMachine,
} from "../../src/machines/sync-operation.machine.ts";

const T0 = Date.UTC(2024, 0, 15, 10);

function controlled() {
  const steps: { input: StepInput; resolve: (o: StepOutput) => void; reject: (e: unknown) => void }[] = [];
  const machine = syncOperationMachine.provide({
    actors: {
      runStep: fromPromise<StepOutput, StepInput>(
        ({ input }) => new Promise((resolve, reject) => steps.push({ input, resolve, reject })),
      ),
    },
  });
  const actor = createActor(machine, {
    input: {
      operationId: "op-1",
      repositoryId: "r1",
      fullName: "octo/r1",
      syncType: "full",
      direction: "from_github",
    },
  }).start();
  return { actor, steps };
}

describe("sync-operation machine", () => {
  test("runs page by page, counting progress, to completed", async () => {
    const { actor, steps } = controlled();
    actor.send({ type: "START", now: T0, first: { phase: "issues", cursor: null } });
    steps[0]?.resolve({
      now: T0 + 1,
      next: { phase: "issues", cursor: "page=2" },
      processed: 100,
      failed: 0,
      pagesTotal: 3,
    });
    await waitFor(actor, () => steps.length === 2);
    expect(steps[1]?.input.step).toEqual({ phase: "issues", cursor: "page=2" });
    expect(actor.getSnapshot().context).toMatchObject({ pagesDone: 1, pagesTotal: 3, recordsProcessed: 100 });
    steps[1]?.resolve({
      now: T0 + 2,
      next: { phase: "issues", cursor: "page=3" },
      processed: 100,
      failed: 1,
      pagesTotal: 3,
    });
    await waitFor(actor, () => steps.length === 3);
    steps[2]?.resolve({ now: T0 + 3, next: null, processed: 42, failed: 0, pagesTotal: 3 });
    await waitFor(actor, (s) => s.status === "done");
    expect(actor.getSnapshot().value).toBe("completed");
    expect(actor.getSnapshot().context).toMatchObject({
      pagesDone: 3,
      recordsProcessed: 242,
      recordsFailed: 1,
      startedAt: T0,
      completedAt: T0 + 3,
      step: null,
    });
  });

  test("a failed step waits and resumes from the same cursor; FAIL ends it with the reason", async () => {
    const { actor, steps } = controlled();
    actor.send({ type: "START", now: T0, first: { phase: "issues", cursor: null } });
    steps[0]?.resolve({
      now: T0,
      next: { phase: "issues", cursor: "page=2" },
      processed: 100,
      failed: 0,
      pagesTotal: 5,
    });
    await waitFor(actor, () => steps.length === 2);
    steps[1]?.reject({ kind: "transient", message: "502 Bad Gateway", at: T0 + 5, jitter: 0.1 });
    await waitFor(actor, (s) => s.matches("waiting"));
    expect(actor.getSnapshot().context.error).toMatchObject({
      kind: "transient",
      message: "502 Bad Gateway",
    });
    actor.send({ type: "RESUME", now: T0 + 10 });
    await waitFor(actor, () => steps.length === 3);
    expect(steps[2]?.input.step).toEqual({ phase: "issues", cursor: "page=2" });
    steps[2]?.reject({ kind: "transient", message: "502 again", at: T0 + 20, jitter: 0.1 });
    await waitFor(actor, (s) => s.matches("waiting"));
    actor.send({ type: "FAIL", now: T0 + 30, reason: "gave up after 2 attempts" });
    expect(actor.getSnapshot().value).toBe("failed");
    expect(actor.getSnapshot().context.error?.message).toBe("502 again");
    expect(actor.getSnapshot().context.recordsProcessed).toBe(100);
  });

  test("cancel from pending or running ends in cancelled", async () => {
    const a = controlled();
    a.actor.send({ type: "CANCEL", now: T0 });
    expect(a.actor.getSnapshot().value).toBe("cancelled");
    const b = controlled();
    b.actor.send({ type: "START", now: T0, first: { phase: "issues", cursor: null } });
    b.actor.send({ type: "CANCEL", now: T0 + 1 });
    expect(b.actor.getSnapshot().value).toBe("cancelled");
    expect(b.actor.getSnapshot().context.completedAt).toBe(T0 + 1);
  });
});
