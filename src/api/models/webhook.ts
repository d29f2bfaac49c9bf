import { t } from "elysia";
import type { ListedWebhookEvent } from "../../webhooks/list-events.ts";
import { DateTime, iso, NullableDateTime, Pagination } from "./common.ts";

export const WebhookStatus = t.Union(
  [t.Literal("pending"), t.Literal("processed"), t.Literal("failed"), t.Literal("ignored")],
  {
    description: "pending: stored, not yet applied; ignored: not mirrored (event type, untracked repository)",
  },
);

export const WebhookEventModel = t.Object(
  {
    id: t.String({ format: "uuid" }),
    delivery_id: t.String({ description: "X-GitHub-Delivery; unchanged on redelivery" }),
    hook_id: t.Nullable(t.Integer()),
    event: t.String({ description: "X-GitHub-Event" }),
    action: t.Nullable(t.String()),
    repository: t.Nullable(t.String()),
    repository_id: t.Nullable(t.String({ format: "uuid" })),
    installation_id: t.Nullable(t.Integer()),
    status: WebhookStatus,
    error_message: t.Nullable(t.String()),
    retry_count: t.Integer(),
    next_retry_at: NullableDateTime,
    received_at: DateTime,
    processed_at: NullableDateTime,
    payload: t.Optional(t.Record(t.String(), t.Unknown(), { description: "Only with include_payload=true" })),
  },
  {
    examples: [
      {
        id: "0b6f3f5e-8d1c-4c1b-9a55-3c3f4b2a1e77",
        delivery_id: "72d3162e-cc78-11e3-81ab-4c9367dc0958",
        hook_id: 12345678,
        event: "issues",
        action: "opened",
        repository: "octo-org/sandbox",
        repository_id: "3f2b8c1e-2a51-4bb0-8d5e-0c6f2d5b7a11",
        installation_id: null,
        status: "processed",
        error_message: null,
        retry_count: 0,
        next_retry_at: null,
        received_at: "2024-01-15T16:00:00.123456Z",
        processed_at: "2024-01-15T16:00:00.140Z",
      },
    ],
  },
);
export type WebhookEventDto = typeof WebhookEventModel.static;
export const WebhookEventList = t.Object({ data: t.Array(WebhookEventModel), pagination: Pagination });

export const WebhookAccepted = t.Object({
  delivery: t.String(),
  event: t.String(),
  status: t.Union([t.Literal("pending"), t.Literal("ignored"), t.Literal("duplicate")]),
  duplicate: t.Boolean(),
});

export function toWebhookEventDto(row: ListedWebhookEvent): WebhookEventDto {
  return {
    id: row.id,
    delivery_id: row.githubDeliveryId,
    hook_id: row.hookId,
    event: row.eventType,
    action: row.action,
    repository: row.repositoryFullName,
    repository_id: row.repositoryId,
    installation_id: row.installationId,
    status: row.processingStatus,
    error_message: row.errorMessage,
    retry_count: row.retryCount,
    next_retry_at: iso(row.nextRetryAt),
    received_at: row.receivedAt.toISOString(),
    processed_at: iso(row.processedAt),
    ...(row.payload !== undefined ? { payload: row.payload } : {}),
  };
}
