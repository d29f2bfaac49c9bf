import { t } from "elysia";
import type { Repository } from "../../db/schema.ts";
import { DateTime, iso, NullableDateTime, Pagination } from "./common.ts";

export const RepositoryModel = t.Object(
  {
    id: t.String({ format: "uuid" }),
    full_name: t.String(),
    github_id: t.Nullable(t.Integer()),
    installation_id: t.Nullable(t.Integer()),
    enabled: t.Boolean(),
    lease: t.Object({
      epoch: t.Integer({ description: "Fencing token: rises on every hand-over between replicas" }),
      holder: t.Nullable(t.String({ description: "REPLICA_ID of the replica driving this repository" })),
      until: NullableDateTime,
    }),
    synced_through: t.Object({
      issues: NullableDateTime,
      milestones: NullableDateTime,
      labels: NullableDateTime,
      projects: NullableDateTime,
      last_full_sync: NullableDateTime,
      last_reconcile: NullableDateTime,
    }),
    created_at: DateTime,
  },
  {
    examples: [
      {
        id: "3f2b8c1e-2a51-4bb0-8d5e-0c6f2d5b7a11",
        full_name: "octo-org/sandbox",
        github_id: 1296269,
        installation_id: null,
        enabled: true,
        lease: { epoch: 3, holder: "replica-a", until: "2024-01-15T16:00:30.000Z" },
        synced_through: {
          issues: "2024-01-15T15:59:58.000Z",
          milestones: "2024-01-15T15:00:00.000Z",
          labels: "2024-01-15T15:59:58.000Z",
          projects: "2024-01-15T15:59:58.000Z",
          last_full_sync: "2024-01-15T10:00:00.000Z",
          last_reconcile: "2024-01-15T15:00:00.000Z",
        },
        created_at: "2024-01-15T09:00:00.000Z",
      },
    ],
  },
);
export type RepositoryDto = typeof RepositoryModel.static;
export const RepositoryList = t.Object({ data: t.Array(RepositoryModel), pagination: Pagination });

export function toRepositoryDto(row: Repository): RepositoryDto {
  return {
    id: row.id,
    full_name: row.fullName,
    github_id: row.githubId,
    installation_id: row.installationId,
    enabled: row.enabled,
    lease: { epoch: row.leaseEpoch, holder: row.leaseHolder, until: iso(row.leaseUntil) },
    synced_through: {
      issues: iso(row.issuesSyncedThrough),
      milestones: iso(row.milestonesSyncedThrough),
      labels: iso(row.labelsSyncedAt),
      projects: iso(row.projectsSyncedAt),
      last_full_sync: iso(row.lastFullSyncAt),
      last_reconcile: iso(row.lastReconcileAt),
    },
    created_at: row.createdAt.toISOString(),
  };
}
