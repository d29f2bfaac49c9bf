import { t } from "elysia";
import type { SyncOperation } from "../../db/schema.ts";
import { iso, NullableDateTime, Pagination } from "./common.ts";

export const OperationModel = t.Object(
  {
    id: t.String({ format: "uuid" }),
    repository: t.String(),
    sync_type: t.String({ description: "full, incremental or reconcile" }),
    direction: t.String(),
    status: t.String({ description: "pending, running, completed, failed or cancelled" }),
    created_by: t.String({ description: "system (poll), manual, webhook, local_write, api" }),
    pages_done: t.Integer(),
    pages_total: t.Nullable(t.Integer({ description: "From Link rel=last when GitHub gives it, per phase" })),
    percent: t.Nullable(t.Number()),
    eta_seconds: t.Nullable(t.Number()),
    records_processed: t.Integer(),
    records_failed: t.Integer(),
    cursor: t.Nullable(t.String({ description: "Where a resumed run continues: phase and page" })),
    error: t.Nullable(t.Record(t.String(), t.Unknown())),
    started_at: NullableDateTime,
    completed_at: NullableDateTime,
    created_at: t.String({ format: "date-time" }),
  },
  {
    examples: [
      {
        id: "660e8400-e29b-41d4-a716-446655440001",
        repository: "octo-org/sandbox",
        sync_type: "full",
        direction: "from_github",
        status: "running",
        created_by: "api",
        pages_done: 40,
        pages_total: 100,
        percent: 40,
        eta_seconds: 12.5,
        records_processed: 4000,
        records_failed: 0,
        cursor: '{"phase":"issues:full","cursor":"https://api.github.com/repositories/1/issues?page=41"}',
        error: null,
        started_at: "2024-01-15T16:00:00.000Z",
        completed_at: null,
        created_at: "2024-01-15T16:00:00.000Z",
      },
    ],
  },
);
export type OperationDto = typeof OperationModel.static;
export const OperationList = t.Object({ data: t.Array(OperationModel), pagination: Pagination });

export function toOperationDto(row: SyncOperation, now: number): OperationDto {
  const total = row.pagesTotal;
  const finished = row.status === "completed";
  const percent = finished
    ? 100
    : total && total > 0
      ? Math.min(99, Math.round((row.pagesDone / total) * 1000) / 10)
      : null;
  let eta: number | null = null;
  if (!finished && row.status === "running" && total && row.pagesDone > 0 && row.startedAt) {
    const perPage = (now - row.startedAt.getTime()) / 1000 / row.pagesDone;
    eta = Math.max(0, Math.round(perPage * Math.max(0, total - row.pagesDone) * 10) / 10);
  }
  return {
    id: row.id,
    repository: row.repositoryFullName,
    sync_type: row.syncType,
    direction: row.direction,
    status: row.status,
    created_by: row.createdBy,
    pages_done: row.pagesDone,
    pages_total: total,
    percent,
    eta_seconds: eta,
    records_processed: row.recordsProcessed,
    records_failed: row.recordsFailed,
    cursor: row.lastCursor,
    error: row.errorDetails,
    started_at: iso(row.startedAt),
    completed_at: iso(row.completedAt),
    created_at: row.createdAt.toISOString(),
  };
}

export const RateBudgetModel = t.Object({
  credential: t.String({ description: "A fingerprint of the credential, never the token" }),
  resource: t.String(),
  limit: t.Integer(),
  remaining: t.Integer(),
  used: t.Integer(),
  reset_at: t.String({ format: "date-time" }),
});

export const RepositoryStatusModel = t.Object({
  repository: t.String(),
  enabled: t.Boolean(),
  state: t.Nullable(t.String({ description: "The repository actor's state; null before its first start" })),
  since: NullableDateTime,
  driven_by: t.Nullable(t.String()),
  last_success_at: NullableDateTime,
  next_poll_at: NullableDateTime,
  retry_at: NullableDateTime,
  retry_count: t.Integer(),
  last_error: t.Nullable(t.Object({ message: t.String(), stack: t.Optional(t.String()), at: t.String() })),
  synced_through: t.Object({
    issues: NullableDateTime,
    milestones: NullableDateTime,
    labels: NullableDateTime,
  }),
});

export const SyncStatusModel = t.Object({
  repositories: t.Array(RepositoryStatusModel),
  rate_budget: t.Array(RateBudgetModel),
});
