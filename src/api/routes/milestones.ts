import { Elysia, t } from "elysia";
import { getMilestone, listMilestones } from "../../db/queries/milestones.ts";
import type { ApiDeps } from "../deps.ts";
import {
  Direction,
  errorResponses,
  IdParams,
  PageQuery,
  pagination,
  RepositoryName,
} from "../models/common.ts";
import { MilestoneList, MilestoneModel, toMilestoneDto } from "../models/milestone.ts";
import {
  ifMatchDescription,
  MilestoneCreateBody,
  MilestoneUpdateBody,
  readSecurity,
  writeErrors,
  writeSecurity,
} from "../models/writes.ts";
import { notFound } from "../problem.ts";
import { accepted, etag, jsonBody, writeContext } from "../writes/common.ts";
import { createMilestone, updateMilestone } from "../writes/milestones.ts";

const MilestoneQuery = t.Object({
  repository: t.Optional(RepositoryName),
  state: t.Optional(t.Union([t.Literal("open"), t.Literal("closed"), t.Literal("all")], { default: "all" })),
  q: t.Optional(
    t.String({ minLength: 1, maxLength: 256, description: "Case-insensitive substring of the title" }),
  ),
  include_deleted: t.Optional(t.Boolean({ default: false })),
  sort: t.Optional(
    t.Union(
      [
        t.Literal("due_on"),
        t.Literal("created"),
        t.Literal("updated"),
        t.Literal("number"),
        t.Literal("title"),
      ],
      { default: "due_on" },
    ),
  ),
  direction: t.Optional(t.Union([t.Literal("asc"), t.Literal("desc")], { ...Direction, default: "asc" })),
  ...PageQuery,
});

export function milestoneRoutes(deps: ApiDeps) {
  return new Elysia({ prefix: "/milestones", tags: ["milestones"] })
    .get(
      "",
      async ({ query }) => {
        const page = { page: query.page ?? 1, perPage: query.per_page ?? 20 };
        const { rows, total } = await listMilestones(
          deps.db,
          {
            repository: query.repository,
            state: query.state,
            q: query.q,
            includeDeleted: query.include_deleted,
            sort: query.sort,
            direction: query.direction,
          },
          page,
        );
        return { data: rows.map(toMilestoneDto), pagination: pagination(page.page, page.perPage, total) };
      },
      {
        query: MilestoneQuery,
        response: { 200: MilestoneList, 422: errorResponses[422] },
        detail: { summary: "List mirrored milestones" },
      },
    )
    .get(
      "/:id",
      async ({ params, set }) => {
        const row = await getMilestone(deps.db, params.id);
        if (!row) throw notFound("Milestone", params.id);
        set.headers.etag = etag(row.syncVersion);
        return toMilestoneDto(row);
      },
      {
        params: IdParams,
        response: { 200: MilestoneModel, ...errorResponses },
        detail: {
          summary: "Get one milestone",
          description: 'ETag: W/"<version>", for If-Match on a later write.',
          security: readSecurity,
        },
      },
    )
    .post(
      "",
      async ({ body, request, set }) => {
        const write = await createMilestone(deps.db, body, writeContext(request));
        accepted(deps, set, { repositoryId: write.repositoryId, version: write.row.syncVersion });
        return toMilestoneDto(write.row);
      },
      {
        parse: jsonBody(MilestoneCreateBody),
        body: MilestoneCreateBody,
        response: { 202: MilestoneModel, ...writeErrors },
        detail: {
          summary: "Create a milestone",
          description:
            "Stored at once as pending (no number yet) and queued for GitHub; 202 with the row. Titles are unique per repository.",
          security: writeSecurity,
        },
      },
    )
    .put(
      "/:id",
      async ({ params, body, request, set }) => {
        const write = await updateMilestone(deps.db, params.id, body, writeContext(request));
        accepted(deps, set, { repositoryId: write.repositoryId, version: write.row.syncVersion });
        return toMilestoneDto(write.row);
      },
      {
        params: IdParams,
        parse: jsonBody(MilestoneUpdateBody),
        body: MilestoneUpdateBody,
        response: { 202: MilestoneModel, ...writeErrors },
        detail: {
          summary: "Update a milestone",
          description: `Only the fields sent change; the row turns pending and the change is queued for GitHub. ${ifMatchDescription}`,
          security: writeSecurity,
        },
      },
    )
    .delete(
      "/:id",
      async ({ params, request, set }) => {
        const write = await updateMilestone(deps.db, params.id, { state: "closed" }, writeContext(request));
        accepted(deps, set, { repositoryId: write.repositoryId, version: write.row.syncVersion });
        return toMilestoneDto(write.row);
      },
      {
        params: IdParams,
        response: { 202: MilestoneModel, ...writeErrors },
        detail: {
          summary: "Close a milestone",
          description: `Closes it (a closed milestone keeps its issues); queued for GitHub. ${ifMatchDescription}`,
          security: writeSecurity,
        },
      },
    );
}
