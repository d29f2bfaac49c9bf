/**
 * How requests to GitHub are sent (reference/github-api.md §2), as one Octokit request hook:
 * - at most `maxConcurrent` requests in flight per client (GitHub's secondary limit is 100 across REST and
 *   GraphQL; we stay far below);
 * - writes (POST/PATCH/PUT/DELETE, GraphQL mutations) one at a time, at least `writeSpacingMs` apart
 *   (GitHub: "at least one second between each request" for content creation);
 * - reads failing with 5xx, 408 or a network error retried up to 3 times with jittered backoff; never
 *   400/401/403/404/410/422/451 (plugin-retry's list); writes never (the outbox decides). Rate limits are not retried here: they become RetryLaterError so the repository
 *   actor backs off visibly until the reset.
 *
 * Why not @octokit/plugin-throttling + plugin-retry: both queue every request through Bottleneck, which
 * measured 8–12 ms of added latency per request each here (bench/sync.ts), more than the database work per page
 * that the pipelined pull exists to hide; and the throttling plugin spaces every GraphQL query 1 s apart as if
 * it were a write, which would make a 2,000-item project take 20 s to read.
 */

export interface RequestPolicyOptions {
  maxConcurrent?: number;
  writeSpacingMs?: number;
  retries?: number;
  /** Backoff base for retries (doubled each time, with full jitter). */
  retryBaseMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

interface RequestOptionsLike {
  method?: string;
  url?: string;
  query?: string;
  request?: { signal?: AbortSignal };
}

import { Semaphore } from "../lib/semaphore.ts";

const RETRY_STATUS = new Set([408, 500, 502, 503, 504]);

function isWrite(options: RequestOptionsLike): boolean {
  const method = (options.method ?? "GET").toUpperCase();
  if (method === "GET" || method === "HEAD") return false;
  if (options.url === "/graphql") return /^\s*mutation\b/.test(options.query ?? "");
  return true;
}

/** Network failures (Octokit reports them as status 500 without a response) and 5xx/408 answers. */
function retryable(error: unknown): boolean {
  const status = (error as { status?: unknown })?.status;
  const answered = (error as { response?: unknown })?.response !== undefined;
  if (typeof status !== "number" || !answered) return true;
  return RETRY_STATUS.has(status);
}

export function createRequestPolicy(options: RequestPolicyOptions = {}) {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const now = options.now ?? Date.now;
  const slots = new Semaphore(options.maxConcurrent ?? 10);
  const writes = new Semaphore(1);
  const spacing = options.writeSpacingMs ?? 1000;
  const retries = options.retries ?? 3;
  const base = options.retryBaseMs ?? 500;
  let lastWriteAt = 0;

  return async function around<T>(
    request: (options: RequestOptionsLike) => Promise<T>,
    options: RequestOptionsLike,
  ) {
    const write = isWrite(options);
    const releaseWrite = write ? await writes.acquire() : null;
    try {
      if (write) {
        const wait = lastWriteAt + spacing - now();
        if (wait > 0) await sleep(wait);
      }
      for (let attempt = 0; ; attempt++) {
        const release = await slots.acquire();
        try {
          return await request(options);
        } catch (error) {
          const aborted = options.request?.signal?.aborted ?? false;
          // Writes are never retried here: a lost response may hide a committed write, and only the outbox
          // (with its idempotency check) can tell.
          if (write || aborted || attempt >= retries || !retryable(error)) throw error;
        } finally {
          release();
          if (write) lastWriteAt = now();
        }
        await sleep(Math.round(base * 2 ** attempt * (0.5 + Math.random() / 2)));
      }
    } finally {
      releaseWrite?.();
    }
  };
}

/**
 * fetch with a deadline. Bounded in time so that a takeover after this replica dies finds its last request
 * finished: 10 s is two thirds of the default 15 s lease, GitHub's own timeout for webhooks, and far above a
 * normal call. Applied at the fetch level, where Octokit's hooks cannot drop the signal.
 */
export function fetchWithTimeout(timeoutMs: number): typeof fetch {
  const timed = (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    return fetch(input, { ...init, signal });
  };
  return Object.assign(timed, { preconnect: fetch.preconnect }) as typeof fetch;
}
