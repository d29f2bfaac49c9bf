/**
 * The request pipeline: match a route, authenticate, apply secondary then primary limits and faults, run the
 * handler, add ETag/304 and GitHub's headers, and charge the primary budget (304s and /rate_limit are free).
 */
import type { AppConfig } from "./app-auth.ts";
import type { Auth } from "./auth.ts";
import type { Ctx } from "./context.ts";
import { badRequest, HttpError, notFound } from "./errors.ts";
import { etagFor, httpDate, matchesIfNoneMatch, notModifiedSince } from "./etag.ts";
import type { Counters, Faults } from "./faults.ts";
import type { RateLimiter, Resource } from "./rate-limit.ts";
import type { Credential } from "./types.ts";
import type { Webhooks } from "./webhooks/deliver.ts";

export interface Core {
  ctx: Ctx;
  auth: Auth;
  limiter: RateLimiter;
  faults: Faults;
  counters: Counters;
  webhooks: Webhooks;
  app: AppConfig | null;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Epoch ms of the resource's last change: Last-Modified and If-Modified-Since. */
  lastModified?: number;
  /** Already charged by the handler (GraphQL charges its computed cost). */
  charged?: boolean;
}

export interface RouteContext {
  req: Request;
  url: URL;
  params: Record<string, string>;
  cred: Credential;
  core: Core;
  /** Parsed JSON body; `{}` when empty; 400 "Problems parsing JSON" when malformed. */
  json(): Promise<unknown>;
}

export interface Route {
  method: string;
  pattern: string;
  /** Counter and fault key; aliases (`/repositories/{id}/…`) share the `/repos/{owner}/{repo}/…` name. */
  name: string;
  segments: string[];
  handler: (rc: RouteContext) => Reply | Promise<Reply>;
  resource: Resource;
  /** Not charged against the primary limit (GET /rate_limit). */
  free: boolean;
  /** Counts towards the content-creation secondary limit. */
  creates: boolean;
}

export interface RouteOptions {
  free?: boolean;
  creates?: boolean;
  resource?: Resource;
}

export class Router {
  routes: Route[] = [];

  add(
    method: string,
    pattern: string,
    handler: Route["handler"],
    opts: RouteOptions = {},
    name = `${method} ${pattern}`,
  ): void {
    this.routes.push({
      method,
      pattern,
      name,
      segments: pattern.split("/").filter(Boolean),
      handler,
      resource: opts.resource ?? "core",
      free: opts.free ?? false,
      creates: opts.creates ?? false,
    });
  }

  /** Registers `/repos/{owner}/{repo}<suffix>` and its `/repositories/{repository_id}<suffix>` alias. */
  repo(method: string, suffix: string, handler: Route["handler"], opts: RouteOptions = {}): void {
    const name = `${method} /repos/{owner}/{repo}${suffix}`;
    this.add(method, `/repos/{owner}/{repo}${suffix}`, handler, opts, name);
    this.add(method, `/repositories/{repository_id}${suffix}`, handler, opts, name);
  }

  match(method: string, path: string): { route: Route; params: Record<string, string> } | null {
    const parts = path.split("/").filter(Boolean);
    let pathMatched = false;
    for (const r of this.routes) {
      if (r.segments.length !== parts.length) continue;
      const params: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < parts.length; i++) {
        const s = r.segments[i] ?? "";
        const p = parts[i] ?? "";
        if (s.startsWith("{")) params[s.slice(1, -1)] = decodeURIComponent(p);
        else if (s !== p) {
          ok = false;
          break;
        }
      }
      if (!ok) continue;
      pathMatched = true;
      if (r.method === method || (method === "HEAD" && r.method === "GET")) return { route: r, params };
    }
    if (pathMatched) return null;
    return null;
  }
}

const BASE_HEADERS: Record<string, string> = {
  "content-type": "application/json; charset=utf-8",
  "x-github-media-type": "github.v3; format=json",
  "x-github-api-version-selected": "2022-11-28",
  vary: "Accept, Authorization, Cookie, X-GitHub-OTP",
  "access-control-allow-origin": "*",
  "access-control-expose-headers":
    "ETag, Link, Location, Retry-After, X-GitHub-OTP, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Used, X-RateLimit-Resource, X-RateLimit-Reset, X-OAuth-Scopes, X-Accepted-OAuth-Scopes, X-Poll-Interval, X-GitHub-Media-Type, X-GitHub-SSO, X-GitHub-Request-Id, Deprecation, Sunset",
  "x-content-type-options": "nosniff",
};

let requestSeq = 0;

