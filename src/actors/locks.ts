/**
 * Who may try to drive a repository: redlock on Redis across replicas, or an in-process lock in embedded mode.
 * Not trusted for safety (a paused process can outlive its lock): the lease epoch in Postgres fences writes.
 *
 * redlock 4.2.0 (the stable release) with our own extension loop rather than 5.0-beta's `using()`, whose
 * expiry was counted from the first attempt and failed with "Cannot extend an already-expired lock" under
 * contention (node-redlock #169/#296; the fixes were never published). A lock that has expired locally is
 * never extended: the repository is given up instead.
 */
import type Redis from "ioredis";
import Redlock from "redlock";

export interface HeldLock {
  key: string;
  /** Epoch ms when the lock lapses unless extended. */
  expiresAt: number;
}

export interface LockProvider {
  /** Take the lock if free; null when someone else holds it. */
  acquire(key: string, ttlMs: number): Promise<HeldLock | null>;
  /** Extend; null when the lock was lost (expired, taken, or Redis unreachable). */
  extend(lock: HeldLock, ttlMs: number): Promise<HeldLock | null>;
  release(lock: HeldLock): Promise<void>;
}

export function createRedlockProvider(redis: Redis, now: () => number = Date.now): LockProvider {
  // retryCount 0: a held lock means another replica drives the repository; the scheduler tries again next tick.
  // ioredis 6 still speaks the callback API redlock 4 uses; its typings predate ioredis 6.
  const redlock = new Redlock([redis as unknown as Redlock.CompatibleRedisClient], {
    retryCount: 0,
    driftFactor: 0.01,
  });
  const handles = new Map<string, Redlock.Lock>();
  return {
    async acquire(key, ttlMs) {
      try {
        const lock = await redlock.lock(key, ttlMs);
        handles.set(key, lock);
        return { key, expiresAt: lock.expiration };
      } catch {
        return null;
      }
    },
    async extend(held, ttlMs) {
      const lock = handles.get(held.key);
      if (!lock || lock.expiration <= now()) {
        handles.delete(held.key);
        return null;
      }
      try {
        // extend() may hand back a new Lock object (#103): keep whichever it returns.
        const extended = await lock.extend(ttlMs);
        handles.set(held.key, extended);
        return { key: held.key, expiresAt: extended.expiration };
      } catch {
        handles.delete(held.key);
        return null;
      }
    },
    async release(held) {
      const lock = handles.get(held.key);
      handles.delete(held.key);
      await lock?.unlock().catch(() => undefined);
    },
  };
}

/** Embedded mode: one process, so a map is the lock. */
export function createInProcessLockProvider(now: () => number = Date.now): LockProvider {
  const held = new Map<string, number>();
  return {
    async acquire(key, ttlMs) {
      const until = held.get(key);
      if (until !== undefined && until > now()) return null;
      const expiresAt = now() + ttlMs;
      held.set(key, expiresAt);
      return { key, expiresAt };
    },
    async extend(lock, ttlMs) {
      if (held.get(lock.key) !== lock.expiresAt) return null;
      const expiresAt = now() + ttlMs;
      held.set(lock.key, expiresAt);
      return { key: lock.key, expiresAt };
    },
    async release(lock) {
      if (held.get(lock.key) === lock.expiresAt) held.delete(lock.key);
    },
  };
}
