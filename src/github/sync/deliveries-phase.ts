/**
 * Missed webhooks: GitHub never redelivers a failed delivery by itself, and only for 3 days on request. This
 * phase finds the repository's hooks that point at this service and sweeps their failed deliveries
 * (src/webhooks/sweep-deliveries.ts), asking again for each one that never reached us. Runs every 30 minutes
 * looking back two hours, and over the whole 3-day window on a full sync.
 */
import { eq } from "drizzle-orm";
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

export function deliveriesPhase(full: boolean, client: GitHubClient, log: Logger): PhaseStep {
  return async (deps, input, ctx) => {
    const repo = await currentRepository(deps.db, input.repositoryId);
    const [owner = "", name = ""] = repo.fullName.split("/");
    const hooks = await deps.api.get<Hook[]>(`/repos/${repo.fullName}/hooks?per_page=100`, {
      signal: ctx.signal,
    });
    // A 304 means the hook list is as before; the sweep still runs over the hooks we saw then.
    const ours = (hooks.data ?? []).filter(
      (hook) => hook.active !== false && hook.config?.url?.includes(WEBHOOK_PATH),
    );
    let redelivered = 0;
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
      if (result.redelivered > 0)
        log.info("asked GitHub to redeliver missed webhooks", { repository: repo.fullName, ...result });
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
