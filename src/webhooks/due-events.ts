/**
 * The events waiting to be applied, in received order: pending ones, and failed ones whose retry is due.
 * `for update skip locked`: two appliers (a handed-over actor, a second replica draining account events)
 * never take the same event.
 */
import { and, asc, eq, inArray, isNull, lte, or, type SQL, sql } from "drizzle-orm";
import type { Executor, Tx } from "../db/client.ts";
import { type WebhookEvent, webhookEvents } from "../db/schema.ts";

export async function loadDueEvents(tx: Tx, scope: SQL, now: number, limit: number): Promise<WebhookEvent[]> {
  return tx
    .select()
    .from(webhookEvents)
    .where(
      and(
        scope,
        or(
          eq(webhookEvents.processingStatus, "pending"),
          and(eq(webhookEvents.processingStatus, "failed"), lte(webhookEvents.nextRetryAt, new Date(now))),
        ),
      ),
    )
    .orderBy(asc(webhookEvents.receivedAt), asc(webhookEvents.id))
    .limit(limit)
    .for("update", { skipLocked: true });
}

export const forRepository = (repositoryId: string): SQL => eq(webhookEvents.repositoryId, repositoryId);
export const accountEvents = (types: Iterable<string>): SQL =>
  and(isNull(webhookEvents.repositoryId), inArray(webhookEvents.eventType, [...types]))!;

/** When the earliest failed event of a repository is due again (epoch ms); null when none waits. */
export async function nextEventRetry(db: Executor, repositoryId: string): Promise<number | null> {
  const [row] = await db
    .select({ at: sql<string | null>`min(${webhookEvents.nextRetryAt})::text` })
    .from(webhookEvents)
    .where(and(forRepository(repositoryId), eq(webhookEvents.processingStatus, "failed")));
  return row?.at ? Date.parse(row.at) : null;
}
