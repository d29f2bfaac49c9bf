/** REST: GitHub App endpoints (JWT) and installation endpoints (installation token). Reference §8. */
import { iso } from "../clock.ts";
import { HttpError, notFound } from "../errors.ts";
import { randomToken } from "../ids.ts";
import type { RouteContext, Router } from "../router.ts";
import { type Json, repoJson, userJson } from "../serialize.ts";
import type { SimInstallation } from "../types.ts";
import { deliveryJson, findDelivery, listDeliveries, redeliver } from "./hooks.ts";

const PERMISSIONS = {
  issues: "write",
  metadata: "read",
  pull_requests: "read",
  organization_projects: "write",
};
const EVENTS = ["issues", "label", "milestone", "projects_v2", "projects_v2_item"];
const TOKEN_TTL_MS = 3600_000;

function requireJwt(rc: RouteContext): void {
  if (rc.cred.kind !== "app") {
    throw new HttpError(401, {
      message: "A JSON web token could not be decoded",
      documentation_url: "https://docs.github.com/rest",
      status: "401",
    });
  }
}

function installationJson(rc: RouteContext, inst: SimInstallation): Json {
  const ctx = rc.core.ctx;
  const app = rc.core.app;
  const account = ctx.store.userById(inst.accountId);
  return {
    id: inst.id,
    // The published schema for this operation combines the user and enterprise account shapes (allOf), so the
    // account carries both sets of keys.
    account: {
      ...userJson(account, ctx.urls),
      name: account.login,
      slug: account.login.toLowerCase(),
      description: null,
      website_url: null,
      created_at: iso(inst.createdAt),
      updated_at: iso(inst.createdAt),
    },
    repository_selection: inst.repositorySelection,
    access_tokens_url: `${ctx.urls.api}/app/installations/${inst.id}/access_tokens`,
    repositories_url: `${ctx.urls.api}/installation/repositories`,
    html_url: `${ctx.urls.html}/organizations/${account.login}/settings/installations/${inst.id}`,
    app_id: app?.id ?? 0,
    client_id: app?.clientId,
    app_slug: app?.slug ?? "",
    target_id: account.id,
    target_type: account.type === "Organization" ? "Organization" : "User",
    permissions: PERMISSIONS,
    events: EVENTS,
    created_at: iso(inst.createdAt),
    updated_at: iso(inst.createdAt),
    single_file_name: null,
    has_multiple_single_files: false,
    single_file_paths: [],
    suspended_by: null,
    suspended_at: null,
  };
}

function installation(rc: RouteContext): SimInstallation {
  const inst = rc.core.ctx.store.installations.get(Number(rc.params.installation_id));
  if (!inst) throw notFound();
  return inst;
}

function appHookId(rc: RouteContext): number {
  for (const h of rc.core.ctx.store.hooks.values()) if (h.repoId === null && h.orgId === null) return h.id;
  throw notFound();
}

export function registerAppRoutes(router: Router): void {
  router.add("GET", "/app", (rc) => {
    requireJwt(rc);
    const ctx = rc.core.ctx;
    const app = rc.core.app;
    if (!app) throw notFound();
    const owner = ctx.store.user(app.owner, "Organization");
    return {
      status: 200,
      body: {
        id: app.id,
        slug: app.slug,
        client_id: app.clientId,
        node_id: `A_kwDO${app.id}`,
        owner: userJson(owner, ctx.urls),
        name: app.name,
        description: null,
        external_url: ctx.urls.html,
        html_url: `${ctx.urls.html}/apps/${app.slug}`,
        created_at: iso(0),
        updated_at: iso(0),
        permissions: PERMISSIONS,
        events: EVENTS,
        installations_count: ctx.store.installations.size,
      },
    };
  });

  router.add("GET", "/app/installations", (rc) => {
    requireJwt(rc);
    return {
      status: 200,
      body: [...rc.core.ctx.store.installations.values()].map((i) => installationJson(rc, i)),
    };
  });

  router.add("GET", "/app/installations/{installation_id}", (rc) => {
    requireJwt(rc);
    return { status: 200, body: installationJson(rc, installation(rc)) };
  });

  router.add("POST", "/app/installations/{installation_id}/access_tokens", (rc) => {
    requireJwt(rc);
    const inst = installation(rc);
    const ctx = rc.core.ctx;
    // ghs_ prefix as on GitHub; clients must not assume a length (stateless tokens are longer).
    const token = randomToken("ghs_", ctx.rand);
    const expiresAt = ctx.clock.now() + TOKEN_TTL_MS;
    rc.core.auth.installationTokens.set(token, { installationId: inst.id, expiresAt });
    return {
      status: 201,
      body: {
        token,
        expires_at: iso(expiresAt),
        permissions: PERMISSIONS,
        repository_selection: inst.repositorySelection,
      },
    };
  });

  router.add("GET", "/installation/repositories", (rc) => {
    if (rc.cred.kind !== "installation" || rc.cred.installationId === null) {
      throw new HttpError(403, {
        message:
          "You must authenticate with an installation access token in order to list repositories for an installation.",
        documentation_url:
          "https://docs.github.com/rest/apps/installations#list-repositories-accessible-to-the-app-installation",
        status: "403",
      });
    }
    const ctx = rc.core.ctx;
    const inst = ctx.store.installations.get(rc.cred.installationId);
    if (!inst) throw notFound();
    const repos = [...ctx.store.repos.values()].filter(
      (r) =>
        r.ownerId === inst.accountId &&
        (inst.repositorySelection === "all" || inst.repositoryIds.includes(r.id)),
    );
    return {
      status: 200,
      body: {
        total_count: repos.length,
        repository_selection: inst.repositorySelection,
        repositories: repos.map((r) => repoJson(ctx.store, r, ctx.urls)),
      },
    };
  });

  router.add("GET", "/app/hook/deliveries", (rc) => {
    requireJwt(rc);
    return listDeliveries(rc, appHookId(rc), "/app/hook/deliveries");
  });
  router.add("GET", "/app/hook/deliveries/{delivery_id}", (rc) => {
    requireJwt(rc);
    return { status: 200, body: deliveryJson(findDelivery(rc, appHookId(rc))) };
  });
  router.add("POST", "/app/hook/deliveries/{delivery_id}/attempts", (rc) => {
    requireJwt(rc);
    return redeliver(rc, findDelivery(rc, appHookId(rc)));
  });
}
