import { t } from "elysia";
import type { ProjectItem } from "../../db/schema.ts";
import { DateTime, iso, NullableDateTime, SyncInfo, syncInfo } from "./common.ts";

export const ProjectItemModel = t.Object(
  {
    id: t.String({ format: "uuid" }),
    project_id: t.String({ format: "uuid" }),
    node_id: t.Nullable(t.String({ description: "PVTI_… node id; null until a local add reaches GitHub" })),
    content_type: t.String({ description: "Issue, PullRequest, DraftIssue or Redacted" }),
    content_node_id: t.Nullable(t.String()),
    issue_id: t.Nullable(t.String({ format: "uuid", description: "The mirrored issue, when it is one" })),
    title: t.Nullable(t.String()),
    field_values: t.Record(t.String(), t.Unknown(), {
      description: "Keyed by field node id: {type: TEXT, text} | {type: SINGLE_SELECT, optionId, name} | …",
    }),
    archived: t.Boolean(),
    created_at: DateTime,
    updated_at: DateTime,
    deleted_at: NullableDateTime,
    sync: SyncInfo,
  },
  {
    examples: [
      {
        id: "2d3c4b5a-6f7e-4a43-9a43-2f1f2b0c1e10",
        project_id: "550e8400-e29b-41d4-a716-446655440000",
        node_id: null,
        content_type: "Issue",
        content_node_id: "I_kwDOA1b2c84A",
        issue_id: "550e8400-e29b-41d4-a716-446655440000",
        title: "Sync stalls after token rotation",
        field_values: {
          PVTSSF_lADOBQfyNc4AAk2wzgBR: { type: "SINGLE_SELECT", optionId: "f75ad846", name: "High" },
        },
        archived: false,
        created_at: "2024-01-15T10:00:00.000Z",
        updated_at: "2024-01-15T10:00:00.000Z",
        deleted_at: null,
        sync: { state: "pending", version: 2, synced_at: null },
      },
    ],
  },
);
export type ProjectItemDto = typeof ProjectItemModel.static;

export function toProjectItemDto(row: ProjectItem): ProjectItemDto {
  return {
    id: row.id,
    project_id: row.projectId,
    node_id: row.nodeId,
    content_type: row.contentType,
    content_node_id: row.contentNodeId,
    issue_id: row.issueId,
    title: row.title,
    field_values: row.fieldValues,
    archived: row.archived,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
    deleted_at: iso(row.deletedAt),
    sync: syncInfo(row),
  };
}
