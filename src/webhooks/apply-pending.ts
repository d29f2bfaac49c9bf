/**
 * Applied by the repository's actor (the one replica holding its lease): that repository's pending events,
 * and failed ones due for a retry, in received order, each in a savepoint of one fenced transaction. A
 * failing event is marked failed with a backoff and does not hold back the others; losing the lease aborts
 * the whole batch (nothing is written by a replica that no longer owns the repository).
 */
import { eq, inArray } from "drizzle-orm";
import type { Fence } from "../actors/fence.ts";
import { OwnershipLostError, withFence } from "../actors/fence.ts";
import type { Database } from "../db/client.ts";
import { repositories, webhookEvents } from "../db/schema.ts";
import type { Logger } from "../logger.ts";
import { applyRepositoryEvent } from "./apply-repository-event.ts";
import { forRepository, loadDueEvents } from "./due-events.ts";
import { markFailed, markProcessed } from "./event-status.ts";

export interface ApplyPendingOptions {
  db: Database;
  fence: Fence;
  repositoryId: string;
  log: Logger;
  now?: () => number;
  /** Events per transaction. */
  batchSize?: number;
}

export interface ApplyResult {
  processed: number;
  failed: number;
}

export async function applyPendingEvents(options: ApplyPendingOptions): Promise<ApplyResult> {
  const { db, fence, repositoryId, log } = options;
  const now = options.now ?? Date.now;
  const batchSize = options.batchSize ?? 200;
  const total: ApplyResult = { processed: 0, failed: 0 };
  for (;;) {
    const { loaded, result } = await withFence(db, fence, async (tx) => {
      const at = now();
      const events = await loadDueEvents(tx, forRepository(repositoryId), at, batchSize);
      const result: ApplyResult = { processed: 0, failed: 0 };
      if (events.length === 0) return { loaded: 0, result };
      const [repo] = await tx
        .select({ id: repositories.id, fullName: repositories.fullName })
        .from(repositories)
        .where(eq(repositories.id, repositoryId));
      if (!repo) return { loaded: 0, result };
      const done: string[] = [];
      const ignored: string[] = [];
      for (const event of events) {
        try {
          const outcome = await tx.transaction((sp) => applyRepositoryEvent(sp, repo, event));
          (outcome === "processed" ? done : ignored).push(event.id);
        } catch (error) {
          if (error instanceof OwnershipLostError) throw error;
          log.warn("webhook event failed to apply", {
            delivery: event.githubDeliveryId,
            event: `${event.eventType}.${event.action ?? ""}`,
            retryCount: event.retryCount + 1,
            error,
          });
          await markFailed(tx, event, error, at);
          result.failed++;
        }
      }
      await markProcessed(tx, done, at);
      if (ignored.length > 0) {
        await tx
          .update(webhookEvents)
          .set({ processingStatus: "ignored", processedAt: new Date(at) })
          .where(inArray(webhookEvents.id, ignored));
      }
      result.processed = done.length;
      return { loaded: events.length, result };
    });
    total.processed += result.processed;
    total.failed += result.failed;
    if (loaded < batchSize) return total;
  }
}
