/** REST: repositories, the authenticated user, and GET /rate_limit (free against the primary limit). */
import { notFound, requiresAuth } from "../errors.ts";
import type { Resource } from "../rate-limit.ts";
import type { Router } from "../router.ts";
import { fullRepoJson, publicUserJson } from "../serialize.ts";
import { repoFor } from "./common.ts";

export function registerRepoRoutes(router: Router): void {
  router.repo("GET", "", (rc) => {
    const ctx = rc.core.ctx;
    const repo = repoFor(rc);
    return { status: 200, body: fullRepoJson(ctx.store, repo, ctx.urls), lastModified: repo.updatedAt };
  });

  router.add("GET", "/user", (rc) => {
    if (!rc.cred.user || rc.cred.kind !== "token") throw requiresAuth();
    return { status: 200, body: publicUserJson(rc.cred.user, rc.core.ctx.urls) };
  });

  router.add("GET", "/users/{username}", (rc) => {
    const u = rc.core.ctx.store.usersByLogin.get((rc.params.username ?? "").toLowerCase());
    if (!u) throw notFound();
    return { status: 200, body: publicUserJson(u, rc.core.ctx.urls) };
  });

  router.add(
    "GET",
    "/rate_limit",
    (rc) => {
      const l = rc.core.limiter;
      const one = (r: Resource) => {
        const b = l.bucket(rc.cred.key, r);
        return {
          limit: b.limit,
          used: b.used,
          remaining: l.remaining(b),
          reset: Math.ceil(b.resetAt / 1000),
        };
      };
      const core = one("core");
      return {
        status: 200,
        body: { resources: { core, graphql: one("graphql"), search: one("search") }, rate: core },
      };
    },
    { free: true },
  );
}
