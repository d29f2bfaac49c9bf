import { Elysia, t } from "elysia";
import { listRepositories } from "../../db/queries/repositories.ts";
import type { ApiDeps } from "../deps.ts";
import { errorResponses, PageQuery, pagination } from "../models/common.ts";
import { RepositoryList, toRepositoryDto } from "../models/repository.ts";

export function repositoryRoutes(deps: ApiDeps) {
  return new Elysia({ prefix: "/repositories", tags: ["repositories"] }).get(
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
  );
}
