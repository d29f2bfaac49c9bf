/**
 * What ingestion needs from a delivery before storing it: the headers GitHub sends and the few common payload
 * keys (reference §6), and the decision whether the event is ours to apply.
 */
import { ACCOUNT_EVENTS, REPOSITORY_EVENTS } from "./limits.ts";

export interface DeliveryEnvelope {
  deliveryId: string;
  eventType: string;
  hookId: number | null;
  action: string | null;
  repositoryFullName: string | null;
  repositoryGithubId: number | null;
  installationId: number | null;
  /**
   * repository: applied by the repository's actor when the repository is tracked (else ignored);
   * account: no repository, applied per installation or organization; ignored: stored for the record only.
   */
  scope: "repository" | "account" | "ignored";
  /** Why an event is stored as ignored. */
  reason: string | null;
}

export interface CommonPayload {
  action?: unknown;
  repository?: { full_name?: unknown; id?: unknown } | null;
  installation?: { id?: unknown } | null;
}

const asString = (v: unknown): string | null => (typeof v === "string" && v.length > 0 ? v : null);
const asId = (v: unknown): number | null => (typeof v === "number" && Number.isSafeInteger(v) ? v : null);

export function readEnvelope(
  headers: Headers,
  payload: CommonPayload,
  options: { appMode: boolean },
): DeliveryEnvelope {
  const eventType = headers.get("x-github-event") ?? "";
  const hookHeader = headers.get("x-github-hook-id");
  const hookId = hookHeader && /^\d+$/.test(hookHeader) ? Number(hookHeader) : null;
  const repositoryFullName = asString(payload.repository?.full_name);
  const base = {
    deliveryId: headers.get("x-github-delivery") ?? "",
    eventType,
    hookId: hookId !== null && Number.isSafeInteger(hookId) ? hookId : null,
    action: asString(payload.action),
    repositoryFullName: repositoryFullName?.toLowerCase() ?? null,
    repositoryGithubId: asId(payload.repository?.id),
    installationId: asId(payload.installation?.id),
  };
  if (REPOSITORY_EVENTS.has(eventType)) {
    if (!repositoryFullName) return { ...base, scope: "ignored", reason: "no repository in the payload" };
    return { ...base, scope: "repository", reason: null };
  }
  if (ACCOUNT_EVENTS.has(eventType)) {
    if (eventType.startsWith("installation") && !options.appMode) {
      return { ...base, scope: "ignored", reason: "installation events are applied in GitHub App mode only" };
    }
    return { ...base, scope: "account", reason: null };
  }
  if (eventType === "ping") return { ...base, scope: "ignored", reason: "ping" };
  return { ...base, scope: "ignored", reason: `event type ${eventType} is not mirrored` };
}
