/**
 * The push effect: the repository's outbox, serially, oldest first. Writes are spaced by the request policy
 * (at least 1 s apart against github.com). A rate limit or a transient failure stops the run (the actor backs
 * off and comes back); a request GitHub refuses for good (4xx) fails that entry, visibly, and the run goes on.
 */

import type { EffectContext } from "../../actors/effects.ts";
import { RetryLaterError } from "../../actors/effects.ts";
import { withFence } from "../../actors/fence.ts";
import type { Database } from "../../db/client.ts";
import type { GitHubApi } from "../github-api.ts";
import { currentRepository } from "../sync/phase.ts";
import type { PolicyOverrides } from "./merge.ts";
import {
  finishEntry,
  fold,
  laterUpdates,
  nextEntry,
  openConflictCount,
  refreshSyncState,
} from "./outbox-store.ts";
import type { PushContext } from "./push-context.ts";
import { pushIssue } from "./push-issue.ts";
import { pushLabel } from "./push-label.ts";
import { pushMilestone } from "./push-milestone.ts";
import { pushProject } from "./push-project.ts";
import { pushProjectItem } from "./push-project-item.ts";

export interface PushDeps {
  db: Database;
  api: GitHubApi;
  now: () => number;
  login: () => Promise<string>;
  policies?: PolicyOverrides;
}

const PERMANENT = new Set([400, 404, 410, 422]);

export async function pushOutbox(
  deps: PushDeps,
  repositoryId: string,
  ctx: EffectContext,
): Promise<{ openConflicts: number; pushed: number }> {
  const push: PushContext = { ...deps, fence: ctx.fence, signal: ctx.signal };
  let pushed = 0;
  for (;;) {
    if (ctx.signal.aborted) break;
    const entry = await nextEntry(deps.db, repositoryId, new Date(deps.now()));
    if (!entry) break;
    const repo = await currentRepository(deps.db, repositoryId);
    const later = await laterUpdates(deps.db, entry);
    const folded = later.map((e) => e.id);
    try {
      if (entry.entityType === "issue") await pushIssue(push, repo, fold(entry, later), folded);
      else if (entry.entityType === "milestone") await pushMilestone(push, repo, fold(entry, later), folded);
      else if (entry.entityType === "label") await pushLabel(push, repo, fold(entry, later), folded);
      else if (entry.entityType === "project") await pushProject(push, repo, fold(entry, later), folded);
      else if (entry.entityType === "project_item") await pushProjectItem(push, fold(entry, later), folded);
      else {
        await withFence(deps.db, ctx.fence, async (tx) => {
          await finishEntry(
            tx,
            entry.id,
            "failed",
            `pushing ${entry.entityType} changes is not supported yet`,
          );
          await refreshSyncState(tx, entry.entityType, entry.entityId);
        });
      }
      pushed++;
    } catch (error) {
      const status = (error as { status?: number }).status;
      if (error instanceof RetryLaterError || typeof status !== "number" || !PERMANENT.has(status))
        throw error;
      const message = error instanceof Error ? error.message : String(error);
      await withFence(deps.db, ctx.fence, async (tx) => {
        await finishEntry(tx, entry.id, "failed", `GitHub refused it (${status}): ${message}`);
        await refreshSyncState(tx, entry.entityType, entry.entityId);
      });
    }
  }
  return { openConflicts: await openConflictCount(deps.db, repositoryId), pushed };
}
