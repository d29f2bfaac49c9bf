import { t } from "elysia";
import type { Milestone } from "../../db/schema.ts";
import { DateTime, iso, NullableDateTime, Pagination, SyncInfo, syncInfo } from "./common.ts";

export const MilestoneModel = t.Object(
  {
    id: t.String({ format: "uuid" }),
    github_id: t.Nullable(t.Integer()),
    node_id: t.Nullable(t.String()),
    repository: t.String(),
    number: t.Nullable(t.Integer()),
    title: t.String(),
    description: t.Nullable(t.String()),
    state: t.Union([t.Literal("open"), t.Literal("closed")]),
    creator_login: t.Nullable(t.String()),
    open_issues: t.Integer(),
    closed_issues: t.Integer(),
    due_on: NullableDateTime,
    html_url: t.Nullable(t.String()),
    created_at: DateTime,
    updated_at: DateTime,
    closed_at: NullableDateTime,
    deleted_at: NullableDateTime,
    sync: SyncInfo,
  },
  {
    examples: [
      {
        id: "7d0c1b54-6f7e-4a43-9a43-2f1f2b0c1e10",
        github_id: 1002604,
        node_id: "MDk6TWlsZXN0b25lMTAwMjYwNA==",
        repository: "octo-org/sandbox",
        number: 1,
        title: "v1.0",
        description: "Tracking milestone for version 1.0",
        state: "open",
        creator_login: "octocat",
        open_issues: 4,
        closed_issues: 8,
        due_on: "2024-10-09T07:00:00.000Z",
        html_url: "https://github.com/octo-org/sandbox/milestones/v1.0",
        created_at: "2024-01-10T16:00:00.000Z",
        updated_at: "2024-01-14T16:00:00.000Z",
        closed_at: null,
        deleted_at: null,
        sync: { state: "synced", version: 1, synced_at: "2024-01-14T16:01:00.000Z" },
      },
    ],
  },
);
export type MilestoneDto = typeof MilestoneModel.static;
export const MilestoneList = t.Object({ data: t.Array(MilestoneModel), pagination: Pagination });

export function toMilestoneDto(row: Milestone): MilestoneDto {
  return {
    id: row.id,
    github_id: row.githubId,
    node_id: row.nodeId,
    repository: row.repositoryFullName,
    number: row.number,
    title: row.title,
    description: row.description,
    state: row.state,
    creator_login: row.creatorLogin,
    open_issues: row.openIssues,
    closed_issues: row.closedIssues,
    due_on: iso(row.dueOn),
    html_url: row.htmlUrl,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
    closed_at: iso(row.closedAt),
    deleted_at: iso(row.deletedAt),
    sync: syncInfo(row),
  };
}
