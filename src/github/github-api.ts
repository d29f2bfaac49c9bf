/**
 * The one doorway to GitHub for the sync: every call gets a span, its rate figures recorded, its limits turned
 * into RetryLaterError, and every GET is conditional (If-None-Match, or If-Modified-Since when the stored ETag
 * was earned by an earlier token: GitHub's ETags vary by Authorization, and installation tokens rotate hourly).
 */
import { SpanStatusCode } from "@opentelemetry/api";
import { eq, sql } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import { githubHttpCache } from "../db/schema.ts";
import { tracer } from "../telemetry.ts";
import { classifyGitHubError, type GitHubClient } from "./client.ts";
import type { RateBudget } from "./rate-budget.ts";

export interface GetResult<T> {
  status: 200 | 304;
  /** null on a 304: nothing changed since the cached response. */
  data: T | null;
  link: string | null;
  headers: Record<string, string | undefined>;
}

export interface GitHubApi {
  get<T>(path: string, options: { signal?: AbortSignal; conditional?: boolean }): Promise<GetResult<T>>;
  graphql<T>(query: string, variables: Record<string, unknown>, signal?: AbortSignal): Promise<T>;
  /** A write (POST/PATCH/PUT/DELETE). Never retried by the client: the outbox decides (lost responses). */
  write<T>(
    method: "POST" | "PATCH" | "PUT" | "DELETE",
    path: string,
    body: Record<string, unknown>,
  ): Promise<T>;
  /** Fingerprint of the credential in use (not the token itself). */
  credential(): Promise<string>;
}

async function fingerprint(token: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token));
  return Array.from(new Uint8Array(digest).slice(0, 8), (b) => b.toString(16).padStart(2, "0")).join("");
}

function cacheKey(path: string): string {
  // Absolute URLs from Link headers and relative paths name the same resource.
  return path.replace(/^https?:\/\/[^/]+/, "");
}

interface HeadersLike {
  [name: string]: string | number | undefined;
}

/**
 * GitHub's error messages say little ("Server Error", "Not Found"); the request and status are what an operator
 * needs when an actor shows why it is stuck. The status stays on the error for the retry rules.
 */
function described(error: unknown, method: string, path: string): unknown {
  if (!(error instanceof Error) || error.name === "RetryLaterError") return error;
  const status = (error as { status?: unknown }).status;
  const route = path.split("?")[0] ?? path;
  const wrapped = new Error(
    `${method} ${route} → ${typeof status === "number" ? status : "failed"}: ${error.message}`,
    {
      cause: error,
    },
  );
  return Object.assign(wrapped, { status });
}

function plainHeaders(headers: HeadersLike): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(headers))
    out[k.toLowerCase()] = v === undefined ? undefined : String(v);
  return out;
}

export function createGitHubApi(deps: {
  client: GitHubClient;
  db: Database;
  budget: RateBudget;
  now?: () => number;
}): GitHubApi {
  const now = deps.now ?? Date.now;
  let lastToken: string | null = null;
  let lastFingerprint = "";

  async function credential(): Promise<string> {
    const auth = (await deps.client.auth({ type: "installation" }).catch(() => deps.client.auth())) as {
      token?: string;
    };
    const token = auth.token ?? "";
    if (token !== lastToken) {
      lastToken = token;
      lastFingerprint = await fingerprint(token);
    }
    return lastFingerprint;
  }

  async function get<T>(path: string, options: { signal?: AbortSignal; conditional?: boolean }) {
    const cred = await credential();
    deps.budget.assertReadAllowed(cred, "core");
    const key = cacheKey(path);
    const conditional = options.conditional !== false;
    const [cached] = conditional
      ? await deps.db.select().from(githubHttpCache).where(eq(githubHttpCache.key, key)).limit(1)
      : [];
    const headers: Record<string, string> = {};
    if (cached?.etag && cached.credential === cred) headers["if-none-match"] = cached.etag;
    else if (cached?.lastModified) headers["if-modified-since"] = cached.lastModified;

    const span = tracer().startSpan("github.request", {
      attributes: { "http.method": "GET", "http.route": key.split("?")[0] ?? key, conditional: !!cached },
    });
    try {
      const response = await deps.client.request(`GET ${path}`, {
        headers,
        request: { signal: options.signal },
      });
      const h = plainHeaders(response.headers as HeadersLike);
      deps.budget.observe(cred, response.headers as HeadersLike);
      span.setAttribute("http.status_code", response.status);
      if (conditional && (h.etag || h["last-modified"])) {
        const entry = {
          key,
          etag: h.etag ?? null,
          lastModified: h["last-modified"] ?? null,
          credential: cred,
          link: h.link ?? null,
        };
        await deps.db
          .insert(githubHttpCache)
          .values(entry)
          .onConflictDoUpdate({
            target: githubHttpCache.key,
            set: { ...entry, updatedAt: sql`now()` },
          });
      }
      return { status: 200 as const, data: response.data as T, link: h.link ?? null, headers: h };
    } catch (error) {
      const status = (error as { status?: number }).status;
      const responseHeaders = (error as { response?: { headers?: HeadersLike } }).response?.headers;
      if (responseHeaders) deps.budget.observe(cred, responseHeaders);
      if (status === 304) {
        span.setAttribute("http.status_code", 304);
        // A 304 after If-Modified-Since carries this token's ETag: keep it, so the next poll sends it.
        const h = plainHeaders(responseHeaders ?? {});
        if (h.etag && cached) {
          await deps.db
            .update(githubHttpCache)
            .set({ etag: h.etag, credential: cred, updatedAt: sql`now()` })
            .where(eq(githubHttpCache.key, key));
        }
        return { status: 304 as const, data: null, link: cached?.link ?? null, headers: h };
      }
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw described(classifyGitHubError(error, now()), "GET", key);
    } finally {
      span.end();
    }
  }

  async function graphql<T>(
    query: string,
    variables: Record<string, unknown>,
    signal?: AbortSignal,
  ): Promise<T> {
    const cred = await credential();
    deps.budget.assertReadAllowed(cred, "graphql");
    const span = tracer().startSpan("github.graphql");
    try {
      const data = await deps.client.graphql<T & { rateLimit?: Parameters<RateBudget["observeGraphql"]>[1] }>(
        query,
        { ...variables, request: { signal } },
      );
      deps.budget.observeGraphql(cred, data.rateLimit);
      return data;
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw classifyGitHubError(error, now());
    } finally {
      span.end();
    }
  }

  async function write<T>(
    method: "POST" | "PATCH" | "PUT" | "DELETE",
    path: string,
    body: Record<string, unknown>,
  ) {
    const cred = await credential();
    const span = tracer().startSpan("github.request", {
      attributes: { "http.method": method, "http.route": path.split("?")[0] ?? path },
    });
    try {
      const response = await deps.client.request(`${method} ${path}`, body);
      deps.budget.observe(cred, response.headers as HeadersLike);
      span.setAttribute("http.status_code", response.status);
      return response.data as T;
    } catch (error) {
      const responseHeaders = (error as { response?: { headers?: HeadersLike } }).response?.headers;
      if (responseHeaders) deps.budget.observe(cred, responseHeaders);
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw described(classifyGitHubError(error, now()), method, path);
    } finally {
      span.end();
    }
  }

  return { get, graphql, write, credential };
}
