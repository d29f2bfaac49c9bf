/**
 * Labels: the mirror of each repository's labels (name, color, description), tombstoned when GitHub deletes
 * one, and local writes pushed to GitHub. Issues carry label names; this is where their colors and
 * descriptions are.
 */
import { Elysia, t } from "elysia";
import { getLabel, listLabels } from "../../db/queries/labels.ts";
import type { ApiDeps } from "../deps.ts";
import { errorResponses, IdParams, PageQuery, pagination, RepositoryName } from "../models/common.ts";
import { LabelList, LabelModel, toLabelDto } from "../models/label.ts";
import {
  ifMatchDescription,
  LabelCreateBody,
  LabelUpdateBody,
  readSecurity,
  writeErrors,
  writeSecurity,
} from "../models/writes.ts";
import { notFound } from "../problem.ts";
import { accepted, etag, jsonBody, writeContext } from "../writes/common.ts";
import { createLabel, deleteLabel, updateLabel } from "../writes/labels.ts";

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
      async ({ params, set }) => {
        const row = await getLabel(deps.db, params.id);
        if (!row) throw notFound("Label", params.id);
        set.headers.etag = etag(row.syncVersion);
        return toLabelDto(row);
      },
      {
        params: IdParams,
        response: { 200: LabelModel, ...errorResponses },
        detail: {
          summary: "Get one label",
          description: 'ETag: W/"<version>", for If-Match on a later write.',
          security: readSecurity,
        },
      },
    )
    .post(
      "",
      async ({ body, request, set }) => {
        const write = await createLabel(deps.db, body, writeContext(request));
        accepted(deps, set, { repositoryId: write.repositoryId, version: write.row.syncVersion });
        return toLabelDto(write.row);
      },
      {
        parse: jsonBody(LabelCreateBody),
        body: LabelCreateBody,
        response: { 202: LabelModel, ...writeErrors },
        detail: {
          summary: "Create a label",
          description:
            "Stored at once as pending and queued for GitHub; 202 with the row. Names are unique per repository (case-insensitive); the colour defaults to ededed.",
          security: writeSecurity,
        },
      },
    )
    .put(
      "/:id",
      async ({ params, body, request, set }) => {
        const write = await updateLabel(deps.db, params.id, body, writeContext(request));
        accepted(deps, set, { repositoryId: write.repositoryId, version: write.row.syncVersion });
        return toLabelDto(write.row);
      },
      {
        params: IdParams,
        parse: jsonBody(LabelUpdateBody),
        body: LabelUpdateBody,
        response: { 202: LabelModel, ...writeErrors },
        detail: {
          summary: "Rename, recolour or describe a label",
          description: `Only the fields sent change; the change is queued for GitHub and merged field by field (name and description edited on both sides become a conflict). Issues show a new name once GitHub has it. ${ifMatchDescription}`,
          security: writeSecurity,
        },
      },
    )
    .delete(
      "/:id",
      async ({ params, request, set }) => {
        const write = await deleteLabel(deps.db, params.id, writeContext(request));
        accepted(deps, set, { repositoryId: write.repositoryId, version: write.row.syncVersion });
        return toLabelDto(write.row);
      },
      {
        params: IdParams,
        response: { 202: LabelModel, ...writeErrors },
        detail: {
          summary: "Delete a label",
          description: `Queued for GitHub, which removes it from every issue; then the row is a tombstone (deleted_at) and the issues lose the name. ${ifMatchDescription}`,
          security: writeSecurity,
        },
      },
    );
}
