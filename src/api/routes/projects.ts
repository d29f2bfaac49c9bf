import { Elysia, t } from "elysia";
import { getProject, getProjectItem, listProjectItems, listProjects } from "../../db/queries/projects.ts";
import type { ApiDeps } from "../deps.ts";
import {
  Direction,
  errorResponses,
  IdParams,
  PageQuery,
  Pagination,
  pagination,
  RepositoryName,
} from "../models/common.ts";
import { ProjectDetailModel, ProjectList, toProjectDto, toProjectFieldDto } from "../models/project.ts";
import { ProjectItemModel, toProjectItemDto } from "../models/project-item.ts";
import {
  ItemParams,
  ifMatchDescription,
  ProjectCreateBody,
  ProjectItemCreateBody,
  ProjectItemUpdateBody,
  ProjectUpdateBody,
  readSecurity,
  writeErrors,
  writeSecurity,
} from "../models/writes.ts";
import { notFound } from "../problem.ts";
import { accepted, etag, jsonBody, writeContext } from "../writes/common.ts";
import { addProjectItem, setItemFieldValues } from "../writes/project-items.ts";
import { createProject, type ProjectWrite, updateProject } from "../writes/projects.ts";

const ProjectQuery = t.Object({
  owner: t.Optional(t.String({ minLength: 1, maxLength: 39, description: "Organization or user login" })),
  repository: t.Optional(RepositoryName),
  state: t.Optional(t.Union([t.Literal("open"), t.Literal("closed"), t.Literal("all")], { default: "all" })),
  q: t.Optional(
    t.String({ minLength: 1, maxLength: 256, description: "Case-insensitive substring of the title" }),
  ),
  include_deleted: t.Optional(t.Boolean({ default: false })),
  sort: t.Optional(
    t.Union([t.Literal("created"), t.Literal("updated"), t.Literal("number"), t.Literal("title")], {
      default: "updated",
    }),
  ),
  direction: t.Optional(Direction),
  ...PageQuery,
});

function detailDto(row: ProjectWrite["project"]) {
  return { ...toProjectDto(row), readme: row.project.readme, fields: row.fields.map(toProjectFieldDto) };
}

