/**
 * Drives one repository while this replica holds its lease: the repository actor, and the sync-operation
 * actors it runs. Every write goes through the durable actors (fenced by `epoch`).
 */

import { type Counter, SpanStatusCode } from "@opentelemetry/api";
import { sql } from "drizzle-orm";
import { fromPromise } from "xstate";
import type { Database, Tx } from "../db/client.ts";
import { syncOperations } from "../db/schema.ts";
import type { Semaphore } from "../lib/semaphore.ts";
import type { Logger } from "../logger.ts";
import type { EffectError } from "../machines/effect-error.ts";
import type {
  ApplyInput,
  ApplyOutput,
  OperationRef,
  PullInput,
  PullOutput,
  PushInput,
  PushOutput,
  RepositoryContext,
} from "../machines/repository.machine.ts";
import { repositoryDeadline } from "../machines/repository.machine.ts";
import type { StepInput, StepOutput, SyncOperationContext } from "../machines/sync-operation.machine.ts";
import { meter, tracer } from "../telemetry.ts";
import { DurableActor, type PersistedView } from "./durable-actor.ts";
import { type EffectContext, type SyncEngine, toEffectError } from "./effects.ts";
import type { Fence } from "./fence.ts";
import type { MachineRegistry } from "./registry.ts";

let metrics: { pages: Counter; records: Counter } | null = null;
/** Created on first use: the meter provider is registered by startTelemetry at start. */
function syncMetrics() {
  metrics ??= {
    pages: meter().createCounter("sync_pages", { description: "Sync pages (steps) completed, by phase" }),
    records: meter().createCounter("sync_records", {
      description: "Records written by sync steps, by phase",
    }),
  };
  return metrics;
}

/** An operation that fails this many times in a row is failed for good, with its last error as the reason. */
export const MAX_OPERATION_ATTEMPTS = 5;

export const repositoryActorId = (repositoryId: string) => `repository:${repositoryId}`;
export const operationActorId = (operationId: string) => `sync_operation:${operationId}`;

export interface DriverDeps {
  db: Database;
  log: Logger;
  registry: MachineRegistry;
  engine: SyncEngine;
  holder: string;
  pollIntervalMs: number;
  now: () => number;
  random?: () => number;
  onOwnershipLost: (repositoryId: string) => void;
  /** Shared by the replica's drivers: how many sync operations run at once (the others wait their turn). */
  syncSlots?: Semaphore;
}

type OpOutcome =
  | { kind: "completed" }
  | { kind: "waiting"; error: EffectError }
  | { kind: "ended"; state: string };

const OP_STATUS: Record<string, (typeof syncOperations.$inferInsert)["status"]> = {
  pending: "pending",
  running: "running",
  waiting: "running",
  completed: "completed",
  failed: "failed",
  cancelled: "cancelled",
};

export class RepositoryDriver {
  readonly fence: Fence;
  private repoActor: DurableActor | null = null;
  private readonly operations = new Map<string, DurableActor>();
  private readonly waiters = new Map<string, (outcome: OpOutcome) => void>();
  private stopping = false;

  constructor(
    private readonly deps: DriverDeps,
    readonly repositoryId: string,
    readonly fullName: string,
    readonly epoch: number,
  ) {
    this.fence = { repositoryId, epoch };
  }

  get actorId(): string {
    return repositoryActorId(this.repositoryId);
  }

  get running(): boolean {
    return this.repoActor?.isRunning ?? false;
  }

  async start(): Promise<void> {
    const { deps } = this;
    const machine = deps.registry.repository.machine.provide({
      actors: {
        runPull: fromPromise<PullOutput, PullInput>(({ input, signal }) => this.runPull(input, signal)),
        runPush: fromPromise<PushOutput, PushInput>(({ input, signal }) => this.runPush(input, signal)),
        runApply: fromPromise<ApplyOutput, ApplyInput>(({ input, signal }) => this.runApply(input, signal)),
      },
    });
    this.repoActor = new DurableActor({
      actorId: this.actorId,
      kind: "repository",
      repositoryId: this.repositoryId,
      parentId: null,
      registered: deps.registry.repository,
      machine,
      ephemeralContext: ["applyPending"],
      input: () => ({
        repositoryId: this.repositoryId,
        fullName: this.fullName,
        pollIntervalMs: deps.pollIntervalMs,
        now: deps.now(),
      }),
      epoch: this.epoch,
      holder: deps.holder,
      db: deps.db,
      log: deps.log.child({ repository: this.fullName }),
      now: deps.now,
      summarize: (view) => {
        const ctx = view.context as unknown as RepositoryContext;
        return {
          nextDeadline: repositoryDeadline(view.value, ctx),
          retryCount: ctx.retryCount,
          lastError: ctx.lastError
            ? {
                message: `${ctx.lastError.kind}: ${ctx.lastError.message}`,
                ...(ctx.lastError.stack ? { stack: ctx.lastError.stack } : {}),
                at: new Date(ctx.lastError.at).toISOString(),
              }
            : null,
        };
      },
      deadlineEvent: (now) => ({ type: "DEADLINE", now, operationId: crypto.randomUUID() }),
      onStopped: (reason) => {
        if (reason === "ownership_lost") deps.onOwnershipLost(this.repositoryId);
      },
    });
    await this.repoActor.start();
  }

