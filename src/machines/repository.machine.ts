/**
 * The repository machine: one per tracked repository, driven by the replica holding its lease.
 *
 *   idle ──deadline/wake──▶ pulling ──▶ pushing ──▶ idle | conflicted
 *   idle ──webhook──▶ applying ──▶ idle | conflicted      (stored webhook events, no GitHub calls)
 *     ▲                        │ error      │ error
 *     └──── paused      backing-off ◀───────┘   (retryAt in context; resumes the same operation)
 *
 * Pure: no timers and no I/O. Deadlines are absolute times in context (`nextPollAt`, `retryAt`); the runtime arms
 * a timer for them and sends DEADLINE, also after a restore, because XState `after` timers do not survive one.
 * Effects are the named promise actors `runPull` and `runPush`, provided by the runtime.
 */
import { assign, type DoneActorEvent, fromPromise, setup } from "xstate";
import { type EffectError, isEffectError, retryAtFor } from "./effect-error.ts";

export const REPOSITORY_MACHINE_ID = "repository";
/** Bump when a change makes old snapshots unsafe to restore; they then go through a logged reset. */
export const REPOSITORY_MACHINE_VERSION = 2; // 2: manual triggers queue (context.queued), webhook applying

export type SyncType = "full" | "incremental";
export type SyncDirection = "from_github" | "to_github" | "bidirectional";

export interface OperationRef {
  id: string;
  syncType: SyncType;
  direction: SyncDirection;
  trigger: "poll" | "webhook" | "local_write" | "manual";
  /** Failed attempts of this operation so far; the runtime fails it for good past a limit. */
  attempts: number;
}

export interface ErrorInfo {
  kind: EffectError["kind"];
  message: string;
  stack?: string;
  at: number;
}

export interface RepositoryContext {
  repositoryId: string;
  fullName: string;
  pollIntervalMs: number;
  /** Epoch ms of the next scheduled poll. */
  nextPollAt: number;
  /** Epoch ms when backing-off ends. */
  retryAt: number | null;
  retryCount: number;
  lastError: ErrorInfo | null;
  lastSuccessAt: number | null;
  /** The operation being run, or to resume after backing off. */
  operation: OperationRef | null;
  /** A wake-up arrived while busy: run again right after. */
  rerun: OperationRef | null;
  /** Operations asked for explicitly (POST /sync/trigger) while busy: each runs, in order. */
  queued: OperationRef[];
  /** Webhook events arrived while busy: apply them next. */
  applyPending: boolean;
  /** Epoch ms when failed webhook events are due for a retry. */
  applyAt: number | null;
  openConflicts: number;
}

export interface RepositoryInput {
  repositoryId: string;
  fullName: string;
  pollIntervalMs: number;
  now: number;
}

/** Every event that may start work carries a fresh operation id, so the id is persisted before any effect runs. */
interface Starts {
  now: number;
  operationId: string;
}

export type RepositoryEvent =
  | ({ type: "DEADLINE" } & Starts)
  | ({ type: "WAKE"; reason: "webhook" | "local_write" | "manual" } & Starts)
  | ({ type: "TRIGGER"; syncType: SyncType; direction: SyncDirection } & Starts)
  | ({ type: "RETRY_NOW" } & Starts)
  | { type: "PAUSE"; now: number }
  | ({ type: "RESUME" } & Starts)
  | { type: "CANCEL"; now: number }
  | { type: "CONFLICTS_CHANGED"; open: number; now: number };

export interface PullInput {
  repositoryId: string;
  fullName: string;
  operation: OperationRef;
}
export interface PullOutput {
  now: number;
}
export interface ApplyInput {
  repositoryId: string;
}
export interface ApplyOutput {
  now: number;
  /** When the earliest failed event is due again; null when none waits. */
  nextRetryAt: number | null;
}

export interface PushInput {
  repositoryId: string;
  fullName: string;
}
export interface PushOutput {
  now: number;
  openConflicts: number;
}

function operationFrom(event: RepositoryEvent, fallback: OperationRef | null): OperationRef {
  if (fallback) return fallback;
  const id = "operationId" in event ? event.operationId : crypto.randomUUID();
  if (event.type === "TRIGGER") {
    return { id, syncType: event.syncType, direction: event.direction, trigger: "manual", attempts: 0 };
  }
  const trigger = event.type === "WAKE" ? event.reason : event.type === "DEADLINE" ? "poll" : "manual";
  return { id, syncType: "incremental", direction: "bidirectional", trigger, attempts: 0 };
}

function toErrorInfo(error: EffectError): ErrorInfo {
  return {
    kind: error.kind,
    message: error.message,
    ...(error.stack ? { stack: error.stack } : {}),
    at: error.at,
  };
}

