/**
 * Fencing: every write made for a repository runs in a transaction that first checks the repository's
 * lease_epoch is still the one this replica was granted. `FOR SHARE` holds the lease row so a concurrent
 * takeover (which increments the epoch) waits for this transaction, and every later write of the old owner
 * sees the new epoch and fails. Redis decides who should drive; this is what makes it safe (Kleppmann's
 * fencing token, Temporal's range_id).
 */
import { sql } from "drizzle-orm";
import { type Executor, rowsOf, type Tx } from "../db/client.ts";

export class OwnershipLostError extends Error {
  constructor(
    readonly repositoryId: string,
    readonly epoch: number,
  ) {
    super(`ownership of repository ${repositoryId} lost: lease epoch ${epoch} is no longer current`);
    this.name = "OwnershipLostError";
  }
}

export interface Fence {
  repositoryId: string;
  epoch: number;
}

/** Inside a transaction: throw OwnershipLostError unless the fence's epoch is current. */
export async function assertFence(tx: Executor, fence: Fence): Promise<void> {
  const rows = rowsOf<{ ok: number }>(
    await tx.execute(
      sql`select 1 as ok from repositories where id = ${fence.repositoryId} and lease_epoch = ${fence.epoch} for share`,
    ),
  );
  if (rows.length === 0) throw new OwnershipLostError(fence.repositoryId, fence.epoch);
}

/** Run `fn` in one transaction fenced by the lease epoch. */
export async function withFence<T>(db: Executor, fence: Fence, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await assertFence(tx, fence);
    return fn(tx);
  });
}
