/**
 * POST /api/v1/webhooks/github, as a plain function of a web-standard Request: cap, verify, parse, store,
 * answer. GitHub gives a receiver 10 s to answer 2xx and never redelivers by itself (reference §6), so the
 * only work done before answering is the one thing that must not be lost: the commit of the event.
 */
import { ProblemError } from "../api/problem.ts";
import type { DeliveryEnvelope } from "./envelope.ts";
import { type CommonPayload, readEnvelope } from "./envelope.ts";
import type { EventWriter, StoredEvent } from "./event-writer.ts";
import { MAX_PAYLOAD_BYTES } from "./limits.ts";
import { readCappedBody, tooLarge } from "./read-body.ts";
import { receivedAtNow } from "./received-at.ts";
import { jsonbSafe } from "./sanitize-payload.ts";
import { verifySignature } from "./verify-signature.ts";

export interface IngestDeps {
  secrets: readonly string[];
  appMode: boolean;
  writer: EventWriter;
  maxPayloadBytes?: number;
}

export interface IngestResult {
  status: 200 | 202;
  body: { delivery: string; event: string; status: "pending" | "ignored" | "duplicate"; duplicate: boolean };
  envelope: DeliveryEnvelope;
  stored: StoredEvent;
}

// fatal: bytes that are not UTF-8 cannot be what GitHub signed; ignoreBOM: decode → encode gives the same bytes.
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

export async function ingestWebhook(deps: IngestDeps, request: Request): Promise<IngestResult> {
  const receivedAt = receivedAtNow();
  if (deps.secrets.length === 0) {
    // Never accept unsigned deliveries: anyone could write into the mirror.
    throw new ProblemError(503, "GITHUB_WEBHOOK_SECRET is not set: webhooks cannot be verified");
  }
  const limit = deps.maxPayloadBytes ?? MAX_PAYLOAD_BYTES;
  // Before anything else: a body over GitHub's 25 MB cap is refused without reading it.
  if (Number(request.headers.get("content-length") ?? 0) > limit) throw tooLarge(limit);
  const signature = request.headers.get("x-hub-signature-256");
  if (!signature) {
    const legacy = request.headers.has("x-hub-signature");
    throw new ProblemError(
      401,
      legacy
        ? "X-Hub-Signature (SHA-1) alone is not accepted: X-Hub-Signature-256 is required"
        : "X-Hub-Signature-256 is missing",
    );
  }
  const bytes = await readCappedBody(request, limit);
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new ProblemError(401, "X-Hub-Signature-256 does not match the payload");
  }
  if (!(await verifySignature(deps.secrets, text, signature))) {
    throw new ProblemError(401, "X-Hub-Signature-256 does not match the payload");
  }

  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch {
    throw new ProblemError(400, "The payload is not valid JSON");
  }
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) {
    throw new ProblemError(400, "The payload is not a JSON object");
  }
  const envelope = readEnvelope(request.headers, payload as CommonPayload, { appMode: deps.appMode });
  if (!envelope.deliveryId) throw new ProblemError(400, "X-GitHub-Delivery is missing");
  if (!envelope.eventType) throw new ProblemError(400, "X-GitHub-Event is missing");

  const stored = await deps.writer.write({ ...envelope, payloadText: jsonbSafe(text, payload), receivedAt });
  const ping = envelope.eventType === "ping";
  if (!stored.inserted) {
    return {
      status: 200,
      body: {
        delivery: envelope.deliveryId,
        event: envelope.eventType,
        status: "duplicate",
        duplicate: true,
      },
      envelope,
      stored,
    };
  }
  return {
    status: ping ? 200 : 202,
    body: {
      delivery: envelope.deliveryId,
      event: envelope.eventType,
      status: stored.status ?? "pending",
      duplicate: false,
    },
    envelope,
    stored,
  };
}
