/** Webhook payload envelopes: the keys every event shares (repository, organization, sender). */
import type { Ctx } from "../context.ts";
import { type Json, orgJson, repoJson, userJson } from "../serialize.ts";
import type { SimRepo } from "../types.ts";

export function repoEnvelope(ctx: Ctx, repo: SimRepo, senderId: number): Json {
  const owner = ctx.store.userById(repo.ownerId);
  return {
    repository: repoJson(ctx.store, repo, ctx.urls),
    ...(owner.type === "Organization" ? { organization: orgJson(owner, ctx.urls) } : {}),
    sender: userJson(ctx.store.userById(senderId), ctx.urls),
  };
}

/** projects_v2 and projects_v2_item events are organization-level: no `repository` key. */
export function orgEnvelope(ctx: Ctx, ownerId: number, senderId: number): Json {
  return {
    organization: orgJson(ctx.store.userById(ownerId), ctx.urls),
    sender: userJson(ctx.store.userById(senderId), ctx.urls),
  };
}
