/**
 * Pushing one outbox entry for an issue.
 * - update: read the issue as GitHub has it now, merge field by field against the entry's base, send only what
 *   the merge says to send, record true conflicts (those fields are held, the rest go through).
 * - create: exactly once. The attempt is recorded before the POST; when a previous attempt exists (its response
 *   may have been lost after GitHub committed it), our recent issues are searched first and a match is adopted
 *   instead of creating a second one.
 */
import { and, eq, ne, sql } from "drizzle-orm";
import { withFence } from "../../actors/fence.ts";
import type { Tx } from "../../db/client.ts";
import {
  githubIssues,
  githubProjectItems,
  type OutboxEntry,
  type Repository,
  syncConflicts,
} from "../../db/schema.ts";
import { type GitHubIssue, mapIssue } from "../mappers/issue.ts";
import { mergeEntity } from "./merge.ts";
import { finishEntry, markAttempt, refreshSyncState } from "./outbox-store.ts";
import type { PushContext } from "./push-context.ts";

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

export async function pushIssue(ctx: PushContext, repo: Repository, entry: OutboxEntry): Promise<void> {
  const [local] = await ctx.db
    .select()
    .from(githubIssues)
    .where(eq(githubIssues.id, entry.entityId))
    .limit(1);
  if (!local) {
    await withFence(ctx.db, ctx.fence, (tx) =>
      finishEntry(tx, entry.id, "failed", "the local issue no longer exists"),
    );
    return;
  }

  if (entry.operation === "create") {
    const existing =
      local.githubId !== null ? null : entry.attempts > 0 ? await findCreated(ctx, repo, entry) : null;
    let created: GitHubIssue | null = existing;
    if (local.githubId === null && !created) {
      await withFence(ctx.db, ctx.fence, (tx) => markAttempt(tx, entry.id));
      created = await ctx.api.write<GitHubIssue>("POST", `/repos/${repo.fullName}/issues`, entry.patch);
    }
    await withFence(ctx.db, ctx.fence, async (tx) => {
      if (created) await adoptIssue(tx, local.id, repo, created);
      await finishEntry(tx, entry.id, "done");
      await refreshSyncState(tx, "issue", local.id);
    });
    return;
  }

  // update
  if (local.number === null) {
    await withFence(ctx.db, ctx.fence, async (tx) => {
      await finishEntry(tx, entry.id, "failed", "the issue was never created on GitHub");
      await refreshSyncState(tx, "issue", local.id);
    });
    return;
  }
  const path = `/repos/${repo.fullName}/issues/${local.number}`;
  const current = await ctx.api.get<GitHubIssue>(path, { conditional: false });
  if (!current.data) throw new Error(`GitHub returned no body for ${path}`);
  const merge = mergeEntity("issue", entry.base, entry.patch, remoteIssueView(current.data));
  let result = current.data;
  if (Object.keys(merge.push).length > 0) {
    await withFence(ctx.db, ctx.fence, (tx) => markAttempt(tx, entry.id));
    result = await ctx.api.write<GitHubIssue>("PATCH", path, merge.push);
  }
  await withFence(ctx.db, ctx.fence, async (tx) => {
    for (const conflict of merge.conflicts) {
      await tx.insert(syncConflicts).values({
        repositoryId: repo.id,
        entityType: "issue",
        entityId: local.id,
        outboxId: entry.id,
        conflictType: "concurrent_modification",
        field: conflict.field,
        baseVersion: { [conflict.field]: conflict.base },
        localVersion: { [conflict.field]: conflict.local },
        remoteVersion: { [conflict.field]: conflict.remote },
      });
    }
    await adoptIssue(tx, local.id, repo, result);
    // The row shows GitHub's values, and for a held field the local one, until the conflict is resolved.
    if (merge.conflicts.length > 0) {
      const held: Record<string, unknown> = {};
      for (const c of merge.conflicts) held[c.field] = c.local;
      await tx.update(githubIssues).set(localColumns(held)).where(eq(githubIssues.id, local.id));
    }
    await finishEntry(tx, entry.id, merge.conflicts.length > 0 ? "conflicted" : "done");
    await refreshSyncState(tx, "issue", local.id);
  });
}

/** GitHub's field names → the issue row's columns, for the fields a conflict holds (or a resolution sets). */
export function localColumns(fields: Record<string, unknown>) {
  const set: Partial<typeof githubIssues.$inferInsert> = {};
  if ("title" in fields) set.title = String(fields.title ?? "");
  if ("body" in fields) set.body = (fields.body as string | null) ?? null;
  if ("state" in fields) set.state = fields.state === "closed" ? "closed" : "open";
  if ("milestone" in fields) set.milestoneNumber = (fields.milestone as number | null) ?? null;
  return set;
}
