/**
 * Missed webhooks: GitHub never redelivers a failed delivery by itself, and only for 3 days on request. This
 * phase finds the repository's hooks that point at this service and sweeps their failed deliveries
 * (src/webhooks/sweep-deliveries.ts), asking again for each one that never reached us. Runs every 30 minutes
 * looking back two hours, and over the whole 3-day window on a full sync.
 */
import { eq } from "drizzle-orm";
import { RetryLaterError } from "../../actors/effects.ts";
import { withFence } from "../../actors/fence.ts";
import { repositories } from "../../db/schema.ts";
import type { Logger } from "../../logger.ts";
import { sweepDeliveries } from "../../webhooks/sweep-deliveries.ts";
import type { GitHubClient } from "../client.ts";
import { currentRepository, type PhaseStep } from "./phase.ts";

const WEBHOOK_PATH = "/api/v1/webhooks/github";
const LOOKBACK_MS = 2 * 3_600_000;
const WINDOW_MS = 3 * 86_400_000;

interface Hook {
  id: number;
  active?: boolean;
  config?: { url?: string };
}

/** In App mode every repository shares the App's hook: one sweep per replica per interval covers them all. */
let appSweptAt = 0;

export function deliveriesPhase(
  full: boolean,
  client: GitHubClient,
  log: Logger,
  appMode = false,
): PhaseStep {
  return async (deps, input, ctx) => {
    if (appMode && (full || deps.now() - appSweptAt >= 15 * 60_000)) {
      appSweptAt = deps.now();
      try {
        const result = await sweepDeliveries({
          client,
          db: deps.db,
          hooks: "app",
          since: new Date(deps.now() - (full ? WINDOW_MS : LOOKBACK_MS)),
          log,
          now: deps.now,
        });
        if (result.redelivered > 0) log.info("asked GitHub to redeliver missed App webhooks", { ...result });
      } catch (error) {
        // The sweep is a safety net, not the sync: an App without a webhook answers 404 here.
        if (error instanceof RetryLaterError) throw error;
        log.warn("could not sweep the App's webhook deliveries", { error });
      }
    }
    const repo = await currentRepository(deps.db, input.repositoryId);
    const [owner = "", name = ""] = repo.fullName.split("/");
    let redelivered = 0;
    try {
      // Listing hooks needs admin access to the repository (a token without it gets 404): then only the
      // incremental poll covers missed deliveries, which is said once per sweep in the log.
      const hooks = await deps.api.get<Hook[]>(`/repos/${repo.fullName}/hooks?per_page=100`, {
        signal: ctx.signal,
      });
      const ours = (hooks.data ?? []).filter(
        (hook) => hook.active !== false && hook.config?.url?.includes(WEBHOOK_PATH),
      );
      if (ours.length > 0) {
        const result = await sweepDeliveries({
          client,
          db: deps.db,
          hooks: ours.map((hook) => ({ owner, repo: name, hookId: hook.id })),
          since: new Date(deps.now() - (full ? WINDOW_MS : LOOKBACK_MS)),
          log,
          now: deps.now,
        });
        redelivered = result.redelivered;
        if (result.redelivered > 0) {
          log.info("asked GitHub to redeliver missed webhooks", { repository: repo.fullName, ...result });
        }
      }
    } catch (error) {
      if (error instanceof RetryLaterError) throw error;
      log.warn("could not sweep webhook deliveries (the poll still covers missed ones)", {
        repository: repo.fullName,
        error,
      });
    }
    await withFence(deps.db, ctx.fence, (tx) =>
      tx
        .update(repositories)
        .set({ deliveriesSweptAt: new Date(deps.now()) })
        .where(eq(repositories.id, repo.id)),
    );
    return { next: null, processed: redelivered, failed: 0, pagesTotal: 1 };
  };
}
