/** REST: repository labels CRUD. */
import { createLabel, deleteLabel, getLabel, updateLabel } from "../domain/labels.ts";
import { notFound } from "../errors.ts";
import { linkHeader, linkHeaders, pageParams, slicePage } from "../pagination.ts";
import type { Router } from "../router.ts";
import { labelJson } from "../serialize.ts";
import { actorId, bodyObject, linkBase, repoFor } from "./common.ts";

export function registerLabelRoutes(router: Router): void {
  router.repo("GET", "/labels", (rc) => {
    const ctx = rc.core.ctx;
    const repo = repoFor(rc);
    const all = [...repo.labels.values()];
    const p = pageParams(rc.url);
    const link = linkHeader(linkBase(rc, repo, "/labels"), rc.url.searchParams, p, all.length);
    return {
      status: 200,
      body: slicePage(all, p).map((l) => labelJson(ctx.store, l, ctx.urls)),
      headers: linkHeaders(link),
    };
  });

  router.repo(
    "POST",
    "/labels",
    async (rc) => {
      const ctx = rc.core.ctx;
      const repo = repoFor(rc);
      const label = createLabel(ctx, repo, actorId(rc), await bodyObject(rc));
      const body = labelJson(ctx.store, label, ctx.urls);
      return { status: 201, body, headers: { location: String(body.url) } };
    },
    { creates: true },
  );

  router.repo("GET", "/labels/{name}", (rc) => {
    const ctx = rc.core.ctx;
    const label = getLabel(repoFor(rc), rc.params.name ?? "");
    return { status: 200, body: labelJson(ctx.store, label, ctx.urls) };
  });

  router.repo("PATCH", "/labels/{name}", async (rc) => {
    const ctx = rc.core.ctx;
    const repo = repoFor(rc);
    const sender = actorId(rc);
    const input = await bodyObject(rc);
    const label = getLabel(repo, rc.params.name ?? "");
    updateLabel(ctx, repo, label, sender, input);
    return { status: 200, body: labelJson(ctx.store, label, ctx.urls) };
  });

  router.repo("DELETE", "/labels/{name}", (rc) => {
    const repo = repoFor(rc);
    const sender = actorId(rc);
    const name = rc.params.name;
    if (name === undefined) throw notFound();
    deleteLabel(rc.core.ctx, repo, getLabel(repo, name), sender);
    return { status: 204 };
  });
}