function who(cred: Credential): string {
  if (cred.kind === "installation") return `installation ID ${cred.installationId}`;
  if (cred.user) return `user ID ${cred.user.id}`;
  return "127.0.0.1";
}

/** The connection is reset after the handler committed, so the client cannot know whether the write happened. */
function droppedResponse(): Response {
  return new Response(
    new ReadableStream({
      pull(c) {
        c.error(new Error("simulator: response dropped after commit (injected fault)"));
      },
    }),
    { status: 200 },
  );
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export async function dispatch(core: Core, router: Router, req: Request): Promise<Response> {
  const url = new URL(req.url);
  const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, "") : url.pathname;
  const m = router.match(req.method, path);
  const name = m ? m.route.name : "unmatched";
  core.counters.requestsByRoute[name] = (core.counters.requestsByRoute[name] ?? 0) + 1;
  const resource: Resource = m?.route.resource ?? "core";
  const headers: Record<string, string> = { ...BASE_HEADERS, "x-github-request-id": `SIM:${++requestSeq}` };

  let cred: Credential;
  try {
    cred = await core.auth.authenticate(req);
  } catch (e) {
    return errorResponse(e, headers);
  }
  if (cred.kind === "token")
    headers["x-oauth-scopes"] = (cred.scopes ?? ["repo", "project", "admin:repo_hook"]).join(", ");
  const limiter = core.limiter;
  let release: (() => void) | null = null;
  let charged = false;
  const charge = () => {
    if (charged || m?.route.free) return;
    charged = true;
    limiter.charge(cred.key, resource, 1);
    core.counters.ratePointsSpent += 1;
  };
  const finish = (h: Record<string, string>) => Object.assign(h, limiter.headers(cred.key, resource));
  try {
    release = limiter.enter(cred.key);
    if (!m) {
      charge();
      throw notFound();
    }
    const route = m.route;
    if (!route.free && resource !== "graphql") limiter.assertPrimary(cred.key, resource, who(cred));
    const fault = core.faults.forRequest(name, path);
    if (fault.latencyMs > 0) await sleep(fault.latencyMs);
    if (fault.error) {
      charge();
      throw new HttpError(fault.error, { message: "Server Error" });
    }
    if (resource !== "graphql" && !route.free) {
      limiter.assertPoints(cred.key, name, req.method === "GET" || req.method === "HEAD" ? 1 : 5, false);
    }
    if (route.creates) limiter.assertContentCreation(cred.key);
    let bodyCache: Promise<unknown> | null = null;
    const rc: RouteContext = {
      req,
      url,
      params: m.params,
      cred,
      core,
      json: () => {
        bodyCache ??= req.text().then((t) => {
          if (!t.trim()) return {};
          try {
            return JSON.parse(t) as unknown;
          } catch {
            throw badRequest("Problems parsing JSON");
          }
        });
        return bodyCache;
      },
    };
    const reply = await route.handler(rc);
    if (reply.charged) charged = true;
    Object.assign(headers, reply.headers);
    const text = reply.body === undefined ? null : JSON.stringify(reply.body);
    const bytes = text === null ? null : new TextEncoder().encode(text);
    if ((req.method === "GET" || req.method === "HEAD") && reply.status === 200 && bytes) {
      const etag = await etagFor(cred.key, bytes);
      headers.etag = etag;
      headers["cache-control"] = "private, max-age=60, s-maxage=60";
      if (reply.lastModified !== undefined) headers["last-modified"] = httpDate(reply.lastModified);
      const inm = req.headers.get("if-none-match");
      const fresh = inm
        ? matchesIfNoneMatch(inm, etag)
        : notModifiedSince(req.headers.get("if-modified-since"), reply.lastModified);
      if (fresh) {
        // A 304 costs nothing against the primary limit (reference §3).
        core.counters.notModified++;
        finish(headers);
        delete headers["content-type"];
        return new Response(null, { status: 304, headers });
      }
    }
    charge();
    finish(headers);
    if (fault.drop) return droppedResponse();
    if (bytes === null) delete headers["content-type"];
    return new Response(req.method === "HEAD" ? null : bytes, { status: reply.status, headers });
  } catch (e) {
    if (e instanceof HttpError && e.status !== 401 && !(e.status === 403 || e.status === 429)) charge();
    finish(headers);
    return errorResponse(e, headers);
  } finally {
    release?.();
  }
}

export function errorResponse(e: unknown, headers: Record<string, string>): Response {
  if (e instanceof HttpError) {
    return new Response(JSON.stringify(e.body), { status: e.status, headers: { ...headers, ...e.headers } });
  }
  console.error("simulator: handler failed", e);
  return new Response(JSON.stringify({ message: "Server Error" }), { status: 500, headers });
}
