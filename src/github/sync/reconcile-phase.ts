/**
 * Reconcile: find issues deleted or transferred on GitHub that no webhook told us about (deleted issues silently
 * drop out of `since` listings). Cheap first: GraphQL totalCount against the local count (1 point). Only when
 * they differ, page through the issue ids (GraphQL, 100 a page) marking every one seen, then confirm each
 * unseen local issue with a GET: 404/410 → deleted, a redirect to another repository → transferred.
 */
import { and, eq, inArray, isNotNull, isNull, lt, sql } from "drizzle-orm";
import { withFence } from "../../actors/fence.ts";
import { githubIssues, repositories } from "../../db/schema.ts";
import { markIssueTransferred, tombstoneIssue, upsertIssues } from "../../db/writes/issues.ts";
import { type GitHubIssue, mapIssue } from "../mappers/issue.ts";
import { currentRepository, type PhaseStep } from "./phase.ts";

interface ReconcileCursor {
  stage: "ids" | "confirm";
  from: number;
  after: string | null;
}

const IDS_QUERY = `query($owner: String!, $name: String!, $after: String) {
  repository(owner: $owner, name: $name) {
    issues(first: 100, after: $after) { totalCount nodes { databaseId } pageInfo { hasNextPage endCursor } }
  }
  rateLimit { cost limit remaining used resetAt }
}`;

interface IdsPage {
  repository: {
    issues: {
      totalCount: number;
      nodes: { databaseId: number }[];
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
    };
  } | null;
}

const CONFIRM_BATCH = 20;

export const reconcilePhase: PhaseStep = async (deps, input, ctx) => {
  const repo = await currentRepository(deps.db, input.repositoryId);
  const [owner = "", name = ""] = repo.fullName.split("/");
  const cursor: ReconcileCursor = input.step.cursor
    ? (JSON.parse(input.step.cursor) as ReconcileCursor)
    : { stage: "ids", from: deps.now(), after: null };

  if (cursor.stage === "ids") {
    const page = await deps.api.graphql<IdsPage>(IDS_QUERY, { owner, name, after: cursor.after }, ctx.signal);
    const issues = page.repository?.issues;
    if (!issues) throw Object.assign(new Error(`repository ${repo.fullName} not found`), { status: 404 });
    if (cursor.after === null) {
      const [local] = await deps.db
        .select({ n: sql<number>`count(*)::int` })
        .from(githubIssues)
        .where(
          and(
            eq(githubIssues.repositoryId, repo.id),
            isNull(githubIssues.deletedAt),
            isNotNull(githubIssues.githubId),
          ),
        );
      if ((local?.n ?? 0) <= issues.totalCount) {
        // Nothing missing on GitHub's side: no deletions or transfers to find.
        await finish(deps, ctx, repo.id);
        return { next: null, processed: 0, failed: 0, pagesTotal: 1 };
      }
    }
    const ids = issues.nodes.map((n) => n.databaseId);
    await withFence(deps.db, ctx.fence, (tx) =>
      ids.length === 0
        ? Promise.resolve()
        : tx
            .update(githubIssues)
            .set({ syncedAt: new Date(deps.now()) })
            .where(inArray(githubIssues.githubId, ids))
            .then(() => undefined),
    );
    const next: ReconcileCursor = issues.pageInfo.hasNextPage
      ? { stage: "ids", from: cursor.from, after: issues.pageInfo.endCursor }
      : { stage: "confirm", from: cursor.from, after: null };
    return {
      next: JSON.stringify(next),
      processed: ids.length,
      failed: 0,
      pagesTotal: Math.ceil(issues.totalCount / 100) + 1,
    };
  }

  // Confirm unseen issues one by one, a batch per step.
  const candidates = await deps.db
    .select({ githubId: githubIssues.githubId, number: githubIssues.number })
    .from(githubIssues)
    .where(
      and(
        eq(githubIssues.repositoryId, repo.id),
        isNull(githubIssues.deletedAt),
        isNotNull(githubIssues.githubId),
        lt(githubIssues.syncedAt, new Date(cursor.from)),
      ),
    )
    .limit(CONFIRM_BATCH);
  let processed = 0;
  for (const candidate of candidates) {
    if (candidate.githubId === null || candidate.number === null) continue;
    const outcome = await confirm(deps, repo.fullName, candidate.number, ctx.signal);
    await withFence(deps.db, ctx.fence, async (tx) => {
      if (outcome.kind === "gone") await tombstoneIssue(tx, candidate.githubId!);
      else if (outcome.kind === "transferred")
        await markIssueTransferred(tx, candidate.githubId!, outcome.to);
      else {
        await upsertIssues(tx, [mapIssue(repo, outcome.issue)]);
        await tx
          .update(githubIssues)
          .set({ syncedAt: new Date(deps.now()) })
          .where(eq(githubIssues.githubId, candidate.githubId!));
      }
    });
    processed++;
  }
  if (candidates.length === CONFIRM_BATCH) {
    return { next: JSON.stringify(cursor), processed, failed: 0, pagesTotal: null };
  }
  await finish(deps, ctx, repo.id);
  return { next: null, processed, failed: 0, pagesTotal: null };
};

async function finish(deps: Parameters<PhaseStep>[0], ctx: Parameters<PhaseStep>[2], repositoryId: string) {
  await withFence(deps.db, ctx.fence, (tx) =>
    tx
      .update(repositories)
      .set({ lastReconcileAt: new Date(deps.now()) })
      .where(eq(repositories.id, repositoryId)),
  );
}

type Confirmation =
  | { kind: "gone" }
  | { kind: "transferred"; to: string }
  | { kind: "present"; issue: GitHubIssue };

async function confirm(
  deps: Parameters<PhaseStep>[0],
  fullName: string,
  number: number,
  signal: AbortSignal,
): Promise<Confirmation> {
  try {
    const response = await deps.api.get<GitHubIssue & { repository_url?: string }>(
      `/repos/${fullName}/issues/${number}`,
      { signal, conditional: false },
    );
    const issue = response.data;
    if (!issue) return { kind: "gone" };
    // A transferred issue answers 301 to its new home; fetch follows it, and the body names the new repository.
    const home = issue.repository_url?.match(/\/repos\/([^/]+\/[^/]+)$/)?.[1]?.toLowerCase();
    if (home && home !== fullName) return { kind: "transferred", to: `${home}#${issue.number}` };
    return { kind: "present", issue };
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (status === 404 || status === 410) return { kind: "gone" };
    throw error;
  }
}
