/**
 * The sync-operation machine: one run of a sync (a manual trigger, a poll, a wake-up), page by page.
 *
 *   pending ──START──▶ running ⟲ (one page per step) ──▶ completed
 *                        │ step failed          ▲
 *                        ▼                      │ RESUME
 *                      waiting ─────────────────┘ ──FAIL──▶ failed      (CANCEL from any → cancelled)
 *
 * Every page is a transition, so the cursor and progress are persisted after each page and a takeover resumes
 * where the last owner stopped. The step effect (`runStep`) must be idempotent: a restored `running` state
 * runs the same step again.
 */
import { assign, fromPromise, setup } from "xstate";
import { type EffectError, isEffectError } from "./effect-error.ts";
import type { SyncDirection, SyncType } from "./repository.machine.ts";

export const SYNC_OPERATION_MACHINE_ID = "sync_operation";
export const SYNC_OPERATION_MACHINE_VERSION = 1;

/** Where a sync is: which phase (labels, milestones, issues, projects, …) and the cursor within it. */
export interface SyncStep {
  phase: string;
  cursor: string | null;
}

export interface SyncOperationContext {
  operationId: string;
  repositoryId: string;
  fullName: string;
  syncType: SyncType;
  direction: SyncDirection;
  /** The next step to run; null before the first and after the last. */
  step: SyncStep | null;
  pagesDone: number;
  /** Known from Link rel="last" for the current phase; null when GitHub does not say. */
  pagesTotal: number | null;
  recordsProcessed: number;
  recordsFailed: number;
  startedAt: number | null;
  completedAt: number | null;
  /** The last step's failure; `retryAt` when GitHub said when to come back (rate limits). */
  error: { kind: EffectError["kind"]; message: string; stack?: string; at: number; retryAt?: number } | null;
}

export interface SyncOperationInput {
  operationId: string;
  repositoryId: string;
  fullName: string;
  syncType: SyncType;
  direction: SyncDirection;
}

export type SyncOperationEvent =
  | { type: "START"; now: number; first: SyncStep }
  | { type: "RESUME"; now: number }
  | { type: "FAIL"; now: number; reason: string }
  | { type: "CANCEL"; now: number; reason?: string };

export interface StepInput {
  operationId: string;
  repositoryId: string;
  fullName: string;
  syncType: SyncType;
  step: SyncStep;
}

export interface StepOutput {
  now: number;
  /** The step after this one; null when the operation is complete. */
  next: SyncStep | null;
  processed: number;
  failed: number;
  pagesTotal: number | null;
}

function errorInfo(error: unknown): SyncOperationContext["error"] {
  if (isEffectError(error)) {
    return {
      kind: error.kind,
      message: error.message,
      ...(error.stack ? { stack: error.stack } : {}),
      at: error.at,
      // GitHub's reset time must survive into the repository's backing-off deadline: without it the actor
      // retried after 1 s, 2 s, 4 s… while GitHub still refused (and may flag an integration that does).
      ...(error.retryAt !== undefined ? { retryAt: error.retryAt } : {}),
    };
  }
  return {
    kind: "transient",
    message: error instanceof Error ? error.message : String(error),
    at: Date.now(),
  };
}

export const syncOperationMachine = setup({
  types: {
    context: {} as SyncOperationContext,
    events: {} as SyncOperationEvent,
    input: {} as SyncOperationInput,
  },
  actors: {
    runStep: fromPromise<StepOutput, StepInput>(async () => {
      throw new Error("runStep is provided by the runtime");
    }),
  },
}).createMachine({
  id: SYNC_OPERATION_MACHINE_ID,
  context: ({ input }) => ({
    ...input,
    step: null,
    pagesDone: 0,
    pagesTotal: null,
    recordsProcessed: 0,
    recordsFailed: 0,
    startedAt: null,
    completedAt: null,
    error: null,
  }),
  initial: "pending",
  states: {
    pending: {
      on: {
        START: {
          target: "running",
          actions: assign({ step: ({ event }) => event.first, startedAt: ({ event }) => event.now }),
        },
        CANCEL: { target: "cancelled", actions: assign({ completedAt: ({ event }) => event.now }) },
      },
    },
    running: {
      invoke: {
        src: "runStep",
        input: ({ context }) => ({
          operationId: context.operationId,
          repositoryId: context.repositoryId,
          fullName: context.fullName,
          syncType: context.syncType,
          step: context.step as SyncStep,
        }),
        onDone: [
          {
            guard: ({ event }) => event.output.next === null,
            target: "completed",
            actions: assign(({ context, event }) => ({
              step: null,
              pagesDone: context.pagesDone + 1,
              pagesTotal: event.output.pagesTotal ?? context.pagesDone + 1,
              recordsProcessed: context.recordsProcessed + event.output.processed,
              recordsFailed: context.recordsFailed + event.output.failed,
              completedAt: event.output.now,
              error: null,
            })),
          },
          {
            // Re-enter to invoke the next step; the transition (and so the cursor) is persisted first.
            target: "running",
            reenter: true,
            actions: assign(({ context, event }) => ({
              step: event.output.next,
              pagesDone: context.pagesDone + 1,
              pagesTotal: event.output.pagesTotal,
              recordsProcessed: context.recordsProcessed + event.output.processed,
              recordsFailed: context.recordsFailed + event.output.failed,
              error: null,
            })),
          },
        ],
        onError: { target: "waiting", actions: assign({ error: ({ event }) => errorInfo(event.error) }) },
      },
      on: {
        CANCEL: { target: "cancelled", actions: assign({ completedAt: ({ event }) => event.now }) },
      },
    },
    waiting: {
      on: {
        RESUME: { target: "running" },
        FAIL: {
          target: "failed",
          actions: assign(({ context, event }) => ({
            completedAt: event.now,
            error: context.error ?? { kind: "fatal" as const, message: event.reason, at: event.now },
          })),
        },
        CANCEL: { target: "cancelled", actions: assign({ completedAt: ({ event }) => event.now }) },
      },
    },
    completed: { type: "final" },
    failed: { type: "final" },
    cancelled: { type: "final" },
  },
});

export type SyncOperationMachine = typeof syncOperationMachine;
