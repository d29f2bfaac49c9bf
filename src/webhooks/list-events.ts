/** GET /api/v1/webhooks/events: stored deliveries, newest first; the payload only when asked for (it can be 25 MB). */
import { and, count, desc, eq, getTableColumns, gte, type SQL } from "drizzle-orm";
import type { Executor } from "../db/client.ts";
import { offsetOf, type Page } from "../db/queries/filters.ts";
import { type WEBHOOK_STATUSES, type WebhookEvent, webhookEvents } from "../db/schema.ts";

export interface WebhookEventFilter {
  status?: (typeof WEBHOOK_STATUSES)[number];
  event?: string;
  repository?: string;
  since?: Date;
  includePayload?: boolean;
}

export type ListedWebhookEvent = Omit<WebhookEvent, "payload"> & { payload?: Record<string, unknown> };

export async function listWebhookEvents(
  db: Executor,
  filter: WebhookEventFilter,
  page: Page,
): Promise<{ rows: ListedWebhookEvent[]; total: number }> {
  const where: SQL[] = [];
  if (filter.status) where.push(eq(webhookEvents.processingStatus, filter.status));
  if (filter.event) where.push(eq(webhookEvents.eventType, filter.event));
  if (filter.repository) where.push(eq(webhookEvents.repositoryFullName, filter.repository.toLowerCase()));
  if (filter.since) where.push(gte(webhookEvents.receivedAt, filter.since));
  const condition = and(...where);
  const { payload, ...withoutPayload } = getTableColumns(webhookEvents);
  const columns = filter.includePayload ? { ...withoutPayload, payload } : withoutPayload;
  const [rows, totals] = await Promise.all([
    db
      .select(columns)
      .from(webhookEvents)
      .where(condition)
      .orderBy(desc(webhookEvents.receivedAt), desc(webhookEvents.id))
      .limit(page.perPage)
      .offset(offsetOf(page)),
    db.select({ total: count() }).from(webhookEvents).where(condition),
  ]);
  return { rows, total: totals[0]?.total ?? 0 };
}