/** A rejected effect that did not come through the runtime's wrapper is still reported, as transient. */
function asEffectError(error: unknown): EffectError {
  if (isEffectError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return { kind: "transient", message, at: Date.now(), jitter: 0.5 };
}

function failure(context: RepositoryContext, rejection: unknown): Partial<RepositoryContext> {
  const error = asEffectError(rejection);
  // An operation the effect gave up on is failed for good; the next attempt starts a new one.
  const operation =
    context.operation && !error.operationFailed
      ? { ...context.operation, attempts: context.operation.attempts + 1 }
      : null;
  return {
    retryCount: context.retryCount + 1,
    retryAt: retryAtFor(error, context.retryCount),
    lastError: toErrorInfo(error),
    operation,
  };
}

/** After a push: schedule the next poll and record open conflicts. */
const afterPush = assign<RepositoryContext, DoneActorEvent<PushOutput>, undefined, RepositoryEvent, never>(
  ({ context, event }) => ({
    nextPollAt: event.output.now + context.pollIntervalMs,
    openConflicts: event.output.openConflicts,
  }),
);

/** What idle and conflicted both answer: both are resting states where polls, wake-ups and triggers start work. */
const RESTING = {
  DEADLINE: [
    { guard: "pollDue", target: "pulling", actions: "startOperation" },
    { guard: "applyDue", target: "applying" },
  ],
  WAKE: [
    { guard: "isWebhook", target: "applying" },
    { target: "pulling", actions: "startOperation" },
  ],
  TRIGGER: { target: "pulling", actions: "startOperation" },
  RETRY_NOW: { target: "pulling", actions: "startOperation" },
  PAUSE: { target: "paused" },
} as const;

export const repositoryMachine = setup({
  types: {
    context: {} as RepositoryContext,
    events: {} as RepositoryEvent,
    input: {} as RepositoryInput,
  },
  actors: {
    runPull: fromPromise<PullOutput, PullInput>(async () => {
      throw new Error("runPull is provided by the runtime");
    }),
    runPush: fromPromise<PushOutput, PushInput>(async () => {
      throw new Error("runPush is provided by the runtime");
    }),
    runApply: fromPromise<ApplyOutput, ApplyInput>(async () => {
      throw new Error("runApply is provided by the runtime");
    }),
  },
  guards: {
    pollDue: ({ context, event }) => event.type === "DEADLINE" && event.now >= context.nextPollAt,
    retryDue: ({ context, event }) => event.type === "DEADLINE" && event.now >= (context.retryAt ?? 0),
    hasConflicts: ({ context }) => context.openConflicts > 0,
    hasNext: ({ context }) => context.queued.length > 0 || context.rerun !== null,
    isWebhook: ({ event }) => event.type === "WAKE" && event.reason === "webhook",
    applyDue: ({ context, event }) =>
      event.type === "DEADLINE" && context.applyAt !== null && event.now >= context.applyAt,
    applyPending: ({ context }) => context.applyPending,
  },
  actions: {
    // Resume the interrupted operation first, then a remembered trigger, else start a new one from the event.
    // Resume the interrupted operation first, then queued triggers, then a remembered wake-up, else start a new
    // one from the event.
    startOperation: assign(({ context, event }) => {
      if (context.operation) return {};
      const [first, ...rest] = context.queued;
      if (first) return { operation: first, queued: rest };
      if (context.rerun) return { operation: context.rerun, rerun: null };
      return { operation: operationFrom(event, null) };
    }),
    startNext: assign(({ context }) => {
      const [first, ...rest] = context.queued;
      return first ? { operation: first, queued: rest } : { operation: context.rerun, rerun: null };
    }),
    noteRerun: assign(({ context, event }) =>
      event.type === "WAKE" && event.reason === "webhook"
        ? { applyPending: true }
        : { rerun: context.rerun ?? operationFrom(event, null) },
    ),
    queueTrigger: assign({
      queued: ({ context, event }) => [...context.queued, operationFrom(event, null)],
    }),
    pollNow: assign({ nextPollAt: ({ event }) => ("now" in event ? event.now : 0) }),
    setConflicts: assign({
      openConflicts: ({ context, event }) =>
        event.type === "CONFLICTS_CHANGED" ? event.open : context.openConflicts,
    }),
    dropOperation: assign({ operation: null, rerun: null, queued: [] }),
  },
}).createMachine({
  id: REPOSITORY_MACHINE_ID,
  context: ({ input }) => ({
    repositoryId: input.repositoryId,
    fullName: input.fullName,
    pollIntervalMs: input.pollIntervalMs,
    // A new repository syncs at once.
    nextPollAt: input.now,
    retryAt: null,
    retryCount: 0,
    lastError: null,
    lastSuccessAt: null,
    operation: null,
    rerun: null,
    queued: [],
    applyPending: false,
    applyAt: null,
    openConflicts: 0,
  }),
  initial: "idle",
  on: {
    CONFLICTS_CHANGED: { actions: "setConflicts" },
  },
  states: {
    idle: {
      on: {
        ...RESTING,
        CONFLICTS_CHANGED: [
          { guard: ({ event }) => event.open > 0, target: "conflicted", actions: "setConflicts" },
          { actions: "setConflicts" },
        ],
      },
    },
    conflicted: {
      // Pushes for conflicted entities are held by the push effect; pulls and other pushes go on.
      on: {
        ...RESTING,
        CONFLICTS_CHANGED: [
          { guard: ({ event }) => event.open === 0, target: "idle", actions: "setConflicts" },
          { actions: "setConflicts" },
        ],
      },
    },
    pulling: {
      invoke: {
        src: "runPull",
        input: ({ context }) => ({
          repositoryId: context.repositoryId,
          fullName: context.fullName,
          // startOperation always runs before entering this state.
          operation: context.operation as OperationRef,
        }),
        onDone: {
          target: "pushing",
          actions: assign({
            retryCount: 0,
            retryAt: null,
            lastError: null,
            operation: null,
            lastSuccessAt: ({ event }) => event.output.now,
          }),
        },
        // Webhooks that arrived meanwhile are applied before the wait (they need no GitHub call).
        onError: [
          {
            guard: "applyPending",
            target: "applying",
            actions: assign(({ context, event }) => failure(context, event.error)),
          },
          { target: "backing-off", actions: assign(({ context, event }) => failure(context, event.error)) },
        ],
      },
      on: {
        WAKE: { actions: "noteRerun" },
        TRIGGER: { actions: "queueTrigger" },
        CANCEL: { target: "idle", actions: "dropOperation" },
        PAUSE: { target: "paused" },
      },
    },
    pushing: {
      invoke: {
        src: "runPush",
        input: ({ context }) => ({ repositoryId: context.repositoryId, fullName: context.fullName }),
        onDone: [
          { guard: "hasNext", target: "pulling", actions: [afterPush, "startNext"] },
          { guard: "applyPending", target: "applying", actions: afterPush },
          { guard: ({ event }) => event.output.openConflicts > 0, target: "conflicted", actions: afterPush },
          { target: "idle", actions: afterPush },
        ],
        // Webhooks that arrived meanwhile are applied before the wait (they need no GitHub call).
        onError: [
          {
            guard: "applyPending",
            target: "applying",
            actions: assign(({ context, event }) => failure(context, event.error)),
          },
          { target: "backing-off", actions: assign(({ context, event }) => failure(context, event.error)) },
        ],
      },
      on: {
        WAKE: { actions: "noteRerun" },
        TRIGGER: { actions: "queueTrigger" },
        PAUSE: { target: "paused" },
      },
    },
    applying: {
      entry: assign({ applyPending: false }),
      invoke: {
        src: "runApply",
        input: ({ context }) => ({ repositoryId: context.repositoryId }),
        onDone: [
          {
            guard: "applyPending",
            target: "applying",
            reenter: true,
            actions: assign({ applyAt: ({ event }) => event.output.nextRetryAt }),
          },
          // Came from backing-off (webhooks need no GitHub call, so they are applied during a rate-limit wait):
          // go back to waiting, or resume the operation if the wait ended meanwhile.
          {
            guard: ({ context, event }) => context.retryAt !== null && event.output.now < context.retryAt,
            target: "backing-off",
            actions: assign({ applyAt: ({ event }) => event.output.nextRetryAt }),
          },
          {
            guard: ({ context }) => context.retryAt !== null,
            target: "pulling",
            actions: [assign({ applyAt: ({ event }) => event.output.nextRetryAt }), "startOperation"],
          },
          {
            guard: "hasNext",
            target: "pulling",
            actions: [assign({ applyAt: ({ event }) => event.output.nextRetryAt }), "startNext"],
          },
          {
            guard: "hasConflicts",
            target: "conflicted",
            actions: assign({ applyAt: ({ event }) => event.output.nextRetryAt }),
          },
          { target: "idle", actions: assign({ applyAt: ({ event }) => event.output.nextRetryAt }) },
        ],
        // Event failures are retried per event; this is the whole batch failing (database trouble).
        onError: {
          target: "backing-off",
          actions: assign(({ context, event }) => failure(context, event.error)),
        },
      },
      on: {
        WAKE: { actions: "noteRerun" },
        TRIGGER: { actions: "queueTrigger" },
        PAUSE: { target: "paused" },
      },
    },
    "backing-off": {
      on: {
        DEADLINE: { guard: "retryDue", target: "pulling", actions: "startOperation" },
        RETRY_NOW: { target: "pulling", actions: "startOperation" },
        WAKE: { guard: "isWebhook", target: "applying" },
        // A manual trigger does not jump a rate limit: it is queued and runs when the wait is over.
        TRIGGER: { actions: "queueTrigger" },
        CANCEL: { target: "idle", actions: ["dropOperation", "pollNow"] },
        PAUSE: { target: "paused" },
      },
    },
    paused: {
      on: {
        RESUME: { target: "idle", actions: "pollNow" },
      },
    },
  },
});

export type RepositoryMachine = typeof repositoryMachine;

/** The next time the runtime must send DEADLINE, from a snapshot's state and context; null when none. */
export function repositoryDeadline(state: string, context: RepositoryContext): number | null {
  if (state === "idle" || state === "conflicted") {
    return context.applyAt === null ? context.nextPollAt : Math.min(context.nextPollAt, context.applyAt);
  }
  if (state === "backing-off") return context.retryAt;
  return null;
}
