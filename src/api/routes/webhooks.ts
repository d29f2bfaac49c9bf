/**
 * Webhooks: the receiver GitHub POSTs to, and the stored deliveries for operators. The receiver reads the raw
 * body itself (Elysia's parsing is off for it): the signature is over the bytes as sent, and a body over
 * GitHub's 25 MB cap must be refused without being read.
 */
import { Elysia, t } from "elysia";
import { createAccountDrainer } from "../../webhooks/account-drainer.ts";
import { createEventWriter } from "../../webhooks/event-writer.ts";
import { ingestWebhook } from "../../webhooks/ingest.ts";
import { listWebhookEvents } from "../../webhooks/list-events.ts";
import type { ApiDeps } from "../deps.ts";
import {
  DateTime,
  errorResponses,
  PageQuery,
  ProblemModel,
  pagination,
  RepositoryName,
} from "../models/common.ts";
import { toWebhookEventDto, WebhookAccepted, WebhookEventList, WebhookStatus } from "../models/webhook.ts";

const EventsQuery = t.Object({
  status: t.Optional(WebhookStatus),
  event: t.Optional(t.String({ minLength: 1, maxLength: 100, description: "X-GitHub-Event, e.g. issues" })),
  repository: t.Optional(RepositoryName),
  since: t.Optional(DateTime),
  include_payload: t.Optional(t.Boolean({ default: false, description: "Include each event's payload" })),
  ...PageQuery,
});

export function webhookRoutes(deps: ApiDeps) {
  const writer = createEventWriter(deps.db, {
    // One commit in flight: the events that arrive meanwhile form the next batch. Bigger batches cost less CPU
    // per event on both sides (measured by bench/webhooks-throughput on 2 cores: 1 in flight ~18% more
    // events/s than 2, and 2 more than 4 or 8). PGlite is one connection anyway.
    maxConcurrentCommits: 1,
  });
  const auth = deps.config.githubAuth;
  const accountDrainer = createAccountDrainer({
    db: deps.db,
    log: deps.log,
    installationId: auth.kind === "app" ? auth.installationId : null,
  });
  const ingestDeps = { secrets: deps.config.webhookSecrets, appMode: auth.kind === "app", writer };

  return new Elysia({ prefix: "/webhooks", tags: ["webhooks"] })
    .post(
      "/github",
      async ({ request, set }) => {
        const result = await ingestWebhook(ingestDeps, request);
        const { stored, envelope } = result;
        if (stored.inserted && stored.status === "pending") {
          if (stored.repositoryId) {
            // Fire and forget: GitHub is answered now; the owning actor (on whichever replica) applies it.
            deps.runtime?.wake(stored.repositoryId, "webhook").catch((error: unknown) => {
              deps.log.warn("webhook wake failed", { repositoryId: stored.repositoryId, error });
            });
          } else if (envelope.scope === "account") {
            accountDrainer.kick();
          }
        }
        set.status = result.status;
        return result.body;
      },
      {
        parse: "none",
        response: {
          200: WebhookAccepted,
          202: WebhookAccepted,
          400: ProblemModel,
          401: ProblemModel,
          413: ProblemModel,
          503: ProblemModel,
        },
        detail: {
          summary: "Receive a GitHub webhook delivery",
          description:
            "Verifies X-Hub-Signature-256 against GITHUB_WEBHOOK_SECRET (any of its comma-separated secrets), " +
            "stores the event durably, then answers: 202 accepted, 200 for ping or an already stored " +
            "X-GitHub-Delivery. 401 bad or missing signature, 400 not JSON, 413 over 25 MB, 503 no secret set.",
        },
      },
    )
    .get(
      "/events",
      async ({ query }) => {
        const page = { page: query.page ?? 1, perPage: query.per_page ?? 20 };
        const { rows, total } = await listWebhookEvents(
          deps.db,
          {
            status: query.status,
            event: query.event,
            repository: query.repository,
            since: query.since ? new Date(query.since) : undefined,
            includePayload: query.include_payload,
          },
          page,
        );
        return { data: rows.map(toWebhookEventDto), pagination: pagination(page.page, page.perPage, total) };
      },
      {
        query: EventsQuery,
        response: { 200: WebhookEventList, 422: errorResponses[422] },
        detail: { summary: "List stored webhook deliveries (newest first)" },
      },
    );
}
