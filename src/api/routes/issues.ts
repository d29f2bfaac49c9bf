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
import {
  IssueCloseBody,
  IssueCloseQuery,
  IssueCreateBody,
  IssueUpdateBody,
  ifMatchDescription,
  readSecurity,
  writeErrors,
  writeSecurity,
} from "../models/writes.ts";
import { invalidField, notFound } from "../problem.ts";
import { accepted, etag, jsonBody, writeContext } from "../writes/common.ts";
import { createIssue, updateIssue } from "../writes/issues.ts";

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
      async ({ params, set }) => {
        const row = await getIssue(deps.db, params.id);
        if (!row) throw notFound("Issue", params.id);
        set.headers.etag = etag(row.syncVersion);
        return toIssueDto(row);
      },
      {
        params: IdParams,
        response: { 200: IssueModel, ...errorResponses },
        detail: {
          summary: "Get one mirrored issue",
          description: 'ETag: W/"<version>", for If-Match on a later write.',
          security: readSecurity,
        },
      },
    )
    .post(
      "",
      async ({ body, request, set }) => {
        const write = await createIssue(deps.db, body, writeContext(request));
        accepted(deps, set, { repositoryId: write.repositoryId, version: write.row.syncVersion });
        return toIssueDto(write.row);
      },
      {
        parse: jsonBody(IssueCreateBody),
        body: IssueCreateBody,
        response: { 202: IssueModel, ...writeErrors },
        detail: {
          summary: "Create an issue",
          description:
            "Stored at once as pending (no number yet) and queued for GitHub; 202 with the row. The repository must be tracked and enabled.",
          security: writeSecurity,
        },
      },
    )
    .put(
      "/:id",
      async ({ params, body, request, set }) => {
        const write = await updateIssue(deps.db, params.id, body, writeContext(request));
        accepted(deps, set, { repositoryId: write.repositoryId, version: write.row.syncVersion });
        return toIssueDto(write.row);
      },
      {
        params: IdParams,
        parse: jsonBody(IssueUpdateBody),
        body: IssueUpdateBody,
        response: { 202: IssueModel, ...writeErrors },
        detail: {
          summary: "Update an issue",
          description: `Only the fields sent change; labels and assignees replace the sets. The row turns pending and the change is queued for GitHub, where it is merged field by field. ${ifMatchDescription}`,
          security: writeSecurity,
        },
      },
    )
    .delete(
      "/:id",
      async ({ params, body, query, request, set }) => {
        if (body?.state_reason && query.state_reason && body.state_reason !== query.state_reason) {
          throw invalidField("state_reason", "given differently in the query and the body");
        }
        const stateReason = body?.state_reason ?? query.state_reason ?? "completed";
        const write = await updateIssue(
          deps.db,
          params.id,
          { state: "closed", state_reason: stateReason },
          writeContext(request),
        );
        accepted(deps, set, { repositoryId: write.repositoryId, version: write.row.syncVersion });
        return toIssueDto(write.row);
      },
      {
        params: IdParams,
        query: IssueCloseQuery,
        parse: jsonBody(IssueCloseBody),
        body: t.Optional(IssueCloseBody),
        response: { 202: IssueModel, ...writeErrors },
        detail: {
          summary: "Close an issue",
          description: `GitHub's API cannot delete issues: this closes it, with state_reason (completed by default) from the body or the query. ${ifMatchDescription}`,
          security: writeSecurity,
        },
      },
    );
}
