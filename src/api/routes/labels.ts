/**
 * Labels, read-only: the mirror of each repository's labels (name, color, description), tombstoned when GitHub
 * deletes one. Issues carry label names; this is where their colors and descriptions are.
 */
import { Elysia, t } from "elysia";
import { getLabel, listLabels } from "../../db/queries/labels.ts";
import type { ApiDeps } from "../deps.ts";
import { errorResponses, IdParams, PageQuery, pagination, RepositoryName } from "../models/common.ts";
import { LabelList, LabelModel, toLabelDto } from "../models/label.ts";
import { readSecurity } from "../models/writes.ts";
import { notFound } from "../problem.ts";

const LabelQuery = t.Object({
  repository: t.Optional(RepositoryName),
  q: t.Optional(
    t.String({
      minLength: 1,
      maxLength: 256,
      description: "Case-insensitive substring of the name or the description",
    }),
  ),
  include_deleted: t.Optional(t.Boolean({ default: false })),
  ...PageQuery,
});

export function labelRoutes(deps: ApiDeps) {
  return new Elysia({ prefix: "/labels", tags: ["labels"] })
    .get(
      "",
      async ({ query }) => {
        const page = { page: query.page ?? 1, perPage: query.per_page ?? 20 };
        const { rows, total } = await listLabels(
          deps.db,
          { repository: query.repository, q: query.q, includeDeleted: query.include_deleted },
          page,
        );
        return { data: rows.map(toLabelDto), pagination: pagination(page.page, page.perPage, total) };
      },
      {
        query: LabelQuery,
        response: { 200: LabelList, 422: errorResponses[422] },
        detail: { summary: "List mirrored labels (by repository, then name)", security: readSecurity },
      },
    )
    .get(
      "/:id",
      async ({ params }) => {
        const row = await getLabel(deps.db, params.id);
        if (!row) throw notFound("Label", params.id);
        return toLabelDto(row);
      },
      {
        params: IdParams,
        response: { 200: LabelModel, ...errorResponses },
        detail: { summary: "Get one label", security: readSecurity },
      },
    );
}
