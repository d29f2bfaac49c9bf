/**
 * Pushing one outbox entry for a milestone. Milestone titles are unique per repository on GitHub, so a create
 * whose response was lost is recognised by its title (GitHub answers 422 already_exists to a second one).
 */
import { eq, sql } from "drizzle-orm";
import { withFence } from "../../actors/fence.ts";
import type { Tx } from "../../db/client.ts";
import { githubMilestones, type OutboxEntry, type Repository, syncConflicts } from "../../db/schema.ts";
import { type GitHubMilestone, mapMilestone } from "../mappers/milestone.ts";
import { mergeEntity } from "./merge.ts";
import { finishEntry, markAttempt, refreshSyncState } from "./outbox-store.ts";
import type { PushContext } from "./push-context.ts";

function remoteView(m: GitHubMilestone): Record<string, unknown> {
  return {
    title: m.title,
    description: m.description ?? null,
    due_on: m.due_on ? new Date(m.due_on).toISOString() : null,
    state: m.state,
  };
}

async function adopt(tx: Tx, localId: string, repo: Repository, m: GitHubMilestone) {
  await tx
    .delete(githubMilestones)
    .where(sql`${githubMilestones.githubId} = ${m.id} and ${githubMilestones.id} <> ${localId}`);
  await tx
    .update(githubMilestones)
    .set({
      ...mapMilestone(repo, m),
      syncedAt: new Date(),
      syncVersion: sql`${githubMilestones.syncVersion} + 1`,
    })
    .where(eq(githubMilestones.id, localId));
}

async function findByTitle(
  ctx: PushContext,
  repo: Repository,
  title: string,
): Promise<GitHubMilestone | null> {
  const response = await ctx.api.get<GitHubMilestone[]>(
    `/repos/${repo.fullName}/milestones?state=all&per_page=100`,
    {
      conditional: false,
    },
  );
  return (response.data ?? []).find((m) => m.title === title) ?? null;
}

export async function pushMilestone(ctx: PushContext, repo: Repository, entry: OutboxEntry): Promise<void> {
  const [local] = await ctx.db
    .select()
    .from(githubMilestones)
    .where(eq(githubMilestones.id, entry.entityId))
    .limit(1);
  if (!local) {
    await withFence(ctx.db, ctx.fence, (tx) =>
      finishEntry(tx, entry.id, "failed", "the local milestone no longer exists"),
    );
    return;
  }
  if (entry.operation === "create") {
    const title = String((entry.patch as { title?: unknown }).title ?? "");
    let created = local.githubId === null && entry.attempts > 0 ? await findByTitle(ctx, repo, title) : null;
    if (local.githubId === null && !created) {
      await withFence(ctx.db, ctx.fence, (tx) => markAttempt(tx, entry.id));
      created = await ctx.api.write<GitHubMilestone>(
        "POST",
        `/repos/${repo.fullName}/milestones`,
        entry.patch,
      );
    }
    await withFence(ctx.db, ctx.fence, async (tx) => {
      if (created) await adopt(tx, local.id, repo, created);
      await finishEntry(tx, entry.id, "done");
      await refreshSyncState(tx, "milestone", local.id);
    });
    return;
  }
  if (local.number === null) {
    await withFence(ctx.db, ctx.fence, async (tx) => {
      await finishEntry(tx, entry.id, "failed", "the milestone was never created on GitHub");
      await refreshSyncState(tx, "milestone", local.id);
    });
    return;
  }
  const path = `/repos/${repo.fullName}/milestones/${local.number}`;
  const current = await ctx.api.get<GitHubMilestone>(path, { conditional: false });
  if (!current.data) throw new Error(`GitHub returned no body for ${path}`);
  const merge = mergeEntity("milestone", entry.base, entry.patch, remoteView(current.data));
  let result = current.data;
  if (Object.keys(merge.push).length > 0) {
    await withFence(ctx.db, ctx.fence, (tx) => markAttempt(tx, entry.id));
    result = await ctx.api.write<GitHubMilestone>("PATCH", path, merge.push);
  }
  await withFence(ctx.db, ctx.fence, async (tx) => {
    for (const conflict of merge.conflicts) {
      await tx.insert(syncConflicts).values({
        repositoryId: repo.id,
        entityType: "milestone",
        entityId: local.id,
        outboxId: entry.id,
        conflictType: "concurrent_modification",
        field: conflict.field,
        baseVersion: { [conflict.field]: conflict.base },
        localVersion: { [conflict.field]: conflict.local },
        remoteVersion: { [conflict.field]: conflict.remote },
      });
    }
    await adopt(tx, local.id, repo, result);
    await finishEntry(tx, entry.id, merge.conflicts.length > 0 ? "conflicted" : "done");
    await refreshSyncState(tx, "milestone", local.id);
  });
}
