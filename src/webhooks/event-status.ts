/** Outcome bookkeeping on webhook_events, inside the applying transaction. */
import { inArray, sql } from "drizzle-orm";
import type { Tx } from "../db/client.ts";
import { type WebhookEvent, webhookEvents } from "../db/schema.ts";
import { nextRetryAt } from "./backoff.ts";

export async function markProcessed(tx: Tx, ids: string[], now: number): Promise<void> {
  if (ids.length === 0) return;
  await tx
    .update(webhookEvents)
    .set({ processingStatus: "processed", processedAt: new Date(now), errorMessage: null, nextRetryAt: null })
    .where(inArray(webhookEvents.id, ids));
}

export async function markFailed(
  tx: Tx,
  event: Pick<WebhookEvent, "id" | "retryCount">,
  error: unknown,
  now: number,
): Promise<void> {
  const retryCount = event.retryCount + 1;
  const message = error instanceof Error ? error.message : String(error);
  await tx
    .update(webhookEvents)
    .set({
      processingStatus: "failed",
      errorMessage: message.slice(0, 2000),
      retryCount,
      nextRetryAt: nextRetryAt(retryCount, now),
      processedAt: new Date(now),
    })
    .where(sql`${webhookEvents.id} = ${event.id}`);
}
