/**
 * One rate budget per credential and resource, from the x-ratelimit-* headers of every response and from
 * GraphQL's rateLimit object. Reads stop short of zero, keeping a reserve for writes (local edits must still
 * reach GitHub when a big pull has eaten the hour's quota); a read that would dip into the reserve waits for the
 * reset instead, as a RetryLaterError, so the repository actor shows backing-off until then.
 */
import { sql } from "drizzle-orm";
import { RetryLaterError } from "../actors/effects.ts";
import type { Database } from "../db/client.ts";
import { githubRateLimits } from "../db/schema.ts";

export interface BudgetFigures {
  credential: string;
  resource: string;
  limit: number;
  remaining: number;
  used: number;
  resetAt: number;
}

/** Points kept back for writes: 5 % of the limit, at least 50. */
export function writeReserve(limit: number): number {
  return Math.max(50, Math.ceil(limit * 0.05));
}

export class RateBudget {
  private readonly figures = new Map<string, BudgetFigures>();
  private dirty = new Set<string>();

  constructor(private readonly now: () => number = Date.now) {}

  private key(credential: string, resource: string) {
    return `${credential}\u0000${resource}`;
  }

  /** Record what GitHub said on a response. */
  observe(credential: string, headers: Record<string, string | number | undefined>): void {
    const limit = Number(headers["x-ratelimit-limit"]);
    const remaining = Number(headers["x-ratelimit-remaining"]);
    const reset = Number(headers["x-ratelimit-reset"]);
    if (!Number.isFinite(limit) || !Number.isFinite(remaining) || !Number.isFinite(reset)) return;
    const resource = String(headers["x-ratelimit-resource"] ?? "core");
    this.set({
      credential,
      resource,
      limit,
      remaining,
      used: Number(headers["x-ratelimit-used"] ?? limit - remaining),
      resetAt: reset * 1000,
    });
  }

  /** GraphQL's rateLimit { limit remaining used resetAt }. */
  observeGraphql(
    credential: string,
    rate: { limit?: number; remaining?: number; used?: number; resetAt?: string } | null | undefined,
  ): void {
    if (!rate || rate.limit === undefined || rate.remaining === undefined || !rate.resetAt) return;
    this.set({
      credential,
      resource: "graphql",
      limit: rate.limit,
      remaining: rate.remaining,
      used: rate.used ?? rate.limit - rate.remaining,
      resetAt: Date.parse(rate.resetAt),
    });
  }

  private set(figures: BudgetFigures): void {
    const key = this.key(figures.credential, figures.resource);
    this.figures.set(key, figures);
    this.dirty.add(key);
  }

  /** Before a read: refuse (until the reset) when only the write reserve is left. */
  assertReadAllowed(credential: string, resource: string): void {
    const figures = this.figures.get(this.key(credential, resource));
    if (!figures || figures.resetAt <= this.now()) return;
    if (figures.remaining <= writeReserve(figures.limit)) {
      throw new RetryLaterError(
        `rate budget for ${resource} down to ${figures.remaining}/${figures.limit}, the reserve for writes; ` +
          `reads resume at the reset`,
        figures.resetAt,
        "rate_limited",
      );
    }
  }

  all(): BudgetFigures[] {
    return [...this.figures.values()];
  }

  /** Persist changed figures so every replica's /sync/status can show them. */
  async flush(db: Database): Promise<void> {
    if (this.dirty.size === 0) return;
    const rows = [...this.dirty].map((key) => this.figures.get(key)).filter((f): f is BudgetFigures => !!f);
    this.dirty = new Set();
    await db
      .insert(githubRateLimits)
      .values(
        rows.map((f) => ({
          credential: f.credential,
          resource: f.resource,
          limit: f.limit,
          remaining: f.remaining,
          used: f.used,
          resetAt: new Date(f.resetAt),
        })),
      )
      .onConflictDoUpdate({
        target: [githubRateLimits.credential, githubRateLimits.resource],
        set: {
          limit: sql`excluded.limit`,
          remaining: sql`excluded.remaining`,
          used: sql`excluded.used`,
          resetAt: sql`excluded.reset_at`,
          updatedAt: sql`now()`,
        },
      });
  }
}
