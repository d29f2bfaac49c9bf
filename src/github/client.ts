/**
 * The GitHub client: Octokit (token or GitHub App auth, GITHUB_API_URL for Enterprise and the simulator) with
 * GitHub's documented client behaviour applied by one request hook (request-policy.ts): bounded concurrency,
 * spaced writes, retried reads. No sleeping on rate limits inside a request: a primary or secondary limit
 * becomes a RetryLaterError carrying GitHub's reset time, so the repository actor goes backing-off, visibly,
 * and other repositories go on.
 */
import { createAppAuth } from "@octokit/auth-app";
import { Octokit } from "@octokit/core";
import { RetryLaterError } from "../actors/effects.ts";
import { createRequestPolicy, fetchWithTimeout, type RequestPolicyOptions } from "./request-policy.ts";

const GitHub = Octokit;
export type GitHubClient = InstanceType<typeof GitHub>;

export type ClientAuth =
  | { kind: "token"; token: string }
  /** Installation tokens are created from the App's JWT and refreshed before their one-hour expiry by auth-app. */
  | { kind: "app"; appId: number; privateKey: string; installationId: number };

export interface ClientOptions {
  baseUrl: string;
  auth: ClientAuth;
  userAgent?: string;
  policy?: RequestPolicyOptions;
  /** Abort a request that takes longer than this (default 10 s). */
  requestTimeoutMs?: number;
}

export function createGitHubClient(options: ClientOptions): GitHubClient {
  const auth =
    options.auth.kind === "token"
      ? { auth: options.auth.token }
      : {
          authStrategy: createAppAuth,
          auth: {
            appId: options.auth.appId,
            privateKey: options.auth.privateKey,
            installationId: options.auth.installationId,
          },
        };
  const client = new GitHub({
    baseUrl: options.baseUrl,
    ...auth,
    userAgent: options.userAgent ?? "github-tracker",
    request: { fetch: fetchWithTimeout(options.requestTimeoutMs ?? 10_000) },
  });
  const policy = createRequestPolicy(options.policy);
  client.hook.wrap("request", (request, requestOptions) =>
    policy(async (o) => request(o as Parameters<typeof request>[0]), requestOptions),
  );
  return client;
}

interface ResponseLike {
  status?: number;
  response?: { headers?: Record<string, string | number | undefined>; data?: unknown };
  message?: string;
}

const SECONDARY_FALLBACK_MS = 60_000;

/**
 * GitHub's rule for a 403/429: retry-after if present; else, when x-ratelimit-remaining is 0, the reset time;
 * else a secondary limit: at least 60 s.
 */
export function rateLimitRetryAt(error: unknown, now: number): number | null {
  const e = error as ResponseLike;
  if (e?.status !== 403 && e?.status !== 429) return null;
  const headers = e.response?.headers ?? {};
  const message = String((e.response?.data as { message?: string } | undefined)?.message ?? e.message ?? "");
  const retryAfter = Number(headers["retry-after"]);
  if (Number.isFinite(retryAfter) && retryAfter > 0) return now + retryAfter * 1000;
  if (String(headers["x-ratelimit-remaining"]) === "0") {
    const reset = Number(headers["x-ratelimit-reset"]);
    if (Number.isFinite(reset)) return Math.max(now, reset * 1000);
  }
  if (/secondary rate|abuse/i.test(message)) return now + SECONDARY_FALLBACK_MS;
  return null;
}

/** Turn rate-limit failures into RetryLaterError; everything else passes through unchanged. */
export function classifyGitHubError(error: unknown, now: number = Date.now()): unknown {
  const retryAt = rateLimitRetryAt(error, now);
  if (retryAt === null) return error;
  const message = (error as Error).message || "GitHub rate limit";
  return new RetryLaterError(message, retryAt, "rate_limited");
}

/** `Link: <…>; rel="next", <…>; rel="last"` → { next, last }. */
export function parseLink(header: string | undefined | null): Record<string, string> {
  const links: Record<string, string> = {};
  if (!header) return links;
  for (const part of header.split(",")) {
    const match = part.match(/<([^>]+)>\s*;\s*rel="([^"]+)"/);
    if (match?.[1] && match[2]) links[match[2]] = match[1];
  }
  return links;
}
