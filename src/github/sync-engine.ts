/**
 * The pull sync, one idempotent step (one page) at a time; the sync-operation actor persists the cursor between
 * steps, so a takeover resumes where the last owner stopped. Phases, in order:
 *
 *   repository → labels* → milestones → issues → projects* → reconcile* → deliveries*   (* only when due)
 *
 * An incremental poll is conditional throughout (If-None-Match / If-Modified-Since; a 304 spends no rate limit).
 * A full sync re-reads everything unconditionally and tombstones what GitHub no longer lists.
 * Every write is fenced by the lease epoch and goes through the single write path per entity.
 */

import { eq } from "drizzle-orm";
import type { EffectContext, SyncEngine } from "../actors/effects.ts";
import { withFence } from "../actors/fence.ts";
import type { Database } from "../db/client.ts";
import type { Repository } from "../db/schema.ts";
import { repositories } from "../db/schema.ts";
import type { Logger } from "../logger.ts";
import type { OperationRef } from "../machines/repository.machine.ts";
import type { StepInput, SyncStep } from "../machines/sync-operation.machine.ts";
import { applyPendingEvents } from "../webhooks/apply-pending.ts";
import { nextEventRetry } from "../webhooks/due-events.ts";
import type { GitHubClient } from "./client.ts";
import type { GitHubApi } from "./github-api.ts";
import { FIRST_PROJECTS_STEP, isProjectPhase, projectsStep } from "./projects/pull.ts";
import type { PolicyOverrides } from "./push/merge.ts";
import { pushOutbox } from "./push/push-outbox.ts";
import { deliveriesPhase } from "./sync/deliveries-phase.ts";
import { issuesPhase } from "./sync/issues-phase.ts";
import { labelsPhase } from "./sync/labels-phase.ts";
import { milestonesPhase } from "./sync/milestones-phase.ts";
import { currentRepository, type PhaseDeps, type PhaseStep, type StepResult, step } from "./sync/phase.ts";
import { reconcilePhase } from "./sync/reconcile-phase.ts";
import { repositoryPhase } from "./sync/repository-phase.ts";

export interface EngineSchedule {
  /** Labels carry no updated_at and rarely change (webhooks report them): re-listed this often. */
  labelsEveryMs: number;
  /** Projects v2 by GraphQL have no conditional requests: pulled this often between webhooks. */
  projectsEveryMs: number;
  /** Deletion and transfer detection. */
  reconcileEveryMs: number;
  /** Sweep of failed webhook deliveries (GitHub never redelivers by itself). */
  deliveriesEveryMs: number;
}

export const DEFAULT_SCHEDULE: EngineSchedule = {
  labelsEveryMs: 6 * 3_600_000,
  projectsEveryMs: 15 * 60_000,
  reconcileEveryMs: 6 * 3_600_000,
  deliveriesEveryMs: 30 * 60_000,
};

export interface EngineDeps {
  db: Database;
  log: Logger;
  /** Field policies over the defaults (SYNC_FIELD_POLICIES). */
  policies?: PolicyOverrides;
  /** GitHub App auth: webhooks come through the App's hook, swept as well. */
  appMode?: boolean;
  api: GitHubApi;
  /** For the Projects v2 pull, which speaks GraphQL through Octokit directly. */
  client: GitHubClient;
  now?: () => number;
  schedule?: Partial<EngineSchedule>;
}

type PhaseName = "repository" | "labels" | "milestones" | "issues" | "projects" | "reconcile" | "deliveries";
const ORDER: PhaseName[] = [
  "repository",
  "labels",
  "milestones",
  "issues",
  "projects",
  "reconcile",
  "deliveries",
];

/** Encodes "full" into the phase name so a resumed step knows which kind of listing it is in. */
function phaseName(phase: PhaseName, full: boolean): string {
  return full ? `${phase}:full` : phase;
}

function parsePhase(name: string): { phase: PhaseName; full: boolean } {
  const [phase, mode] = name.split(":") as [PhaseName, string | undefined];
  return { phase, full: mode === "full" };
}

/** GraphQL's refusal for missing scopes or permissions (not a transient failure, not a rate limit). */
function lacksProjectAccess(error: unknown): boolean {
  const errors = (error as { errors?: { type?: string }[] })?.errors ?? [];
  if (errors.some((e) => e.type === "INSUFFICIENT_SCOPES" || e.type === "FORBIDDEN")) return true;
  return /INSUFFICIENT_SCOPES|Resource not accessible by integration|read:project/i.test(
    error instanceof Error ? error.message : "",
  );
}

