/**
 * The lease row in Postgres: the fencing epoch, who holds it and until when. Redis (or the in-process lock)
 * decides who may try; this row is the record, and its epoch is the fencing token.
 */
import { and, eq, sql } from "drizzle-orm";
import type { Executor } from "../db/client.ts";
import { repositories } from "../db/schema.ts";

/** Take the lease: a new epoch, so every write of any previous holder is rejected from now on. */
export async function acquireLease(
  db: Executor,
  repositoryId: string,
  holder: string,
  ttlMs: number,
): Promise<number> {
  const [row] = await db
    .update(repositories)
    .set({
      leaseEpoch: sql`${repositories.leaseEpoch} + 1`,
      leaseHolder: holder,
      leaseUntil: sql`now() + make_interval(secs => ${ttlMs / 1000})`,
      updatedAt: sql`now()`,
    })
    .where(eq(repositories.id, repositoryId))
    .returning({ epoch: repositories.leaseEpoch });
  if (!row) throw new Error(`repository ${repositoryId} does not exist`);
  return row.epoch;
}

/** Extend lease_until; false when the epoch moved on (someone else holds it now). */
export async function renewLease(
  db: Executor,
  repositoryId: string,
  epoch: number,
  ttlMs: number,
): Promise<boolean> {
  const rows = await db
    .update(repositories)
    .set({ leaseUntil: sql`now() + make_interval(secs => ${ttlMs / 1000})` })
    .where(and(eq(repositories.id, repositoryId), eq(repositories.leaseEpoch, epoch)))
    .returning({ id: repositories.id });
  return rows.length > 0;
}

/** Give the lease up (shutdown, rebalancing): the epoch stays, so the next holder still gets a higher one. */
export async function releaseLease(db: Executor, repositoryId: string, epoch: number): Promise<void> {
  await db
    .update(repositories)
    .set({ leaseHolder: null, leaseUntil: null })
    .where(and(eq(repositories.id, repositoryId), eq(repositories.leaseEpoch, epoch)));
}
