/**
 * Issues on the push side (push-entity.ts does the work): GitHub's view of the editable fields, adopting
 * GitHub's answer on the local row, and finding an issue an earlier attempt created (our recent issues with the
 * same title and body) so a lost response never yields a second one.
 */
import { and, eq, ne, sql } from "drizzle-orm";
import type { Tx } from "../../db/client.ts";
import { githubIssues, githubProjectItems, type OutboxEntry, type Repository } from "../../db/schema.ts";
import { type GitHubIssue, mapIssue } from "../mappers/issue.ts";
import type { PushContext } from "./push-context.ts";
import { type EntityAdapter, pushEntity } from "./push-entity.ts";

/** The fields a local issue edit can touch, as GitHub's REST API names them. */
export function remoteIssueView(issue: GitHubIssue): Record<string, unknown> {
  return {
    title: issue.title,
    body: issue.body ?? null,
    state: issue.state,
    state_reason: issue.state_reason ?? null,
    labels: (issue.labels ?? []).map((l) => (typeof l === "string" ? l : (l.name ?? ""))).sort(),
    assignees: (issue.assignees ?? []).map((a) => a.login).sort(),
    milestone: issue.milestone?.number ?? null,
  };
}

/** Store what GitHub answered on the local row (by local id), taking over any copy a webhook created first. */
export async function adoptIssue(
  tx: Tx,
  localId: string,
  repo: Pick<Repository, "id" | "fullName">,
  issue: GitHubIssue,
) {
  const copies = await tx
    .select({ id: githubIssues.id })
    .from(githubIssues)
    .where(and(eq(githubIssues.githubId, issue.id), ne(githubIssues.id, localId)));
  for (const copy of copies) {
    await tx
      .update(githubProjectItems)
      .set({ issueId: localId })
      .where(eq(githubProjectItems.issueId, copy.id));
    await tx.delete(githubIssues).where(eq(githubIssues.id, copy.id));
  }
  const row = mapIssue(repo, issue);
  await tx
    .update(githubIssues)
    .set({ ...row, syncedAt: new Date(), syncVersion: sql`${githubIssues.syncVersion} + 1` })
    .where(eq(githubIssues.id, localId));
}

async function findCreated(
  ctx: PushContext,
  repo: Repository,
  entry: OutboxEntry,
): Promise<GitHubIssue | null> {
  const me = await ctx.login();
  const since = new Date(entry.createdAt.getTime() - 60_000).toISOString().replace(/\.\d{3}Z$/, "Z");
  const params = new URLSearchParams({
    creator: me,
    state: "all",
    sort: "created",
    direction: "desc",
    per_page: "100",
    since,
  });
  const response = await ctx.api.get<GitHubIssue[]>(`/repos/${repo.fullName}/issues?${params}`, {
    conditional: false,
  });
  const patch = entry.patch as { title?: string; body?: string | null };
  return (
    (response.data ?? []).find(
      (issue) =>
        !issue.pull_request &&
        issue.title === patch.title &&
        (issue.body ?? "") === (patch.body ?? "") &&
        Date.parse(issue.created_at) >= entry.createdAt.getTime() - 60_000,
    ) ?? null
  );
}

export const issueAdapter: EntityAdapter<GitHubIssue> = {
  entityType: "issue",
  noun: "issue",
  load: async (ctx, id) => {
    const [row] = await ctx.db.select().from(githubIssues).where(eq(githubIssues.id, id)).limit(1);
    return row;
  },
  collectionPath: (repo) => `/repos/${repo.fullName}/issues`,
  itemPath: (repo, number) => `/repos/${repo.fullName}/issues/${number}`,
  remoteView: remoteIssueView,
  findCreated,
  adopt: adoptIssue,
  // The row shows GitHub's values, and for a held field the local one, until the conflict is resolved.
  hold: async (tx, localId, fields) => {
    await tx.update(githubIssues).set(localColumns(fields)).where(eq(githubIssues.id, localId));
  },
};

export const pushIssue = (ctx: PushContext, repo: Repository, entry: OutboxEntry, folded: number[] = []) =>
  pushEntity(issueAdapter, ctx, repo, entry, folded);

/** GitHub's field names → the issue row's columns, for the fields a conflict holds (or a resolution sets). */
export function localColumns(fields: Record<string, unknown>) {
  const set: Partial<typeof githubIssues.$inferInsert> = {};
  if ("title" in fields) set.title = String(fields.title ?? "");
  if ("body" in fields) set.body = (fields.body as string | null) ?? null;
  if ("state" in fields) set.state = fields.state === "closed" ? "closed" : "open";
  if ("milestone" in fields) set.milestoneNumber = (fields.milestone as number | null) ?? null;
  return set;
}