export function createSyncEngine(deps: EngineDeps): SyncEngine {
  const now = deps.now ?? Date.now;
  const schedule = { ...DEFAULT_SCHEDULE, ...deps.schedule };
  const phaseDeps: PhaseDeps = { db: deps.db, api: deps.api, now };
  // The login behind our credential, asked once: it recognises issues we created (exactly-once creates).
  let me: Promise<string> | null = null;
  const login = () => {
    me ??= deps.api.get<{ login: string }>("/user", { conditional: false }).then((r) => r.data?.login ?? "");
    me.catch(() => {
      me = null;
    });
    return me;
  };
  const prefetched = new Map();
  const steps: Record<PhaseName, (full: boolean) => PhaseStep | null> = {
    repository: () => repositoryPhase,
    labels: (full) => labelsPhase(full),
    milestones: (full) => milestonesPhase(full),
    issues: (full) => issuesPhase(full, prefetched),
    // Projects have their own sub-phases (projects → project_fields → project_items per project); see runStep.
    projects: () => () => Promise.reject(new Error("projects steps run through projectsStep")),
    reconcile: () => reconcilePhase,
    deliveries: (full) => deliveriesPhase(full, deps.client, deps.log, deps.appMode),
  };

  const due = (phase: PhaseName, full: boolean, repo: Repository): boolean => {
    if (full) return true;
    const older = (at: Date | null, every: number) => at === null || now() - at.getTime() >= every;
    if (phase === "labels") return older(repo.labelsSyncedAt, schedule.labelsEveryMs);
    if (phase === "projects") return older(repo.projectsSyncedAt, schedule.projectsEveryMs);
    if (phase === "reconcile") return older(repo.lastReconcileAt, schedule.reconcileEveryMs);
    if (phase === "deliveries") return older(repo.deliveriesSweptAt, schedule.deliveriesEveryMs);
    return true;
  };

  async function nextPhase(
    after: PhaseName | null,
    full: boolean,
    repositoryId: string,
  ): Promise<SyncStep | null> {
    const repo = await currentRepository(deps.db, repositoryId);
    const start = after === null ? 0 : ORDER.indexOf(after) + 1;
    for (const phase of ORDER.slice(start)) {
      if (!due(phase, full, repo)) continue;
      // Project listings are always complete: no full/incremental variant.
      return phase === "projects" ? FIRST_PROJECTS_STEP : step(phaseName(phase, full));
    }
    return null;
  }

  return {
    firstStep(operation: OperationRef): SyncStep {
      return step(phaseName("repository", operation.syncType === "full"));
    },

    async runStep(input: StepInput, ctx: EffectContext): Promise<StepResult> {
      if (isProjectPhase(input.step.phase)) {
        let result: Awaited<ReturnType<typeof projectsStep>>;
        try {
          result = await projectsStep({ db: deps.db, client: deps.client, now }, input, ctx);
        } catch (error) {
          if (!lacksProjectAccess(error)) throw error;
          // A token without the `read:project` scope (or an App without Projects permission) still syncs
          // issues, milestones and labels; projects are tried again at their next interval.
          deps.log.warn("no access to Projects v2: skipping projects", { repository: input.fullName, error });
          await withFence(deps.db, ctx.fence, (tx) =>
            tx
              .update(repositories)
              .set({ projectsSyncedAt: new Date(now()) })
              .where(eq(repositories.id, input.repositoryId)),
          );
          const next = await nextPhase("projects", input.syncType === "full", input.repositoryId);
          return { next, processed: 0, failed: 0, pagesTotal: null };
        }
        const next =
          result.next ?? (await nextPhase("projects", input.syncType === "full", input.repositoryId));
        return { next, processed: result.processed, failed: result.failed, pagesTotal: result.pagesTotal };
      }
      const { phase, full } = parsePhase(input.step.phase);
      const run = steps[phase]?.(full);
      if (!run) throw new Error(`unknown sync phase "${input.step.phase}"`);
      const result = await run(phaseDeps, input, ctx);

      const next =
        result.next !== null
          ? { phase: input.step.phase, cursor: result.next }
          : await nextPhase(phase, full, input.repositoryId);
      return { next, processed: result.processed, failed: result.failed, pagesTotal: result.pagesTotal };
    },

    async applyEvents(repositoryId, ctx) {
      await applyPendingEvents({ db: deps.db, fence: ctx.fence, repositoryId, log: deps.log, now });
      return { nextRetryAt: await nextEventRetry(deps.db, repositoryId) };
    },

    async push(input, ctx) {
      const { openConflicts } = await pushOutbox(
        { db: deps.db, api: deps.api, now, login, policies: deps.policies },
        input.repositoryId,
        ctx,
      );
      return { openConflicts };
    },
  };
}