export function projectRoutes(deps: ApiDeps) {
  return new Elysia({ prefix: "/projects", tags: ["projects"] })
    .get(
      "",
      async ({ query }) => {
        const page = { page: query.page ?? 1, perPage: query.per_page ?? 20 };
        const { rows, total } = await listProjects(
          deps.db,
          {
            owner: query.owner,
            repository: query.repository,
            state: query.state,
            q: query.q,
            includeDeleted: query.include_deleted,
            sort: query.sort,
            direction: query.direction,
          },
          page,
        );
        return { data: rows.map(toProjectDto), pagination: pagination(page.page, page.perPage, total) };
      },
      {
        query: ProjectQuery,
        response: { 200: ProjectList, 422: errorResponses[422] },
        detail: {
          summary: "List mirrored Projects (v2)",
          description: "Owner-level Projects v2 linked to tracked repositories, each with its item count.",
        },
      },
    )
    .get(
      "/:id",
      async ({ params, set }) => {
        const row = await getProject(deps.db, params.id);
        if (!row) throw notFound("Project", params.id);
        set.headers.etag = etag(row.project.syncVersion);
        return detailDto(row);
      },
      {
        params: IdParams,
        response: { 200: ProjectDetailModel, ...errorResponses },
        detail: {
          summary: "Get one project with its fields and item count",
          description: 'ETag: W/"<version>", for If-Match on a later write.',
          security: readSecurity,
        },
      },
    )
    .post(
      "",
      async ({ body, request, set }) => {
        const write = await createProject(deps.db, body, writeContext(request));
        accepted(deps, set, { repositoryId: write.repositoryId, version: write.project.project.syncVersion });
        return detailDto(write.project);
      },
      {
        parse: jsonBody(ProjectCreateBody),
        body: ProjectCreateBody,
        response: { 202: ProjectDetailModel, ...writeErrors },
        detail: {
          summary: "Create a project (v2)",
          description:
            "For an owner that has a tracked repository (or a mirrored project); linked to `repository` when given. Stored as pending and queued for GitHub.",
          security: writeSecurity,
        },
      },
    )
    .put(
      "/:id",
      async ({ params, body, request, set }) => {
        const write = await updateProject(deps.db, params.id, body, writeContext(request));
        accepted(deps, set, { repositoryId: write.repositoryId, version: write.project.project.syncVersion });
        return detailDto(write.project);
      },
      {
        params: IdParams,
        parse: jsonBody(ProjectUpdateBody),
        body: ProjectUpdateBody,
        response: { 202: ProjectDetailModel, ...writeErrors },
        detail: {
          summary: "Update a project (v2)",
          description: `Title, short description, readme, visibility, closed. Queued for GitHub through the project's first linked tracked repository. ${ifMatchDescription}`,
          security: writeSecurity,
        },
      },
    )
    .delete(
      "/:id",
      async ({ params, request, set }) => {
        const write = await updateProject(deps.db, params.id, { closed: true }, writeContext(request));
        accepted(deps, set, { repositoryId: write.repositoryId, version: write.project.project.syncVersion });
        return detailDto(write.project);
      },
      {
        params: IdParams,
        response: { 202: ProjectDetailModel, ...writeErrors },
        detail: {
          summary: "Close a project (v2)",
          description: `Closes it (GitHub keeps closed projects); queued for GitHub. ${ifMatchDescription}`,
          security: writeSecurity,
        },
      },
    )
    .get(
      "/:id/items",
      async ({ params, query }) => {
        const project = await getProject(deps.db, params.id);
        if (!project) throw notFound("Project", params.id);
        const page = { page: query.page ?? 1, perPage: query.per_page ?? 20 };
        const { rows, total } = await listProjectItems(
          deps.db,
          params.id,
          {
            archived: query.archived,
            contentType: query.content_type,
            includeDeleted: query.include_deleted,
          },
          page,
        );
        return { data: rows.map(toProjectItemDto), pagination: pagination(page.page, page.perPage, total) };
      },
      {
        params: IdParams,
        query: t.Object({
          archived: t.Optional(
            t.Boolean({ description: "Only archived (true) or only active (false) items" }),
          ),
          content_type: t.Optional(
            t.Union([
              t.Literal("Issue"),
              t.Literal("PullRequest"),
              t.Literal("DraftIssue"),
              t.Literal("Redacted"),
            ]),
          ),
          include_deleted: t.Optional(t.Boolean({ default: false })),
          ...PageQuery,
        }),
        response: {
          200: t.Object({ data: t.Array(ProjectItemModel), pagination: Pagination }),
          ...errorResponses,
        },
        detail: {
          summary: "List a project's items with their field values",
          description: "Field values are keyed by field node id; GET /projects/{id} names the fields.",
          security: readSecurity,
        },
      },
    )
    .get(
      "/:id/items/:itemId",
      async ({ params, set }) => {
        const row = await getProjectItem(deps.db, params.id, params.itemId);
        if (!row) throw notFound("Project item", params.itemId);
        set.headers.etag = etag(row.syncVersion);
        return toProjectItemDto(row);
      },
      {
        params: ItemParams,
        response: { 200: ProjectItemModel, ...errorResponses },
        detail: {
          summary: "Get one project item",
          description: 'ETag: W/"<version>", for If-Match on a later write.',
          security: readSecurity,
        },
      },
    )
    .post(
      "/:id/items",
      async ({ params, body, request, set }) => {
        const write = await addProjectItem(deps.db, params.id, body.issue_id, writeContext(request));
        accepted(deps, set, { repositoryId: write.repositoryId, version: write.row.syncVersion });
        return toProjectItemDto(write.row);
      },
      {
        params: IdParams,
        parse: jsonBody(ProjectItemCreateBody),
        body: ProjectItemCreateBody,
        response: { 202: ProjectItemModel, ...writeErrors },
        detail: {
          summary: "Add an issue to a project",
          description:
            "The issue must already be on GitHub (have a node id), and the project too (409 otherwise). Stored as a pending item and queued.",
          security: writeSecurity,
        },
      },
    )
    .put(
      "/:id/items/:itemId",
      async ({ params, body, request, set }) => {
        const write = await setItemFieldValues(
          deps.db,
          params.id,
          params.itemId,
          body.field_values,
          writeContext(request),
        );
        accepted(deps, set, { repositoryId: write.repositoryId, version: write.row.syncVersion });
        return toProjectItemDto(write.row);
      },
      {
        params: ItemParams,
        parse: jsonBody(ProjectItemUpdateBody),
        body: ProjectItemUpdateBody,
        response: { 202: ProjectItemModel, ...writeErrors },
        detail: {
          summary: "Set an item's field values",
          description: `Fields by node id or name. Writable types: TEXT, NUMBER, DATE, SINGLE_SELECT, ITERATION (GitHub derives the others from the content). null clears a value. If-Match compares the item's version (sync.version in this answer). ${ifMatchDescription}`,
          security: writeSecurity,
        },
      },
    );
}
