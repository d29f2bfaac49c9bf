/**
 * Issues: `state=all&sort=updated&direction=asc&since=<high-water mark − overlap>`, 100 a page, conditional.
 * The next page is fetched while this one is written, so database work hides behind the network.
 */
import { eq } from "drizzle-orm";
import { withFence } from "../../actors/fence.ts";
import { repositories } from "../../db/schema.ts";
import { upsertIssues } from "../../db/writes/issues.ts";
import { parseLink } from "../client.ts";
import type { GetResult } from "../github-api.ts";
import { type GitHubIssue, isPullRequest, mapIssue } from "../mappers/issue.ts";
import { currentRepository, type PhaseDeps, type PhaseStep, pageOf } from "./phase.ts";

/** `since` is "updated at or after"; re-reading two minutes absorbs clock skew and same-second edits. */
export const SINCE_OVERLAP_MS = 2 * 60_000;
const PER_PAGE = 100;

function sinceParam(mark: Date): string {
  return new Date(mark.getTime() - SINCE_OVERLAP_MS).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Prefetched pages by URL; consumed once. Bounded: one operation prefetches one page at a time. */
type Prefetch = Map<string, Promise<GetResult<GitHubIssue[]>>>;

export function issuesPhase(complete: boolean, prefetched: Prefetch = new Map()): PhaseStep {
  // A full sync re-reads every page: a 304 would skip rows that a full sync exists to repair.
  const conditional = !complete;
  const fetchPage = (deps: PhaseDeps, url: string, signal: AbortSignal) => {
    const ready = prefetched.get(url);
    if (ready) {
      prefetched.delete(url);
      return ready;
    }
    return deps.api.get<GitHubIssue[]>(url, { signal, conditional });
  };

  return async (deps, input, ctx) => {
    const repo = await currentRepository(deps.db, input.repositoryId);
    let url = input.step.cursor;
    if (!url) {
      const params = new URLSearchParams({
        state: "all",
        sort: "updated",
        direction: "asc",
        per_page: String(PER_PAGE),
      });
      if (!complete && repo.issuesSyncedThrough) params.set("since", sinceParam(repo.issuesSyncedThrough));
      url = `/repos/${repo.fullName}/issues?${params}`;
    }
    const response = await fetchPage(deps, url, ctx.signal);
    const links = parseLink(response.link);
    // Bounded: a cancelled operation leaves its prefetched page behind.
    if (prefetched.size > 16) prefetched.clear();
    if (links.next && !prefetched.has(links.next)) {
      const next = deps.api.get<GitHubIssue[]>(links.next, { conditional });
      next.catch(() => undefined); // consumed (and its error surfaced) by the next step
      prefetched.set(links.next, next);
    }
    const page = response.data ?? [];
    const rows = page.filter((issue) => !isPullRequest(issue)).map((issue) => mapIssue(repo, issue));
    const newest = page.at(-1)?.updated_at;
    await withFence(deps.db, ctx.fence, async (tx) => {
      await upsertIssues(tx, rows);
      // Sorted by updated ascending: the newest row of the last page is the new high-water mark.
      if (!links.next && newest) {
        await tx
          .update(repositories)
          .set({
            issuesSyncedThrough: new Date(newest),
            ...(complete ? { lastFullSyncAt: new Date(deps.now()) } : {}),
          })
          .where(eq(repositories.id, repo.id));
      }
    });
    return {
      next: links.next ?? null,
      processed: rows.length,
      failed: 0,
      pagesTotal: links.next ? pageOf(links.last) : pageOf(url),
    };
  };
}
