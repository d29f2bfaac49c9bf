/**
 * Primary and secondary rate limits, one budget per credential (reference §1, §2). Time comes from the injected
 * clock so windows can be crossed in tests without waiting.
 */
import type { Clock } from "./clock.ts";
import { HttpError } from "./errors.ts";

export type Resource = "core" | "graphql" | "search";

export interface PrimaryLimit {
  limit: number;
  windowSeconds: number;
}

export interface SecondaryConfig {
  /** Concurrent requests per credential, REST and GraphQL together (GitHub: 100). */
  maxConcurrent: number;
  /** Content-creating requests per minute and per hour (GitHub: 80 and 500). */
  contentPerMinute: number;
  contentPerHour: number;
  /** Points per minute per REST endpoint (reads 1, writes 5; GitHub: 900) and for GraphQL (2,000). */
  restPointsPerMinute: number;
  graphqlPointsPerMinute: number;
}

export interface RateLimitConfig {
  primary: Record<Resource, PrimaryLimit>;
  secondary: SecondaryConfig;
  /** GitHub answers exhaustion with 403 or 429; clients must handle both. */
  exhaustedStatus: 403 | 429;
}

export const defaultRateLimits: RateLimitConfig = {
  primary: {
    core: { limit: 5000, windowSeconds: 3600 },
    graphql: { limit: 5000, windowSeconds: 3600 },
    search: { limit: 30, windowSeconds: 60 },
  },
  secondary: {
    maxConcurrent: 100,
    contentPerMinute: 80,
    contentPerHour: 500,
    restPointsPerMinute: 900,
    graphqlPointsPerMinute: 2000,
  },
  exhaustedStatus: 403,
};

export interface Bucket {
  limit: number;
  used: number;
  /** Epoch ms when the window ends. */
  resetAt: number;
  windowSeconds: number;
}

export interface RateLimitOverride {
  /** Credential key (`token:<t>`, `installation:<id>`, `anonymous`) or omitted for the default of every bucket. */
  key?: string;
  resource?: Resource;
  limit?: number;
  remaining?: number;
  windowSeconds?: number;
}

const SECONDARY_DOCS =
  "https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits";

export class RateLimiter {
  private buckets = new Map<string, Bucket>();
  private inflight = new Map<string, number>();
  private creations = new Map<string, number[]>();
  private points = new Map<string, { windowStart: number; points: number }>();
  spent = 0;

  constructor(
    private readonly clock: Clock,
    public config: RateLimitConfig,
  ) {}

  bucket(key: string, resource: Resource): Bucket {
    const id = `${key}|${resource}`;
    const now = this.clock.now();
    let b = this.buckets.get(id);
    if (!b || now >= b.resetAt) {
      // The window starts with the first request after the previous one ended, as on GitHub.
      const p = this.config.primary[resource];
      // Unauthenticated callers get 60 requests an hour (counted per IP on GitHub; one bucket here).
      const base = key === "anonymous" && resource === "core" ? Math.min(60, p.limit) : p.limit;
      b = {
        limit: b?.limit ?? base,
        used: 0,
        resetAt: now + p.windowSeconds * 1000,
        windowSeconds: p.windowSeconds,
      };
      this.buckets.set(id, b);
    }
    return b;
  }

  remaining(b: Bucket): number {
    return Math.max(0, b.limit - b.used);
  }

  charge(key: string, resource: Resource, points: number): Bucket {
    const b = this.bucket(key, resource);
    b.used += points;
    this.spent += points;
    return b;
  }

  headers(key: string, resource: Resource): Record<string, string> {
    const b = this.bucket(key, resource);
    return {
      "x-ratelimit-limit": String(b.limit),
      "x-ratelimit-remaining": String(this.remaining(b)),
      "x-ratelimit-used": String(b.used),
      "x-ratelimit-reset": String(Math.ceil(b.resetAt / 1000)),
      "x-ratelimit-resource": resource,
    };
  }

