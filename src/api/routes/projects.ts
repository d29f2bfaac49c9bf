import { Elysia, t } from "elysia";
import { getProject, listProjects } from "../../db/queries/projects.ts";
import type { ApiDeps } from "../deps.ts";
import {
  Direction,
  errorResponses,
  IdParams,
  PageQuery,
  pagination,
  RepositoryName,
} from "../models/common.ts";
import { ProjectDetailModel, ProjectList, toProjectDto, toProjectFieldDto } from "../models/project.ts";
import { notFound } from "../problem.ts";

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
      async ({ params }) => {
        const row = await getProject(deps.db, params.id);
        if (!row) throw notFound("Project", params.id);
        return {
          ...toProjectDto(row),
          readme: row.project.readme,
          fields: row.fields.map(toProjectFieldDto),
        };
      },
      {
        params: IdParams,
        response: { 200: ProjectDetailModel, ...errorResponses },
        detail: { summary: "Get one project with its fields and item count" },
      },
    );
}
