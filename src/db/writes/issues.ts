/**
 * The one write path for mirrored issues (pulls and webhooks both come here): upsert keyed by GitHub id, never
 * moving a row to an older updated_at, inside the caller's fenced transaction.
 */
import { and, eq, isNull, sql } from "drizzle-orm";
import type { Tx } from "../client.ts";
import { githubIssues, type NewIssue } from "../schema.ts";

/** Fields GitHub owns; a change in any of them bumps the row's version (its ETag). */
const MIRRORED = [
  "title",
  "body",
  "state",
  "state_reason",
  "user_login",
  "assignees",
  "labels",
  "milestone_github_id",
  "milestone_number",
  "locked",
  "comments",
  "html_url",
  "closed_at",
  "number",
  "repository_id",
  "repository_full_name",
] as const;

export async function upsertIssues(tx: Tx, rows: NewIssue[]): Promise<number> {
  if (rows.length === 0) return 0;
  const changed = sql.raw(
    `(${MIRRORED.map((c) => `github_issues.${c}`).join(", ")}) is distinct from (${MIRRORED.map((c) => `excluded.${c}`).join(", ")})`,
  );
  const written = await tx
    .insert(githubIssues)
    .values(rows.map((row) => ({ ...row, syncState: "synced" as const, syncedAt: new Date() })))
    .onConflictDoUpdate({
      target: githubIssues.githubId,
      set: {
        nodeId: sql`excluded.node_id`,
        repositoryId: sql`excluded.repository_id`,
        repositoryFullName: sql`excluded.repository_full_name`,
        number: sql`excluded.number`,
        title: sql`excluded.title`,
        body: sql`excluded.body`,
        state: sql`excluded.state`,
        stateReason: sql`excluded.state_reason`,
        userLogin: sql`excluded.user_login`,
        assignees: sql`excluded.assignees`,
        labels: sql`excluded.labels`,
        milestoneGithubId: sql`excluded.milestone_github_id`,
        milestoneNumber: sql`excluded.milestone_number`,
        locked: sql`excluded.locked`,
        comments: sql`excluded.comments`,
        htmlUrl: sql`excluded.html_url`,
        createdAt: sql`excluded.created_at`,
        updatedAt: sql`excluded.updated_at`,
        closedAt: sql`excluded.closed_at`,
        syncedAt: sql`excluded.synced_at`,
        syncVersion: sql`case when ${changed} then ${githubIssues.syncVersion} + 1 else ${githubIssues.syncVersion} end`,
      },
      // Never backwards: an older payload (a late webhook, an overlapping page) changes nothing.
      setWhere: sql`${githubIssues.updatedAt} <= excluded.updated_at`,
    })
    .returning({ id: githubIssues.id });
  return written.length;
}

/** GitHub confirmed the deletion (issues.deleted, 404 or 410): keep the row as a tombstone. */
export async function tombstoneIssue(tx: Tx, githubId: number): Promise<void> {
  await tx
    .update(githubIssues)
    .set({ deletedAt: sql`now()`, syncVersion: sql`${githubIssues.syncVersion} + 1` })
    .where(and(eq(githubIssues.githubId, githubId), isNull(githubIssues.deletedAt)));
}

/** The issue moved to another repository (issues.transferred, or a 301): `to` is `owner/name#number`. */
export async function markIssueTransferred(tx: Tx, githubId: number, to: string): Promise<void> {
  await tx
    .update(githubIssues)
    .set({ transferredTo: to, deletedAt: sql`now()`, syncVersion: sql`${githubIssues.syncVersion} + 1` })
    .where(and(eq(githubIssues.githubId, githubId), isNull(githubIssues.deletedAt)));
}