  /** 403/429 with GitHub's body when the primary budget is gone; not charged. */
  assertPrimary(key: string, resource: Resource, who: string): void {
    const b = this.bucket(key, resource);
    if (this.remaining(b) > 0) return;
    throw new HttpError(
      this.config.exhaustedStatus,
      {
        message: `API rate limit exceeded for ${who}. (But here's the good news: Authenticated requests get a higher rate limit. Check out the documentation for more details.)`,
        documentation_url:
          "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-the-rate-limit",
      },
      this.headers(key, resource),
    );
  }

  set(o: RateLimitOverride): void {
    const resources: Resource[] = o.resource ? [o.resource] : ["core", "graphql", "search"];
    for (const r of resources) {
      if (o.key === undefined) {
        const p = this.config.primary[r];
        this.config.primary[r] = {
          limit: o.limit ?? p.limit,
          windowSeconds: o.windowSeconds ?? p.windowSeconds,
        };
        // Existing buckets follow the new default limit.
        for (const [id, b] of this.buckets) {
          if (!id.endsWith(`|${r}`)) continue;
          if (o.limit !== undefined) b.limit = o.limit;
          if (o.remaining !== undefined) b.used = Math.max(0, b.limit - o.remaining);
        }
        continue;
      }
      const b = this.bucket(o.key, r);
      if (o.windowSeconds !== undefined) {
        b.windowSeconds = o.windowSeconds;
        b.resetAt = this.clock.now() + o.windowSeconds * 1000;
      }
      if (o.limit !== undefined) b.limit = o.limit;
      if (o.remaining !== undefined) b.used = Math.max(0, b.limit - o.remaining);
    }
  }

  /** Concurrency cap: returns a release function, or throws the secondary-limit 403 with retry-after. */
  enter(key: string): () => void {
    const n = this.inflight.get(key) ?? 0;
    if (n >= this.config.secondary.maxConcurrent) {
      throw this.secondary(
        "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
        60,
      );
    }
    this.inflight.set(key, n + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inflight.set(key, (this.inflight.get(key) ?? 1) - 1);
    };
  }

  /** Content creation: 80/min and 500/h per credential; `retry-after` is when the oldest counted one ages out. */
  assertContentCreation(key: string): void {
    const now = this.clock.now();
    const list = (this.creations.get(key) ?? []).filter((t) => now - t < 3600_000);
    const lastMinute = list.filter((t) => now - t < 60_000);
    const s = this.config.secondary;
    let retryMs = 0;
    if (lastMinute.length >= s.contentPerMinute) retryMs = (lastMinute[0] ?? now) + 60_000 - now;
    else if (list.length >= s.contentPerHour) retryMs = (list[0] ?? now) + 3600_000 - now;
    if (retryMs > 0) {
      this.creations.set(key, list);
      throw this.secondary(
        "You have exceeded a secondary rate limit and have been temporarily blocked from content creation. Please retry your request again later.",
        Math.max(1, Math.ceil(retryMs / 1000)),
      );
    }
    list.push(now);
    this.creations.set(key, list);
  }

  /** Points per minute per endpoint (REST reads 1, writes 5) or for GraphQL as a whole. */
  assertPoints(key: string, endpoint: string, points: number, graphql: boolean): void {
    const id = `${key}|${endpoint}`;
    const now = this.clock.now();
    let w = this.points.get(id);
    if (!w || now - w.windowStart >= 60_000) {
      w = { windowStart: now, points: 0 };
      this.points.set(id, w);
    }
    const cap = graphql
      ? this.config.secondary.graphqlPointsPerMinute
      : this.config.secondary.restPointsPerMinute;
    if (w.points + points > cap) {
      throw this.secondary(
        "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
        Math.max(1, Math.ceil((w.windowStart + 60_000 - now) / 1000)),
      );
    }
    w.points += points;
  }

  private secondary(message: string, retryAfter: number): HttpError {
    return new HttpError(
      this.config.exhaustedStatus,
      { message, documentation_url: SECONDARY_DOCS },
      { "retry-after": String(retryAfter) },
    );
  }

  reset(): void {
    this.buckets.clear();
    this.inflight.clear();
    this.creations.clear();
    this.points.clear();
    this.spent = 0;
  }
}
