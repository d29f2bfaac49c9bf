/**
 * The pull sync, one idempotent step at a time (the sync-operation actor persists the cursor between steps):
 *   repository → issues (state=all, sort=updated, direction=asc, since = high-water mark − overlap, 100 a page)
 * Every write is fenced by the lease epoch and goes through the single write path per entity.
 */
import { eq, sql } from "drizzle-orm";
import type { EffectContext, SyncEngine } from "../actors/effects.ts";
import { withFence } from "../actors/fence.ts";
import { type Database, rowsOf } from "../db/client.ts";
import { repositories } from "../db/schema.ts";
import { upsertIssues } from "../db/writes/issues.ts";
import type { OperationRef } from "../machines/repository.machine.ts";
import type { StepInput, StepOutput, SyncStep } from "../machines/sync-operation.machine.ts";
import { tracer } from "../telemetry.ts";
import { classifyGitHubError, type GitHubClient, pageNumber, parseLink } from "./client.ts";
import { type GitHubIssue, isPullRequest, mapIssue } from "./mappers/issue.ts";

/** `since` is "updated at or after"; re-reading two minutes absorbs clock skew and same-second edits. */
export const SINCE_OVERLAP_MS = 2 * 60_000;
const PER_PAGE = 100;

export interface EngineDeps {
  db: Database;
  client: GitHubClient;
  now?: () => number;
}

type StepResult = Omit<StepOutput, "now">;

export function createSyncEngine(deps: EngineDeps): SyncEngine {
  const now = deps.now ?? Date.now;

  async function request<T>(url: string, signal: AbortSignal) {
    const span = tracer().startSpan("github.request", { attributes: { "http.url": url } });
    try {
      const response = await deps.client.request(`GET ${url}`, { request: { signal } });
      span.setAttribute("http.status_code", response.status);
      return response as unknown as { data: T; headers: Record<string, string | undefined>; status: number };
    } catch (error) {
      span.recordException(error as Error);
      throw classifyGitHubError(error, now());
    } finally {
      span.end();
    }
  }

  async function repositoryStep(input: StepInput, ctx: EffectContext): Promise<StepResult> {
    const { data } = await request<{ id: number; node_id: string }>(`/repos/${input.fullName}`, ctx.signal);
    await withFence(deps.db, ctx.fence, (tx) =>
      tx
        .update(repositories)
        .set({ githubId: data.id, nodeId: data.node_id, updatedAt: sql`now()` })
        .where(eq(repositories.id, input.repositoryId)),
    );
    return { next: { phase: "issues", cursor: null }, processed: 0, failed: 0, pagesTotal: null };
  }

  async function firstIssuesUrl(input: StepInput): Promise<string> {
    const params = new URLSearchParams({
      state: "all",
      sort: "updated",
      direction: "asc",
      per_page: String(PER_PAGE),
    });
    if (input.syncType === "incremental") {
      const [repo] = await deps.db
        .select({ mark: repositories.issuesSyncedThrough })
        .from(repositories)
        .where(eq(repositories.id, input.repositoryId));
      if (repo?.mark) {
        const since = new Date(repo.mark.getTime() - SINCE_OVERLAP_MS);
        params.set("since", since.toISOString().replace(/\.\d{3}Z$/, "Z"));
      }
    }
    return `/repos/${input.fullName}/issues?${params}`;
  }

  async function issuesStep(input: StepInput, ctx: EffectContext): Promise<StepResult> {
    const url = input.step.cursor ?? (await firstIssuesUrl(input));
    const response = await request<GitHubIssue[]>(url, ctx.signal);
    const links = parseLink(response.headers.link);
    const repo = { id: input.repositoryId, fullName: input.fullName };
    const issues = response.data.filter((issue) => !isPullRequest(issue));
    const rows = issues.map((issue) => mapIssue(repo, issue));
    const last = links.next ? null : response.data.at(-1)?.updated_at;
    await withFence(deps.db, ctx.fence, async (tx) => {
      await upsertIssues(tx, rows);
      if (!links.next) {
        // The last page is the newest (sorted by updated, ascending): its newest row is the new high-water mark.
        await tx
          .update(repositories)
          .set({
            ...(last ? { issuesSyncedThrough: new Date(last) } : {}),
            ...(input.syncType === "full" ? { lastFullSyncAt: new Date(now()) } : {}),
          })
          .where(eq(repositories.id, input.repositoryId));
      }
    });
    // Link rel="last" gives the page count while there is a next page; on the last page, this page is it.
    const thisPage = pageNumber(new URL(url, "http://github.invalid").toString()) ?? 1;
    return {
      next: links.next ? { phase: "issues", cursor: links.next } : null,
      processed: rows.length,
      failed: 0,
      pagesTotal: links.next ? pageNumber(links.last) : thisPage,
    };
  }

  return {
    firstStep(_operation: OperationRef): SyncStep {
      return { phase: "repository", cursor: null };
    },
    async runStep(input, ctx) {
      if (input.step.phase === "repository") return repositoryStep(input, ctx);
      if (input.step.phase === "issues") return issuesStep(input, ctx);
      throw new Error(`unknown sync phase "${input.step.phase}"`);
    },
    async push(input) {
      // Local writes reach GitHub through the outbox (two-way sync issue); until then there is nothing to push,
      // and the open conflicts are only counted.
      const open = rowsOf<{ n: number }>(
        await deps.db.execute(
          sql`select count(*)::int as n from sync_conflicts where repository_id = ${input.repositoryId} and resolved_at is null`,
        ),
      );
      return { openConflicts: open[0]?.n ?? 0 };
    },
  };
}
