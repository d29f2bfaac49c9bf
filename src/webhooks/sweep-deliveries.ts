/**
 * Missed deliveries. GitHub never redelivers a failed delivery by itself and keeps it redeliverable for only
 * 3 days (reference §6), so a periodic sweep lists each hook's failed deliveries inside that window and asks
 * for another attempt of every one whose GUID is not in webhook_events. The redelivery keeps its GUID, so a
 * delivery that did reach us after all is a harmless duplicate. Beyond the window, the incremental poll is
 * the last safety net.
 */
import { inArray } from "drizzle-orm";
import type { Executor } from "../db/client.ts";
import { webhookEvents } from "../db/schema.ts";
import { type GitHubClient, parseLink } from "../github/client.ts";
import type { Logger } from "../logger.ts";
import { REDELIVERY_WINDOW_MS } from "./limits.ts";

export interface RepositoryHook {
  owner: string;
  repo: string;
  hookId: number;
}

export interface SweepOptions {
  /** An App-authenticated client for "app" (the deliveries API of the App hook needs the App's JWT). */
  client: GitHubClient;
  db: Executor;
  /** Repository hooks, or "app" for the GitHub App's hook (/app/hook/deliveries). */
  hooks: RepositoryHook[] | "app";
  /** Look at deliveries from here on; clamped to GitHub's 3-day window. */
  since: Date;
  log: Logger;
  now?: () => number;
  /** Bound on pages read per hook (100 deliveries each). */
  maxPages?: number;
}

export interface SweepResult {
  /** Failed deliveries seen in the window. */
  failed: number;
  /** GUIDs already stored: they reached us on another attempt. */
  alreadyStored: number;
  redelivered: number;
  /** Redelivery requests GitHub refused (e.g. too old), per GUID. */
  errors: { guid: string; message: string }[];
}

interface DeliveryItem {
  id: number;
  guid: string;
  delivered_at: string;
  status_code: number;
}

export async function sweepDeliveries(options: SweepOptions): Promise<SweepResult> {
  const now = options.now ?? Date.now;
  const since = Math.max(options.since.getTime(), now() - REDELIVERY_WINDOW_MS);
  const result: SweepResult = { failed: 0, alreadyStored: 0, redelivered: 0, errors: [] };
  const targets =
    options.hooks === "app"
      ? [
          {
            list: "GET /app/hook/deliveries",
            attempt: "POST /app/hook/deliveries/{delivery_id}/attempts",
            params: {},
          },
        ]
      : options.hooks.map((h) => ({
          list: "GET /repos/{owner}/{repo}/hooks/{hook_id}/deliveries",
          attempt: "POST /repos/{owner}/{repo}/hooks/{hook_id}/deliveries/{delivery_id}/attempts",
          params: { owner: h.owner, repo: h.repo, hook_id: h.hookId },
        }));
  for (const target of targets) {
    const failed = await listFailed(options, target.list, target.params, since);
    result.failed += failed.size;
    if (failed.size === 0) continue;
    const stored = await storedGuids(options.db, [...failed.keys()]);
    for (const [guid, deliveryId] of failed) {
      if (stored.has(guid)) {
        result.alreadyStored++;
        continue;
      }
      try {
        await options.client.request(target.attempt, { ...target.params, delivery_id: deliveryId });
        result.redelivered++;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        options.log.warn("webhook redelivery refused", { guid, deliveryId, error: message });
        result.errors.push({ guid, message });
      }
    }
  }
  if (result.redelivered > 0 || result.errors.length > 0)
    options.log.info("webhook deliveries swept", { ...result });
  return result;
}

/**
 * Failed deliveries since `since`, newest attempt per GUID (a GUID may have failed several times). The list is
 * newest first, so paging stops at the first delivery older than the window.
 */
async function listFailed(
  options: SweepOptions,
  route: string,
  params: Record<string, string | number>,
  since: number,
): Promise<Map<string, number>> {
  const failed = new Map<string, number>();
  let cursor: string | undefined;
  for (let page = 0; page < (options.maxPages ?? 50); page++) {
    const response = await options.client.request(route, {
      ...params,
      per_page: 100,
      status: "failure",
      ...(cursor ? { cursor } : {}),
    });
    const items = response.data as DeliveryItem[];
    let reachedOld = false;
    for (const item of items) {
      if (Date.parse(item.delivered_at) < since) {
        reachedOld = true;
        break;
      }
      if (!failed.has(item.guid)) failed.set(item.guid, item.id);
    }
    const next = parseLink(response.headers.link as string | undefined).next;
    if (reachedOld || !next) break;
    cursor = new URL(next).searchParams.get("cursor") ?? undefined;
    if (!cursor) break;
  }
  return failed;
}

async function storedGuids(db: Executor, guids: string[]): Promise<Set<string>> {
  const rows = await db
    .select({ guid: webhookEvents.githubDeliveryId })
    .from(webhookEvents)
    .where(inArray(webhookEvents.githubDeliveryId, guids));
  return new Set(rows.map((r) => r.guid));
}
