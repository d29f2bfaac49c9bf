/**
 * Which replicas are alive: each writes a heartbeat into a Redis sorted set (score = expiry). Used to spread
 * repositories over replicas by rendezvous hashing, so they do not all land on the first replica up.
 */
import type Redis from "ioredis";

export interface Membership {
  heartbeat(ttlMs: number): Promise<void>;
  live(): Promise<string[]>;
  leave(): Promise<void>;
}

const KEY = "gt:replicas";

export function createRedisMembership(
  redis: Redis,
  replicaId: string,
  now: () => number = Date.now,
): Membership {
  return {
    async heartbeat(ttlMs) {
      await redis
        .multi()
        .zadd(KEY, now() + ttlMs, replicaId)
        .zremrangebyscore(KEY, "-inf", now())
        .exec();
    },
    async live() {
      return (await redis.zrangebyscore(KEY, now(), "+inf")).sort();
    },
    async leave() {
      await redis.zrem(KEY, replicaId);
    },
  };
}

export function createSoloMembership(replicaId: string): Membership {
  return {
    heartbeat: async () => {},
    live: async () => [replicaId],
    leave: async () => {},
  };
}

/** FNV-1a: a stable, well-spread 32-bit hash; no cryptographic strength needed. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** Rendezvous (highest random weight) hashing: each repository's preferred replica among the live ones. */
export function preferredReplica(live: string[], repositoryId: string): string | null {
  let best: string | null = null;
  let bestScore = -1;
  for (const replica of live) {
    const score = fnv1a(`${replica}\u0000${repositoryId}`);
    if (score > bestScore || (score === bestScore && best !== null && replica < best)) {
      best = replica;
      bestScore = score;
    }
  }
  return best;
}
