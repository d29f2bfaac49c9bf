import { t } from "elysia";
import type { ActorSnapshotRow, ActorTransitionRow } from "../../db/schema.ts";
import { iso, NullableDateTime, Pagination } from "./common.ts";

export const ActorModel = t.Object(
  {
    id: t.String({ description: "repository:<uuid> or sync_operation:<uuid>" }),
    kind: t.Union([t.Literal("repository"), t.Literal("sync_operation")]),
    repository: t.Object({ id: t.Nullable(t.String()), full_name: t.Nullable(t.String()) }),
    parent_id: t.Nullable(t.String()),
    state: t.String({
      description: "idle, pulling, pushing, backing-off, conflicted, paused; pending, running, waiting, …",
    }),
    status: t.String({ description: "active, done, error or stopped" }),
    since: t.String({ format: "date-time", description: "When the actor entered its current state" }),
    epoch: t.Integer({ description: "Lease epoch of the replica that made the last transition" }),
    holder: t.Nullable(t.String({ description: "REPLICA_ID that made the last transition" })),
    next_deadline: NullableDateTime,
    retry_count: t.Integer(),
    last_error: t.Nullable(t.Object({ message: t.String(), stack: t.Optional(t.String()), at: t.String() })),
    seq: t.Integer({ description: "Transitions persisted so far" }),
    stuck: t.Boolean({
      description: "Deadline overdue, or busy in one state longer than the stuck threshold",
    }),
    machine: t.Object({ id: t.String(), version: t.Integer(), definition_hash: t.String() }),
    context: t.Record(t.String(), t.Unknown(), { description: "A summary of the machine's context" }),
    updated_at: t.String({ format: "date-time" }),
  },
  {
    examples: [
      {
        id: "repository:3f2b8c1e-2a51-4bb0-8d5e-0c6f2d5b7a11",
        kind: "repository",
        repository: { id: "3f2b8c1e-2a51-4bb0-8d5e-0c6f2d5b7a11", full_name: "octo-org/sandbox" },
        parent_id: null,
        state: "backing-off",
        status: "active",
        since: "2024-01-15T16:00:00.000Z",
        epoch: 4,
        holder: "replica-a",
        next_deadline: "2024-01-15T16:42:00.000Z",
        retry_count: 1,
        last_error: { message: "rate_limited: API rate limit exceeded", at: "2024-01-15T16:00:00.000Z" },
        seq: 57,
        stuck: false,
        machine: { id: "repository", version: 1, definition_hash: "5c1d0e9a77b2f4a1c3e8d9f0" },
        context: { operation: { id: "660e8400-e29b-41d4-a716-446655440001", syncType: "incremental" } },
        updated_at: "2024-01-15T16:00:00.000Z",
      },
    ],
  },
);
export type ActorDto = typeof ActorModel.static;
export const ActorList = t.Object({ data: t.Array(ActorModel), pagination: Pagination });

export const TransitionModel = t.Object({
  id: t.Integer(),
  seq: t.Integer(),
  event: t.String({ description: "The event type that caused the transition" }),
  event_summary: t.Nullable(t.Record(t.String(), t.Unknown())),
  from: t.Nullable(t.String()),
  to: t.String(),
  epoch: t.Integer(),
  holder: t.Nullable(t.String()),
  at: t.String({ format: "date-time" }),
});
export const TransitionList = t.Object({ data: t.Array(TransitionModel), pagination: Pagination });

const CONTEXT_KEYS = [
  "fullName",
  "nextPollAt",
  "retryAt",
  "lastSuccessAt",
  "operation",
  "rerun",
  "queued",
  "applyAt",
  "openConflicts",
  "step",
  "pagesDone",
  "pagesTotal",
  "recordsProcessed",
  "recordsFailed",
  "startedAt",
  "completedAt",
  "error",
  "syncType",
  "direction",
];
const TIME_KEYS = new Set(["nextPollAt", "retryAt", "applyAt", "lastSuccessAt", "startedAt", "completedAt"]);

function contextSummary(snapshot: Record<string, unknown>): Record<string, unknown> {
  const context = (snapshot.context ?? {}) as Record<string, unknown>;
  const summary: Record<string, unknown> = {};
  for (const key of CONTEXT_KEYS) {
    if (!(key in context)) continue;
    const value = context[key];
    summary[key] = TIME_KEYS.has(key) && typeof value === "number" ? new Date(value).toISOString() : value;
  }
  return summary;
}

export function toActorDto(
  row: ActorSnapshotRow,
  fullName: string | null,
  stuckAfterMs: number,
  now: number,
): ActorDto {
  const resting = ["idle", "conflicted", "paused", "completed", "failed", "cancelled"].includes(
    row.stateValue,
  );
  const overdue = row.nextDeadline !== null && row.nextDeadline.getTime() < now - stuckAfterMs;
  const longBusy = !resting && row.stateSince.getTime() < now - stuckAfterMs;
  return {
    id: row.actorId,
    kind: row.kind,
    repository: { id: row.repositoryId, full_name: fullName },
    parent_id: row.parentId,
    state: row.stateValue,
    status: row.status,
    since: row.stateSince.toISOString(),
    epoch: row.epoch,
    holder: row.holder,
    next_deadline: iso(row.nextDeadline),
    retry_count: row.retryCount,
    last_error: row.lastError,
    seq: row.seq,
    stuck: row.status === "active" && (overdue || longBusy),
    machine: { id: row.machineId, version: row.machineVersion, definition_hash: row.definitionHash },
    context: contextSummary(row.snapshot),
    updated_at: row.updatedAt.toISOString(),
  };
}

export function toTransitionDto(row: ActorTransitionRow): typeof TransitionModel.static {
  return {
    id: row.id,
    seq: row.seq,
    event: row.eventType,
    event_summary: row.eventSummary,
    from: row.fromState,
    to: row.toState,
    epoch: row.epoch,
    holder: row.holder,
    at: row.at.toISOString(),
  };
}
