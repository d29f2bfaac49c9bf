import { t } from "elysia";
import type { ProjectWithCounts } from "../../db/queries/projects.ts";
import type { ProjectField } from "../../db/schema.ts";
import { DateTime, iso, NullableDateTime, Pagination, SyncInfo, syncInfo } from "./common.ts";

const ProjectBase = {
  id: t.String({ format: "uuid" }),
  github_id: t.Nullable(t.Integer()),
  node_id: t.Nullable(t.String({ description: "PVT_… node id" })),
  owner: t.String({ description: "Organization or user login that owns the project" }),
  owner_type: t.Union([t.Literal("Organization"), t.Literal("User")]),
  number: t.Nullable(t.Integer()),
  title: t.String(),
  short_description: t.Nullable(t.String()),
  state: t.Union([t.Literal("open"), t.Literal("closed")]),
  public: t.Boolean(),
  creator_login: t.Nullable(t.String()),
  url: t.Nullable(t.String()),
  repositories: t.Array(t.String(), { description: "Tracked repositories this project is linked to" }),
  items_count: t.Integer(),
  created_at: DateTime,
  updated_at: DateTime,
  closed_at: NullableDateTime,
  deleted_at: NullableDateTime,
  sync: SyncInfo,
};

const example = {
  id: "550e8400-e29b-41d4-a716-446655440000",
  github_id: 12345,
  node_id: "PVT_kwDOBQfyNc4AAk2w",
  owner: "octo-org",
  owner_type: "Organization" as const,
  number: 1,
  title: "Mem0 Stack Development",
  short_description: "Main development project board",
  state: "open" as const,
  public: false,
  creator_login: "octocat",
  url: "https://github.com/orgs/octo-org/projects/1",
  repositories: ["octo-org/sandbox"],
  items_count: 25,
  created_at: "2024-01-15T10:00:00.000Z",
  updated_at: "2024-01-15T15:30:00.000Z",
  closed_at: null,
  deleted_at: null,
  sync: { state: "synced" as const, version: 1, synced_at: "2024-01-15T15:31:00.000Z" },
};

export const ProjectModel = t.Object(ProjectBase, { examples: [example] });
export type ProjectDto = typeof ProjectModel.static;

export const ProjectFieldModel = t.Object({
  id: t.String({ format: "uuid" }),
  node_id: t.String(),
  name: t.String(),
  data_type: t.String({
    description: "TEXT, NUMBER, DATE, SINGLE_SELECT, ITERATION, TITLE, ASSIGNEES, LABELS, …",
  }),
  options: t.Nullable(
    t.Array(
      t.Object({
        id: t.String(),
        name: t.String(),
        color: t.Optional(t.String()),
        description: t.Optional(t.String()),
      }),
    ),
  ),
  configuration: t.Nullable(
    t.Object({
      duration: t.Integer(),
      startDay: t.Integer(),
      iterations: t.Array(
        t.Object({ id: t.String(), title: t.String(), startDate: t.String(), duration: t.Integer() }),
      ),
      completedIterations: t.Array(
        t.Object({ id: t.String(), title: t.String(), startDate: t.String(), duration: t.Integer() }),
      ),
    }),
  ),
});
export type ProjectFieldDto = typeof ProjectFieldModel.static;

export const ProjectDetailModel = t.Object(
  { ...ProjectBase, readme: t.Nullable(t.String()), fields: t.Array(ProjectFieldModel) },
  {
    examples: [
      {
        ...example,
        readme: null,
        fields: [
          {
            id: "0a7e3f04-52ad-4a3f-9d7e-6f0d1e1b2c3d",
            node_id: "PVTSSF_lADOBQfyNc4AAk2wzgBR",
            name: "Priority",
            data_type: "SINGLE_SELECT",
            options: [
              { id: "f75ad846", name: "High" },
              { id: "47fc9ee4", name: "Low" },
            ],
            configuration: null,
          },
        ],
      },
    ],
  },
);
export type ProjectDetailDto = typeof ProjectDetailModel.static;

export const ProjectList = t.Object({ data: t.Array(ProjectModel), pagination: Pagination });

export function toProjectDto(row: ProjectWithCounts): ProjectDto {
  const p = row.project;
  return {
    id: p.id,
    github_id: p.githubId,
    node_id: p.nodeId,
    owner: p.ownerLogin,
    owner_type: p.ownerType,
    number: p.number,
    title: p.title,
    short_description: p.shortDescription,
    state: p.closed ? "closed" : "open",
    public: p.public,
    creator_login: p.creatorLogin,
    url: p.url,
    repositories: row.repositories,
    items_count: row.itemsCount,
    created_at: p.createdAt.toISOString(),
    updated_at: p.updatedAt.toISOString(),
    closed_at: iso(p.closedAt),
    deleted_at: iso(p.deletedAt),
    sync: syncInfo(p),
  };
}

export function toProjectFieldDto(field: ProjectField): ProjectFieldDto {
  return {
    id: field.id,
    node_id: field.nodeId,
    name: field.name,
    data_type: field.dataType,
    options: field.options,
    configuration: field.configuration,
  };
}