  /** Deliver an event (wake-up, operator action) to the repository actor. */
  send(event: { type: string } & Record<string, unknown>): void {
    this.repoActor?.send(event);
  }

  /** Deliver an event to one of this repository's operation actors, if it is live here. */
  sendToOperation(operationId: string, event: { type: string } & Record<string, unknown>): boolean {
    const op = this.operations.get(operationId);
    if (!op?.isRunning) return false;
    op.send(event);
    return true;
  }

  repositoryState(): PersistedView | null {
    return this.repoActor?.snapshotView() ?? null;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    // The repository actor first: stopping it aborts the running pull, which stops waiting on its operation.
    await this.repoActor?.stop();
    await Promise.all([...this.operations.values()].map((op) => op.stop()));
    this.operations.clear();
  }

  private effectError(error: unknown): EffectError {
    return toEffectError(error, this.deps.now(), this.deps.random);
  }

  private async runPull(input: PullInput, signal: AbortSignal): Promise<PullOutput> {
    // Persist-before-effect: the transition naming this operation must be on disk before anything else.
    await this.repoActor?.settled();
    // A replica taking many repositories at once syncs a few at a time: bounded memory, and far below GitHub's
    // concurrency limit, while each repository's actor shows `pulling` with its operation queued.
    const release = (await this.deps.syncSlots?.acquire()) ?? (() => {});
    try {
      return await this.pullWithSlot(input, signal);
    } finally {
      release();
    }
  }

  private async pullWithSlot(input: PullInput, signal: AbortSignal): Promise<PullOutput> {
    const ref = input.operation;
    // Listen before starting: a restored operation may move on while it is being started.
    const outcome = new Promise<OpOutcome>((resolve) => this.waiters.set(ref.id, resolve));
    const op = await this.operationActor(input);
    signal.addEventListener("abort", () => {
      // Cancelled from the repository (CANCEL): the operation ends as cancelled; a handover leaves it to resume.
      if (!this.stopping && op.isRunning)
        op.send({ type: "CANCEL", now: this.deps.now(), reason: "cancelled" });
    });
    this.kick(op, ref);
    const result = await outcome;
    this.waiters.delete(ref.id);
    if (result.kind === "completed") return { now: this.deps.now() };
    if (result.kind === "waiting") throw result.error;
    throw {
      ...this.effectError(new Error(`operation ${ref.id} ended ${result.state}`)),
      kind: "fatal",
      operationFailed: true,
    } satisfies EffectError;
  }

  /** Move the operation actor on from wherever it was restored: start, resume, give up, or report its end. */
  private kick(op: DurableActor, ref: OperationRef): void {
    const view = op.snapshotView();
    const state = view?.value ?? "pending";
    const now = this.deps.now();
    if (state === "completed" || state === "failed" || state === "cancelled") {
      this.onOperationTransition(ref.id, view ?? { value: state, status: "done", context: {} });
    } else if (state === "pending") {
      op.send({ type: "START", now, first: this.deps.engine.firstStep(ref) });
    } else if (state === "waiting") {
      if (ref.attempts >= MAX_OPERATION_ATTEMPTS) {
        const ctx = view?.context as unknown as SyncOperationContext;
        op.send({
          type: "FAIL",
          now,
          reason: `gave up after ${ref.attempts} attempts: ${ctx.error?.message ?? ""}`,
        });
      } else {
        op.send({ type: "RESUME", now });
      }
    }
    // "running" (restored mid-step): the restored invocation is already re-running that step.
  }

  private onOperationTransition(operationId: string, view: PersistedView): void {
    const resolve = this.waiters.get(operationId);
    if (!resolve) return;
    if (view.value === "completed") resolve({ kind: "completed" });
    else if (view.value === "failed" || view.value === "cancelled")
      resolve({ kind: "ended", state: view.value });
    else if (view.value === "waiting") {
      const ctx = view.context as unknown as SyncOperationContext;
      const error = ctx.error;
      resolve({
        kind: "waiting",
        error: {
          kind: error?.kind ?? "transient",
          message: error?.message ?? "step failed",
          ...(error?.stack ? { stack: error.stack } : {}),
          at: error?.at ?? this.deps.now(),
          jitter: (this.deps.random ?? Math.random)(),
          ...(error?.retryAt !== undefined ? { retryAt: error.retryAt } : {}),
        },
      });
    }
  }

