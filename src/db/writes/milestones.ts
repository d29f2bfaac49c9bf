/** The one write path for mirrored milestones (pull and webhooks): upsert by GitHub id, never backwards. */
import { and, eq, inArray, isNull, lt, sql } from "drizzle-orm";
import type { Tx } from "../client.ts";
import { githubMilestones, type NewMilestone } from "../schema.ts";

export async function upsertMilestones(tx: Tx, rows: NewMilestone[]): Promise<number> {
  if (rows.length === 0) return 0;
  const written = await tx
    .insert(githubMilestones)
    .values(
      rows.map((row) => ({ ...row, syncState: "synced" as const, syncedAt: new Date(), deletedAt: null })),
    )
    .onConflictDoUpdate({
      target: githubMilestones.githubId,
      set: {
        nodeId: sql`excluded.node_id`,
        repositoryId: sql`excluded.repository_id`,
        repositoryFullName: sql`excluded.repository_full_name`,
        number: sql`excluded.number`,
        title: sql`excluded.title`,
        description: sql`excluded.description`,
        state: sql`excluded.state`,
        creatorLogin: sql`excluded.creator_login`,
        openIssues: sql`excluded.open_issues`,
        closedIssues: sql`excluded.closed_issues`,
        dueOn: sql`excluded.due_on`,
        htmlUrl: sql`excluded.html_url`,
        createdAt: sql`excluded.created_at`,
        updatedAt: sql`excluded.updated_at`,
        closedAt: sql`excluded.closed_at`,
        syncedAt: sql`excluded.synced_at`,
        deletedAt: sql`null`,
        syncVersion: sql`case when ${githubMilestones.updatedAt} < excluded.updated_at then ${githubMilestones.syncVersion} + 1 else ${githubMilestones.syncVersion} end`,
      },
      // Never backwards; and a row with a local edit on its way is left to the push's merge.
      setWhere: sql`${githubMilestones.updatedAt} <= excluded.updated_at and ${githubMilestones.syncState} not in ('pending', 'conflicted')`,
    })
    .returning({ id: githubMilestones.id });
  return written.length;
}

/** Mark seen rows (even unchanged ones) so a complete listing can tell which are gone. */
export async function touchMilestones(tx: Tx, githubIds: number[], at: Date): Promise<void> {
  if (githubIds.length === 0) return;
  await tx
    .update(githubMilestones)
    .set({ syncedAt: at })
    .where(inArray(githubMilestones.githubId, githubIds));
}

/** After a complete listing started at `listedFrom`: what was not seen since is gone on GitHub. */
export async function tombstoneUnseenMilestones(
  tx: Tx,
  repositoryId: string,
  listedFrom: Date,
): Promise<number> {
  const gone = await tx
    .update(githubMilestones)
    .set({ deletedAt: sql`now()`, syncVersion: sql`${githubMilestones.syncVersion} + 1` })
    .where(
      and(
        eq(githubMilestones.repositoryId, repositoryId),
        isNull(githubMilestones.deletedAt),
        lt(githubMilestones.syncedAt, listedFrom),
        // Locally created milestones not yet on GitHub have no id and are not "gone".
        sql`${githubMilestones.githubId} is not null`,
      ),
    )
    .returning({ id: githubMilestones.id });
  return gone.length;
}

export async function tombstoneMilestone(tx: Tx, githubId: number): Promise<void> {
  await tx
    .update(githubMilestones)
    .set({ deletedAt: sql`now()`, syncVersion: sql`${githubMilestones.syncVersion} + 1` })
    .where(and(eq(githubMilestones.githubId, githubId), isNull(githubMilestones.deletedAt)));
}
