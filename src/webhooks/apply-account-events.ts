/**
 * Events without a repository: installation and installation_repositories (App mode: repositories tracked and
 * untracked) and projects_v2 / projects_v2_item (owner-level, not repository-level). No repository fence
 * applies; `for update skip locked` keeps two replicas from taking the same event, and every write is
 * idempotent.
 */
import type { Database } from "../db/client.ts";
import type { Logger } from "../logger.ts";
import { applyInstallationEvent } from "./apply/installation.ts";
import { applyProjectEvent } from "./apply/projects.ts";
import type { ApplyResult } from "./apply-pending.ts";
import { accountEvents, loadDueEvents } from "./due-events.ts";
import { markFailed, markProcessed } from "./event-status.ts";
import { INSTALLATION_EVENTS, PROJECT_EVENTS } from "./limits.ts";

export interface ApplyAccountOptions {
  db: Database;
  log: Logger;
  now?: () => number;
  /** GITHUB_APP_INSTALLATION_ID: when set, other installations' events change nothing. */
  installationId?: number | null;
  batchSize?: number;
}

export interface AccountApplyResult extends ApplyResult {
  /** Project events left pending until their write path exists (see apply/projects.ts). */
  deferred: number;
  tracked: string[];
  untracked: string[];
}

export async function applyPendingAccountEvents(options: ApplyAccountOptions): Promise<AccountApplyResult> {
  const { db, log } = options;
  const now = options.now ?? Date.now;
  const total: AccountApplyResult = { processed: 0, failed: 0, deferred: 0, tracked: [], untracked: [] };
  return db.transaction(async (tx) => {
    const at = now();
    // One batch of each kind per call: deferred project events stay pending, so looping until empty would never
    // end, and loading them apart keeps a backlog of them from hiding installation events.
    const limit = options.batchSize ?? 500;
    const events = [
      ...(await loadDueEvents(tx, accountEvents(INSTALLATION_EVENTS), at, limit)),
      ...(await loadDueEvents(tx, accountEvents(PROJECT_EVENTS), at, limit)),
    ];
    const done: string[] = [];
    for (const event of events) {
      try {
        await tx.transaction(async (sp) => {
          if (INSTALLATION_EVENTS.has(event.eventType)) {
            const wanted = options.installationId;
            if (wanted != null && event.installationId !== wanted) return done.push(event.id);
            const change = await applyInstallationEvent(sp, event);
            total.tracked.push(...change.tracked);
            total.untracked.push(...change.untracked);
            return done.push(event.id);
          }
          if ((await applyProjectEvent(sp, event)) === "applied") return done.push(event.id);
          total.deferred++;
        });
      } catch (error) {
        log.warn("webhook event failed to apply", {
          delivery: event.githubDeliveryId,
          event: `${event.eventType}.${event.action ?? ""}`,
          error,
        });
        await markFailed(tx, event, error, at);
        total.failed++;
      }
    }
    await markProcessed(tx, done, at);
    total.processed = done.length;
    return total;
  });
}
