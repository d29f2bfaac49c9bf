/** REST: repository and organization hooks, and the deliveries API (list with status/cursor, get, redeliver). */
import { iso } from "../clock.ts";
import type { Ctx } from "../context.ts";
import { badRequest, HttpError, notFound, validationFailed } from "../errors.ts";
import type { Reply, RouteContext, Router } from "../router.ts";
import type { Json } from "../serialize.ts";
import type { SimDelivery, SimHook } from "../types.ts";
import { actorId, bodyObject, intParam, repoFor } from "./common.ts";

export function hookJson(ctx: Ctx, h: SimHook): Json {
  const base =
    h.repoId !== null
      ? `${ctx.urls.api}/repos/${ctx.store.fullName(ctx.store.repoById(h.repoId))}/hooks/${h.id}`
      : `${ctx.urls.api}/orgs/${ctx.store.userById(h.orgId ?? 0).login}/hooks/${h.id}`;
  const last = [...ctx.store.deliveries.values()].filter((d) => d.hookId === h.id && !d.pending).at(-1);
  return {
    type: h.repoId !== null ? "Repository" : "Organization",
    id: h.id,
    name: "web",
    active: h.active,
    events: h.events,
    config: {
      url: h.url,
      content_type: "json",
      insecure_ssl: "0",
      ...(h.secret ? { secret: "********" } : {}),
    },
    updated_at: iso(h.updatedAt),
    created_at: iso(h.createdAt),
    url: base,
    test_url: `${base}/test`,
    ping_url: `${base}/pings`,
    deliveries_url: `${base}/deliveries`,
    last_response: last
      ? {
          code: last.statusCode || null,
          status: last.status === "OK" ? "active" : "failed",
          message: last.status,
        }
      : { code: null, status: "unused", message: null },
  };
}

export function deliveryItemJson(d: SimDelivery): Json {
  return {
    id: d.id,
    guid: d.guid,
    delivered_at: iso(d.deliveredAt),
    redelivery: d.redelivery,
    duration: d.duration,
    status: d.status,
    status_code: d.statusCode,
    event: d.event,
    action: d.action,
    installation_id: d.installationId,
    repository_id: d.repositoryId,
  };
}

export function deliveryJson(d: SimDelivery): Json {
  return {
    ...deliveryItemJson(d),
    url: "",
    request: { headers: d.requestHeaders, payload: JSON.parse(d.body) as Json },
    response: { headers: d.responseHeaders, payload: d.responseBody },
  };
}

/** Newest first; the cursor is the id of the last item seen, opaque to clients. */
export function listDeliveries(rc: RouteContext, hookId: number, linkPath: string): Reply {
  const q = rc.url.searchParams;
  const perPage = Math.min(100, Math.max(1, Number.parseInt(q.get("per_page") ?? "30", 10) || 30));
  const status = q.get("status");
  if (status !== null && status !== "success" && status !== "failure") throw badRequest("Invalid status");
  const cursor = q.get("cursor");
  let before = Number.POSITIVE_INFINITY;
  if (cursor) {
    const n = Number.parseInt(atob(cursor.replace(/-/g, "+").replace(/_/g, "/")).replace(/^d:/, ""), 10);
    if (!Number.isFinite(n))
      throw new HttpError(422, {
        message: "Invalid cursor",
        documentation_url: "https://docs.github.com/rest",
      });
    before = n;
  }
  const all = [...rc.core.ctx.store.deliveries.values()]
    .filter((d) => d.hookId === hookId && d.id < before && !d.pending)
    .filter((d) => status === null || (status === "success") === (d.statusCode >= 200 && d.statusCode < 300))
    .sort((a, b) => b.id - a.id);
  const page = all.slice(0, perPage);
  const headers: Record<string, string> = {};
  const last = page.at(-1);
  if (all.length > perPage && last) {
    const next = new URLSearchParams(q);
    next.set("per_page", String(perPage));
    next.set("cursor", btoa(`d:${last.id}`).replace(/=+$/, ""));
    headers.link = `<${rc.core.ctx.urls.api}${linkPath}?${next.toString()}>; rel="next"`;
  }
  return { status: 200, body: page.map(deliveryItemJson), headers };
}

export function findDelivery(rc: RouteContext, hookId: number): SimDelivery {
  const d = rc.core.ctx.store.deliveries.get(intParam(rc, "delivery_id"));
  if (!d || d.hookId !== hookId) throw notFound();
  return d;
}

export function redeliver(rc: RouteContext, d: SimDelivery): Reply {
  // GitHub keeps deliveries redeliverable for 3 days.
  if (rc.core.ctx.clock.now() - d.deliveredAt > 3 * 86_400_000) {
    throw validationFailed([
      { resource: "HookDelivery", code: "custom", message: "Delivery is too old to redeliver" },
    ]);
  }
  rc.core.webhooks.redeliver(d);
  return { status: 202, body: {} };
}

