import { t } from "elysia";
import type { Issue } from "../../db/schema.ts";
import { DateTime, iso, NullableDateTime, Pagination, SyncInfo, syncInfo } from "./common.ts";

export const IssueModel = t.Object(
  {
    id: t.String({ format: "uuid" }),
    github_id: t.Nullable(
      t.Integer({ description: "GitHub database id; null until a local create reaches GitHub" }),
    ),
    node_id: t.Nullable(t.String()),
    repository: t.String({ description: "owner/name" }),
    number: t.Nullable(t.Integer()),
    title: t.String(),
    body: t.Nullable(t.String()),
    state: t.Union([t.Literal("open"), t.Literal("closed")]),
    state_reason: t.Nullable(t.String({ description: "completed, not_planned, duplicate or reopened" })),
    user_login: t.Nullable(t.String()),
    assignees: t.Array(t.String()),
    labels: t.Array(t.String()),
    milestone: t.Nullable(t.Object({ number: t.Nullable(t.Integer()), github_id: t.Nullable(t.Integer()) })),
    locked: t.Boolean(),
    comments: t.Integer(),
    html_url: t.Nullable(t.String()),
    created_at: DateTime,
    updated_at: DateTime,
    closed_at: NullableDateTime,
    deleted_at: t.Nullable(
      t.String({ format: "date-time", description: "Set when GitHub confirms the deletion" }),
    ),
    transferred_to: t.Nullable(t.String({ description: "owner/name#number after a transfer" })),
    sync: SyncInfo,
  },
  {
    examples: [
      {
        id: "550e8400-e29b-41d4-a716-446655440000",
        github_id: 2_147_483_990,
        node_id: "I_kwDOA1b2c84A",
        repository: "octo-org/sandbox",
        number: 42,
        title: "Sync stalls after token rotation",
        body: "Steps to reproduce…",
        state: "open",
        state_reason: null,
        user_login: "octocat",
        assignees: ["octocat"],
        labels: ["bug"],
        milestone: { number: 1, github_id: 1002604 },
        locked: false,
        comments: 3,
        html_url: "https://github.com/octo-org/sandbox/issues/42",
        created_at: "2024-01-15T10:00:00.000Z",
        updated_at: "2024-01-15T15:30:00.000Z",
        closed_at: null,
        deleted_at: null,
        transferred_to: null,
        sync: { state: "synced", version: 3, synced_at: "2024-01-15T15:31:00.000Z" },
      },
    ],
  },
);
export type IssueDto = typeof IssueModel.static;

export const IssueList = t.Object({ data: t.Array(IssueModel), pagination: Pagination });

export function toIssueDto(row: Issue): IssueDto {
  return {
    id: row.id,
    github_id: row.githubId,
    node_id: row.nodeId,
    repository: row.repositoryFullName,
    number: row.number,
    title: row.title,
    body: row.body,
    state: row.state,
    state_reason: row.stateReason,
    user_login: row.userLogin,
    assignees: row.assignees,
    labels: row.labels,
    milestone:
      row.milestoneNumber === null && row.milestoneGithubId === null
        ? null
        : { number: row.milestoneNumber, github_id: row.milestoneGithubId },
    locked: row.locked,
    comments: row.comments,
    html_url: row.htmlUrl,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
    closed_at: iso(row.closedAt),
    deleted_at: iso(row.deletedAt),
    transferred_to: row.transferredTo,
    sync: syncInfo(row),
  };
}
