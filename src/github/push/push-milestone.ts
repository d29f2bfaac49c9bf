/**
 * Pushing one outbox entry for a milestone. Milestone titles are unique per repository on GitHub, so a create
 * whose response was lost is recognised by its title (GitHub answers 422 already_exists to a second one).
 */
import { eq, sql } from "drizzle-orm";
import type { Tx } from "../../db/client.ts";
import { githubMilestones, type OutboxEntry, type Repository } from "../../db/schema.ts";
import { type GitHubMilestone, mapMilestone } from "../mappers/milestone.ts";
import type { PushContext } from "./push-context.ts";
import { type EntityAdapter, pushEntity } from "./push-entity.ts";

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

export const milestoneAdapter: EntityAdapter<GitHubMilestone> = {
  entityType: "milestone",
  noun: "milestone",
  load: async (ctx, id) => {
    const [row] = await ctx.db.select().from(githubMilestones).where(eq(githubMilestones.id, id)).limit(1);
    return row;
  },
  collectionPath: (repo) => `/repos/${repo.fullName}/milestones`,
  itemPath: (repo, number) => `/repos/${repo.fullName}/milestones/${number}`,
  remoteView,
  findCreated: (ctx, repo, entry) =>
    findByTitle(ctx, repo, String((entry.patch as { title?: unknown }).title ?? "")),
  adopt,
};

export const pushMilestone = (
  ctx: PushContext,
  repo: Repository,
  entry: OutboxEntry,
  folded: number[] = [],
) => pushEntity(milestoneAdapter, ctx, repo, entry, folded);
