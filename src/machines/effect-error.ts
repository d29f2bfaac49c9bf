/**
 * How an effect (a promise actor provided by the runtime) reports failure to a machine. Machines stay pure: the
 * runtime stamps the time (`at`) and a jitter draw on the error, so backoff needs no clock or randomness here.
 */

export type EffectErrorKind =
  /** Primary or secondary rate limit: wait until `retryAt` (x-ratelimit-reset, retry-after or 60 s). */
  | "rate_limited"
  /** 5xx, timeouts, network: exponential backoff with jitter. */
  | "transient"
  /** Will not get better by waiting (401, 404 on the repository, bad data). Still retried, but slowly. */
  | "fatal";

export interface EffectError {
  kind: EffectErrorKind;
  message: string;
  stack?: string;
  /** Epoch ms when the failure was observed. */
  at: number;
  /** Epoch ms before which GitHub must not be asked again (rate limits). */
  retryAt?: number;
  /** Uniform draw in [0, 1) for jitter. */
  jitter: number;
  /** True when the effect gave up on the operation for good (it is now `failed`). */
  operationFailed?: boolean;
}

export function isEffectError(value: unknown): value is EffectError {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as EffectError).kind === "string" &&
    typeof (value as EffectError).at === "number"
  );
}

export const BACKOFF_BASE_MS = 1_000;
export const BACKOFF_MAX_MS = 15 * 60_000;

/**
 * When to try again. Rate limits: exactly when GitHub says, never earlier (requests sent while limited can get an
 * integration banned). Others: full-jitter exponential backoff, 1 s · 2^n, capped at 15 min.
 */
export function retryAtFor(error: EffectError, retryCount: number): number {
  if (error.retryAt !== undefined && error.retryAt > error.at) return error.retryAt;
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.min(retryCount, 20));
  const floor = error.kind === "fatal" ? ceiling : ceiling / 2;
  return error.at + Math.round(floor + (ceiling - floor) * error.jitter);
}
