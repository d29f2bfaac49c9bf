import { eq, sql } from "drizzle-orm";
import { Elysia, t } from "elysia";
import { getRepositoryByName, listRepositories } from "../../db/queries/repositories.ts";
import { repositories } from "../../db/schema.ts";
import type { ApiDeps } from "../deps.ts";
import { errorResponses, IdParams, PageQuery, pagination, RepositoryName } from "../models/common.ts";
import { RepositoryList, RepositoryModel, toRepositoryDto } from "../models/repository.ts";
import { notFound } from "../problem.ts";

export function repositoryRoutes(deps: ApiDeps) {
  return new Elysia({ prefix: "/repositories", tags: ["repositories"] })
    .get(
      "",
      async ({ query }) => {
        const page = { page: query.page ?? 1, perPage: query.per_page ?? 20 };
        const { rows, total } = await listRepositories(deps.db, page);
        return { data: rows.map(toRepositoryDto), pagination: pagination(page.page, page.perPage, total) };
      },
      {
        query: t.Object(PageQuery),
        response: { 200: RepositoryList, 422: errorResponses[422] },
        detail: {
          summary: "List tracked repositories",
          description:
            "Each with its lease (which replica drives it, at which epoch) and its sync high-water marks.",
        },
      },
    )
    .post(
      "",
      async ({ body, set }) => {
        const fullName = body.full_name.toLowerCase();
        const existing = await getRepositoryByName(deps.db, fullName);
        let row = existing;
        if (!existing) {
          const [owner = "", name = ""] = fullName.split("/");
          [row] = await deps.db
            .insert(repositories)
            .values({ fullName, owner, name })
            .onConflictDoNothing({ target: repositories.fullName })
            .returning();
          row ??= await getRepositoryByName(deps.db, fullName);
          set.status = 201;
        } else if (!existing.enabled) {
          [row] = await deps.db
            .update(repositories)
            .set({ enabled: true, updatedAt: sql`now()` })
            .where(eq(repositories.id, existing.id))
            .returning();
        }
        if (!row) throw new Error(`repository ${fullName} could not be tracked`);
        // Its actor is created by whichever replica the scheduler places it on, right away.
        await deps.runtime?.tracked(row.id);
        return toRepositoryDto(row);
      },
      {
        body: t.Object({ full_name: RepositoryName }),
        response: { 200: RepositoryModel, 201: RepositoryModel, 422: errorResponses[422] },
        detail: {
          summary: "Track a repository",
          description:
            "Adds (or re-enables) a repository; its actor starts on one replica and syncs at once. 201 when new, 200 when already tracked.",
        },
      },
    )
    .delete(
      "/:id",
      async ({ params }) => {
        const [row] = await deps.db
          .update(repositories)
          .set({ enabled: false, updatedAt: sql`now()` })
          .where(eq(repositories.id, params.id))
          .returning();
        if (!row) throw notFound("Repository", params.id);
        await deps.runtime?.tracked(row.id);
        return toRepositoryDto(row);
      },
      {
        params: IdParams,
        response: { 200: RepositoryModel, ...errorResponses },
        detail: {
          summary: "Stop tracking a repository",
          description: "Its actor stops; the mirrored rows stay. POST it again to resume.",
        },
      },
    );
}
