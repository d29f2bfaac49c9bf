import { t } from "elysia";
import type { Label } from "../../db/schema.ts";
import { iso, NullableDateTime, Pagination, SyncInfo, syncInfo } from "./common.ts";

export const LabelModel = t.Object(
  {
    id: t.String({ format: "uuid" }),
    github_id: t.Nullable(t.Integer()),
    node_id: t.Nullable(t.String()),
    repository: t.String(),
    name: t.String(),
    color: t.String({ description: "Six hex digits without #, as GitHub stores it" }),
    description: t.Nullable(t.String()),
    is_default: t.Boolean(),
    deleted_at: NullableDateTime,
    sync: SyncInfo,
  },
  {
    examples: [
      {
        id: "0f4b7a1e-3c2d-4e5f-8a9b-1c2d3e4f5a6b",
        github_id: 208045946,
        node_id: "MDU6TGFiZWwyMDgwNDU5NDY=",
        repository: "octo-org/sandbox",
        name: "bug",
        color: "d73a4a",
        description: "Something isn't working",
        is_default: true,
        deleted_at: null,
        sync: { state: "synced", version: 1, synced_at: "2024-01-14T16:01:00.000Z" },
      },
    ],
  },
);
export type LabelDto = typeof LabelModel.static;
export const LabelList = t.Object({ data: t.Array(LabelModel), pagination: Pagination });

export function toLabelDto(row: Label): LabelDto {
  return {
    id: row.id,
    github_id: row.githubId,
    node_id: row.nodeId,
    repository: row.repositoryFullName,
    name: row.name,
    color: row.color,
    description: row.description,
    is_default: row.isDefault,
    deleted_at: iso(row.deletedAt),
    sync: syncInfo(row),
  };
}