async function createHook(
  rc: RouteContext,
  scope: { repoId: number | null; orgId: number | null },
): Promise<Reply> {
  const ctx = rc.core.ctx;
  actorId(rc);
  const b = await bodyObject(rc);
  const config = (b.config ?? {}) as { url?: unknown; secret?: unknown };
  if (typeof config.url !== "string" || !/^https?:\/\//.test(config.url)) {
    throw validationFailed([{ resource: "Hook", code: "custom", message: "Config must contain a URL" }]);
  }
  const events = Array.isArray(b.events) ? b.events.map(String) : ["push"];
  const h = addHook(ctx, {
    ...scope,
    url: config.url,
    secret: typeof config.secret === "string" ? config.secret : null,
    events,
    active: b.active !== false,
  });
  return { status: 201, body: hookJson(ctx, h), headers: { location: String(hookJson(ctx, h).url) } };
}

export function addHook(
  ctx: Ctx,
  o: {
    repoId: number | null;
    orgId: number | null;
    url: string;
    secret: string | null;
    events: string[];
    active?: boolean;
  },
): SimHook {
  const now = ctx.clock.now();
  const h: SimHook = {
    id: ctx.store.id(),
    repoId: o.repoId,
    orgId: o.orgId,
    name: "web",
    url: o.url,
    secret: o.secret,
    events: o.events,
    active: o.active ?? true,
    createdAt: now,
    updatedAt: now,
  };
  ctx.store.hooks.set(h.id, h);
  return h;
}

function repoHook(rc: RouteContext): SimHook {
  const repo = repoFor(rc);
  const h = rc.core.ctx.store.hooks.get(intParam(rc, "hook_id"));
  if (!h || h.repoId !== repo.id) throw notFound();
  return h;
}

function orgHook(rc: RouteContext): SimHook {
  const org = rc.core.ctx.store.usersByLogin.get((rc.params.org ?? "").toLowerCase());
  const h = rc.core.ctx.store.hooks.get(intParam(rc, "hook_id"));
  if (!org || !h || h.orgId !== org.id) throw notFound();
  return h;
}

export function registerHookRoutes(router: Router): void {
  router.repo("GET", "/hooks", (rc) => {
    // Listing hooks needs a hook scope on a classic token; without one GitHub answers 404, not 403.
    const scopes = rc.cred.scopes;
    if (scopes && !scopes.some((s) => /^(admin|write|read):repo_hook$/.test(s))) throw notFound();
    const repo = repoFor(rc);
    const hooks = [...rc.core.ctx.store.hooks.values()].filter((h) => h.repoId === repo.id);
    return { status: 200, body: hooks.map((h) => hookJson(rc.core.ctx, h)) };
  });
  router.repo("POST", "/hooks", (rc) => createHook(rc, { repoId: repoFor(rc).id, orgId: null }));
  router.repo("GET", "/hooks/{hook_id}", (rc) => ({
    status: 200,
    body: hookJson(rc.core.ctx, repoHook(rc)),
  }));
  router.repo("DELETE", "/hooks/{hook_id}", (rc) => {
    rc.core.ctx.store.hooks.delete(repoHook(rc).id);
    return { status: 204 };
  });
  router.repo("GET", "/hooks/{hook_id}/deliveries", (rc) => {
    const h = repoHook(rc);
    return listDeliveries(rc, h.id, rc.url.pathname);
  });
  router.repo("GET", "/hooks/{hook_id}/deliveries/{delivery_id}", (rc) => ({
    status: 200,
    body: deliveryJson(findDelivery(rc, repoHook(rc).id)),
  }));
  router.repo("POST", "/hooks/{hook_id}/deliveries/{delivery_id}/attempts", (rc) =>
    redeliver(rc, findDelivery(rc, repoHook(rc).id)),
  );

  router.add("GET", "/orgs/{org}/hooks", (rc) => {
    const org = rc.core.ctx.store.usersByLogin.get((rc.params.org ?? "").toLowerCase());
    if (org?.type !== "Organization") throw notFound();
    const orgId = org.id;
    const hooks = [...rc.core.ctx.store.hooks.values()].filter((h) => h.orgId === orgId);
    return { status: 200, body: hooks.map((h) => hookJson(rc.core.ctx, h)) };
  });
  router.add("POST", "/orgs/{org}/hooks", (rc) => {
    const org = rc.core.ctx.store.usersByLogin.get((rc.params.org ?? "").toLowerCase());
    if (org?.type !== "Organization") throw notFound();
    return createHook(rc, { repoId: null, orgId: org.id });
  });
  router.add("GET", "/orgs/{org}/hooks/{hook_id}", (rc) => ({
    status: 200,
    body: hookJson(rc.core.ctx, orgHook(rc)),
  }));
  router.add("GET", "/orgs/{org}/hooks/{hook_id}/deliveries", (rc) =>
    listDeliveries(rc, orgHook(rc).id, rc.url.pathname),
  );
  router.add("GET", "/orgs/{org}/hooks/{hook_id}/deliveries/{delivery_id}", (rc) => ({
    status: 200,
    body: deliveryJson(findDelivery(rc, orgHook(rc).id)),
  }));
  router.add("POST", "/orgs/{org}/hooks/{hook_id}/deliveries/{delivery_id}/attempts", (rc) =>
    redeliver(rc, findDelivery(rc, orgHook(rc).id)),
  );
}
