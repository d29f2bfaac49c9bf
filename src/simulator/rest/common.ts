/** Helpers shared by REST handlers: repository resolution (404/301/307), the acting user, body parsing. */
import { badRequest, HttpError, notFound, requiresAuth } from "../errors.ts";
import type { RouteContext } from "../router.ts";
import type { SimRepo } from "../types.ts";

/**
 * The repository named by the path. A former name answers 301 for GET and 307 otherwise, to
 * `/repositories/{id}` plus the rest of the path (real capture: rename-repository).
 */
export function repoFor(rc: RouteContext): SimRepo {
  const store = rc.core.ctx.store;
  let repo: SimRepo | undefined;
  const rid = rc.params.repository_id;
  if (rid !== undefined) {
    repo = store.repos.get(Number(rid));
  } else {
    const found = store.findRepo(rc.params.owner ?? "", rc.params.repo ?? "");
    if (found?.moved) {
      const rest = rc.url.pathname.split("/").slice(4).join("/");
      const url = `${rc.core.ctx.urls.api}/repositories/${found.repo.id}${rest ? `/${rest}` : ""}${rc.url.search}`;
      const get = rc.req.method === "GET" || rc.req.method === "HEAD";
      throw new HttpError(
        get ? 301 : 307,
        {
          message: get ? "Moved Permanently" : "Temporary Redirect",
          url,
          documentation_url: "https://docs.github.com/rest",
        },
        { location: url },
      );
    }
    repo = found?.repo;
  }
  if (!repo) throw notFound();
  // Private repositories are 404, not 403, to callers without access (reference §5).
  if (repo.private && rc.cred.kind === "anonymous") throw notFound();
  if (rc.cred.kind === "installation" && rc.cred.installationId !== null) {
    const inst = store.installations.get(rc.cred.installationId);
    const covered =
      inst &&
      inst.accountId === repo.ownerId &&
      (inst.repositorySelection === "all" || inst.repositoryIds.includes(repo.id));
    if (!covered) throw notFound();
  }
  return repo;
}

/** The user a write is attributed to; anonymous writes need authentication. */
export function actorId(rc: RouteContext): number {
  if (!rc.cred.user) throw requiresAuth();
  return rc.cred.user.id;
}

export async function bodyObject(rc: RouteContext): Promise<Record<string, unknown>> {
  const b = await rc.json();
  if (!b || typeof b !== "object" || Array.isArray(b)) throw badRequest("Problems parsing JSON");
  return b as Record<string, unknown>;
}

export function intParam(rc: RouteContext, name: string): number {
  const v = rc.params[name] ?? "";
  if (!/^\d+$/.test(v)) throw notFound();
  return Number(v);
}

/** Link headers point at `/repositories/{id}/…` like GitHub's, so they survive a rename. */
export function linkBase(rc: RouteContext, repo: SimRepo, suffix: string): string {
  return `${rc.core.ctx.urls.api}/repositories/${repo.id}${suffix}`;
}
