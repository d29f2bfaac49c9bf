import { Elysia, t } from "elysia";
import { getIssue, listIssues } from "../../db/queries/issues.ts";
import type { ApiDeps } from "../deps.ts";
import {
  Direction,
  errorResponses,
  IdParams,
  PageQuery,
  pagination,
  RepositoryName,
  splitList,
} from "../models/common.ts";
import { IssueList, IssueModel, toIssueDto } from "../models/issue.ts";
import { notFound } from "../problem.ts";

const IssueQuery = t.Object({
  repository: t.Optional(RepositoryName),
  state: t.Optional(
    t.Union([t.Literal("open"), t.Literal("closed"), t.Literal("all")], {
      default: "all",
      description: "Default all",
    }),
  ),
  labels: t.Optional(
    t.String({ description: "Comma-separated label names; an issue must carry all of them" }),
  ),
  assignee: t.Optional(
    t.String({ minLength: 1, description: "A login, `none` for unassigned, `*` for any" }),
  ),
  milestone: t.Optional(
    t.String({ pattern: "^([0-9]+|none|\\*)$", description: "A milestone number, `none` or `*`" }),
  ),
  updated_since: t.Optional(
    t.String({ format: "date-time", description: "Only issues updated at or after this time (ISO 8601)" }),
  ),
  q: t.Optional(
    t.String({ minLength: 1, maxLength: 256, description: "Case-insensitive substring of the title" }),
  ),
  include_deleted: t.Optional(t.Boolean({ default: false, description: "Include issues deleted on GitHub" })),
  sort: t.Optional(
    t.Union([t.Literal("created"), t.Literal("updated"), t.Literal("number"), t.Literal("title")], {
      default: "created",
    }),
  ),
  direction: t.Optional(Direction),
  ...PageQuery,
});

export function issueRoutes(deps: ApiDeps) {
  return new Elysia({ prefix: "/issues", tags: ["issues"] })
    .get(
      "",
      async ({ query }) => {
        const page = { page: query.page ?? 1, perPage: query.per_page ?? 20 };
        const { rows, total } = await listIssues(
          deps.db,
          {
            repository: query.repository,
            state: query.state,
            labels: splitList(query.labels),
            assignee: query.assignee,
            milestone: query.milestone,
            updatedSince: query.updated_since ? new Date(query.updated_since) : undefined,
            q: query.q,
            includeDeleted: query.include_deleted,
            sort: query.sort,
            direction: query.direction,
          },
          page,
        );
        return { data: rows.map(toIssueDto), pagination: pagination(page.page, page.perPage, total) };
      },
      {
        query: IssueQuery,
        response: { 200: IssueList, 422: errorResponses[422] },
        detail: {
          summary: "List mirrored issues",
          description:
            "Issues of tracked repositories as mirrored locally (pull requests are not issues here). Filters combine with AND.",
        },
      },
    )
    .get(
      "/:id",
      async ({ params }) => {
        const row = await getIssue(deps.db, params.id);
        if (!row) throw notFound("Issue", params.id);
        return toIssueDto(row);
      },
      {
        params: IdParams,
        response: { 200: IssueModel, ...errorResponses },
        detail: { summary: "Get one mirrored issue" },
      },
    );
}
