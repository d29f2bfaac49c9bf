/**
 * One GraphQL call with GitHub's failure modes sorted out:
 * - RATE_LIMITED comes back as HTTP 200 with errors[] (reference §1); plugin-throttling or @octokit/graphql then
 *   throw an error without an HTTP status, which classifyGitHubError cannot see: it becomes RetryLaterError here,
 *   at x-ratelimit-reset (rateLimit.resetAt when the body has it);
 * - NOT_FOUND only (a deleted project's node): the partial data is returned, with the node null;
 * - HTTP failures (secondary limits, 5xx) go through classifyGitHubError like REST.
 */
import { RetryLaterError } from "../../actors/effects.ts";
import { classifyGitHubError, type GitHubClient } from "../client.ts";

interface GqlError {
  type?: string;
  message?: string;
}

interface GraphqlFailure {
  /** @octokit/graphql's GraphqlResponseError. */
  errors?: GqlError[];
  data?: unknown;
  headers?: Record<string, string | number | undefined>;
  /** plugin-throttling's "GraphQL Rate Limit Exceeded": the whole body under response.data. */
  response?: {
    headers?: Record<string, string | number | undefined>;
    data?: { errors?: GqlError[]; data?: unknown };
  };
  message?: string;
}

/** Without any reset time, come back in a minute rather than hammering. */
const FALLBACK_RETRY_MS = 60_000;

function errorsOf(e: GraphqlFailure): GqlError[] {
  return e.errors ?? e.response?.data?.errors ?? [];
}

function resetAtOf(e: GraphqlFailure, now: number): number {
  const data = (e.errors ? e.data : e.response?.data?.data) as
    | { rateLimit?: { resetAt?: string } }
    | undefined;
  const fromBody = data?.rateLimit?.resetAt ? Date.parse(data.rateLimit.resetAt) : Number.NaN;
  if (Number.isFinite(fromBody)) return Math.max(now, fromBody);
  const header = Number((e.headers ?? e.response?.headers)?.["x-ratelimit-reset"]);
  if (Number.isFinite(header) && header > 0) return Math.max(now, header * 1000);
  return now + FALLBACK_RETRY_MS;
}

export function classifyGraphqlError(error: unknown, now: number): unknown {
  const e = (error ?? {}) as GraphqlFailure;
  const errors = errorsOf(e);
  const limited = errors.find((x) => x.type === "RATE_LIMITED");
  if (limited) {
    return new RetryLaterError(
      limited.message ?? "GraphQL rate limit exceeded",
      resetAtOf(e, now),
      "rate_limited",
    );
  }
  return classifyGitHubError(error, now);
}

export async function graphqlQuery<T>(
  client: GitHubClient,
  query: string,
  variables: Record<string, unknown>,
  signal: AbortSignal | undefined,
  now: number,
): Promise<T> {
  try {
    return await client.graphql<T>(query, { ...variables, ...(signal ? { request: { signal } } : {}) });
  } catch (error) {
    const e = (error ?? {}) as GraphqlFailure;
    if (e.errors?.length && e.errors.every((x) => x.type === "NOT_FOUND") && e.data) return e.data as T;
    throw classifyGraphqlError(error, now);
  }
}
