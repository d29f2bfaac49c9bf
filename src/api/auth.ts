/**
 * Bearer-token authentication for the API. Runs in `onRequest`, before routing and body parsing, so a refused
 * request has read nothing and written nothing.
 *
 * Default deny: every path needs a token for writes, and for reads too once API_TOKENS is set, except the few
 * public ones below. A sandbox's generated token (ApiDeps.sandboxToken) opens writes and leaves reads open. Listing what is public (rather than what is protected) means a path spelled in a way the
 * check does not recognise (encoded, doubled slashes) is refused, never let through.
 *
 * API_TOKENS entries are `secret` or `label:secret`; the label (a name, never the secret) is recorded as
 * `outbox.created_by` so a write can be traced to the client that made it.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { Elysia } from "elysia";
import type { ApiDeps } from "./deps.ts";
import { problemBody, problemResponse } from "./problem.ts";

interface TokenEntry {
  label: string;
  digest: Buffer;
}

const LABELLED = /^([A-Za-z0-9_.-]{1,64}):(.+)$/;
/** Recorded as the writer when a token carries no label. */
export const DEFAULT_CALLER = "api";
/** Recorded as the writer for the token a sandbox generates at start. */
const SANDBOX_CALLER = "sandbox";

const digest = (value: string) => createHash("sha256").update(value, "utf8").digest();

export function parseTokens(entries: readonly string[]): TokenEntry[] {
  return entries.map((entry) => {
    const match = LABELLED.exec(entry);
    return match
      ? { label: match[1] ?? DEFAULT_CALLER, digest: digest(match[2] ?? "") }
      : { label: DEFAULT_CALLER, digest: digest(entry) };
  });
}

/**
 * The label of the token presented, or null. Digests are compared rather than the tokens themselves: equal
 * lengths for timingSafeEqual, and no early exit on the first wrong byte or on the first matching entry.
 */
export function authenticate(tokens: readonly TokenEntry[], authorization: string | null): string | null {
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization ?? "");
  if (!match?.[1]) return null;
  const presented = digest(match[1]);
  let found: string | null = null;
  for (const entry of tokens) {
    if (timingSafeEqual(entry.digest, presented) && found === null) found = entry.label;
  }
  return found;
}

const PUBLIC_PATHS = new Set([
  "/health",
  "/health/live",
  "/health/ready",
  "/version",
  "/metrics",
  "/swagger",
]);
/** GitHub signs its deliveries (X-Hub-Signature-256); it cannot send a bearer token. */
const WEBHOOK_RECEIVER = "/api/v1/webhooks/github";
const READ_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

function isPublic(method: string, pathname: string): boolean {
  const path = pathname.length > 1 ? pathname.replace(/\/$/, "") : pathname;
  if (PUBLIC_PATHS.has(path) || path.startsWith("/swagger/")) return true;
  return method === "POST" && path === WEBHOOK_RECEIVER;
}

/** Who made the request: the token's label, recorded by the guard for the handlers (`outbox.created_by`). */
const callers = new WeakMap<Request, string>();
export function callerOf(request: Request): string {
  return callers.get(request) ?? DEFAULT_CALLER;
}

function unauthorized(pathname: string, detail: string): Response {
  return problemResponse(problemBody(401, detail, { instance: pathname }), {
    "www-authenticate": 'Bearer realm="github-tracker"',
  });
}

export function authGuard(deps: Pick<ApiDeps, "config" | "sandboxToken">) {
  const tokens = parseTokens(deps.config.apiTokens);
  if (deps.sandboxToken) tokens.push({ label: SANDBOX_CALLER, digest: digest(deps.sandboxToken) });
  const readsNeedToken = deps.config.apiTokens.length > 0;
  return new Elysia().onRequest(({ request, set }) => {
    const pathname = new URL(request.url).pathname;
    if (isPublic(request.method, pathname)) return;
    const write = !READ_METHODS.has(request.method);
    if (!write && !readsNeedToken) return;
    if (tokens.length === 0) {
      set.status = 401; // for the request metric
      return unauthorized(
        pathname,
        "Writes need a bearer token and none is configured: set API_TOKENS (comma-separated tokens) and send " +
          "Authorization: Bearer <token>",
      );
    }
    const caller = authenticate(tokens, request.headers.get("authorization"));
    if (caller === null) {
      set.status = 401;
      return unauthorized(
        pathname,
        request.headers.has("authorization")
          ? "The bearer token is not valid"
          : "Send Authorization: Bearer <token> (one of API_TOKENS)",
      );
    }
    callers.set(request, caller);
  });
}
