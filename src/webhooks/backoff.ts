/**
 * When a failed application is tried again: exponential from 10 s, capped at one hour. After MAX_ATTEMPTS the
 * event stays `failed` with no next_retry_at: visible in GET /api/v1/webhooks/events, and the incremental poll
 * still brings the entity up to date.
 */
export const MAX_ATTEMPTS = 10;
const BASE_MS = 10_000;
const CAP_MS = 3_600_000;

/** `retryCount` is the count after this failure (1 for the first). Null: give up. */
export function nextRetryAt(retryCount: number, now: number): Date | null {
  if (retryCount >= MAX_ATTEMPTS) return null;
  return new Date(now + Math.min(CAP_MS, BASE_MS * 2 ** (retryCount - 1)));
}