  private async operationActor(input: PullInput): Promise<DurableActor> {
    const existing = this.operations.get(input.operation.id);
    if (existing?.isRunning) return existing;
    const { deps } = this;
    const ref = input.operation;
    const machine = deps.registry.sync_operation.machine.provide({
      actors: {
        runStep: fromPromise<StepOutput, StepInput>(({ input: step, signal }) => this.runStep(step, signal)),
      },
    });
    const actor: DurableActor = new DurableActor({
      actorId: operationActorId(ref.id),
      kind: "sync_operation",
      repositoryId: this.repositoryId,
      parentId: this.actorId,
      registered: deps.registry.sync_operation,
      machine,
      input: () => ({
        operationId: ref.id,
        repositoryId: this.repositoryId,
        fullName: this.fullName,
        syncType: ref.syncType,
        direction: ref.direction,
      }),
      epoch: this.epoch,
      holder: deps.holder,
      db: deps.db,
      log: deps.log.child({ repository: this.fullName, operation: ref.id }),
      now: deps.now,
      summarize: (view) => {
        const ctx = view.context as unknown as SyncOperationContext;
        return {
          nextDeadline: null,
          retryCount: 0,
          lastError: ctx.error
            ? {
                message: `${ctx.error.kind}: ${ctx.error.message}`,
                ...(ctx.error.stack ? { stack: ctx.error.stack } : {}),
                at: new Date(ctx.error.at).toISOString(),
              }
            : null,
        };
      },
      deadlineEvent: (now) => ({ type: "RESUME", now }),
      extraWrites: (tx, view) => this.writeOperationRow(tx, ref, view),
      onTransition: (view) => this.onOperationTransition(ref.id, view),
      onStopped: (reason) => {
        this.operations.delete(ref.id);
        if (reason === "ownership_lost") deps.onOwnershipLost(this.repositoryId);
      },
    });
    this.operations.set(ref.id, actor);
    await actor.start();
    return actor;
  }

  private async runStep(input: StepInput, signal: AbortSignal): Promise<StepOutput> {
    await this.operations.get(input.operationId)?.settled();
    const ctx: EffectContext = { fence: this.fence, signal };
    const attributes = {
      "repository.full_name": this.fullName,
      "sync.operation_id": input.operationId,
      "sync.phase": input.step.phase,
      "sync.type": input.syncType,
    };
    const span = tracer().startSpan("sync.page", { attributes });
    try {
      const output = await this.deps.engine.runStep(input, ctx);
      span.setAttribute("sync.records", output.processed);
      syncMetrics().pages.add(1, { phase: input.step.phase.split(":")[0] ?? input.step.phase });
      syncMetrics().records.add(output.processed, {
        phase: input.step.phase.split(":")[0] ?? input.step.phase,
      });
      return { ...output, now: this.deps.now() };
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw this.effectError(error);
    } finally {
      span.end();
    }
  }

  private async runApply(input: ApplyInput, signal: AbortSignal): Promise<ApplyOutput> {
    await this.repoActor?.settled();
    try {
      const { nextRetryAt } = await this.deps.engine.applyEvents(input.repositoryId, {
        fence: this.fence,
        signal,
      });
      return { now: this.deps.now(), nextRetryAt };
    } catch (error) {
      throw this.effectError(error);
    }
  }

  private async runPush(input: PushInput, signal: AbortSignal): Promise<PushOutput> {
    await this.repoActor?.settled();
    try {
      const { openConflicts } = await this.deps.engine.push(input, { fence: this.fence, signal });
      return { now: this.deps.now(), openConflicts };
    } catch (error) {
      throw this.effectError(error);
    }
  }

  /** The sync_operations row mirrors the operation actor, committed with each of its transitions. */
  private async writeOperationRow(tx: Tx, ref: OperationRef, view: PersistedView): Promise<void> {
    const ctx = view.context as unknown as SyncOperationContext;
    const status = OP_STATUS[view.value] ?? "running";
    const values = {
      status,
      lastCursor: ctx.step ? JSON.stringify(ctx.step) : null,
      pagesDone: ctx.pagesDone,
      pagesTotal: ctx.pagesTotal,
      recordsProcessed: ctx.recordsProcessed,
      recordsFailed: ctx.recordsFailed,
      startedAt: ctx.startedAt ? new Date(ctx.startedAt) : null,
      completedAt: ctx.completedAt ? new Date(ctx.completedAt) : null,
      errorDetails: ctx.error ? { ...ctx.error, state: view.value } : null,
    };
    await tx
      .insert(syncOperations)
      .values({
        id: ref.id,
        repositoryId: this.repositoryId,
        repositoryFullName: this.fullName,
        operationType: "all",
        syncType: ref.syncType,
        direction: ref.direction,
        createdBy: ref.trigger === "poll" ? "system" : ref.trigger,
        ...values,
      })
      .onConflictDoUpdate({
        target: syncOperations.id,
        set: { ...values, metadata: sql`${syncOperations.metadata}` },
      });
  }
}
