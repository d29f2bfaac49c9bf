/**
 * The one write path for mirrored issues (pulls and webhooks both come here): upsert keyed by GitHub id, never
 * moving a row to an older updated_at, inside the caller's fenced transaction.
 */
import { and, eq, isNull, sql } from "drizzle-orm";
import { rowsOf, type Tx } from "../client.ts";
import { githubIssues, type NewIssue } from "../schema.ts";
import { recordset } from "./recordset.ts";

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

const KEYS = [
  "githubId",
  "nodeId",
  "repositoryId",
  "repositoryFullName",
  "number",
  "title",
  "body",
  "state",
  "stateReason",
  "userLogin",
  "assignees",
  "labels",
  "milestoneGithubId",
  "milestoneNumber",
  "locked",
  "comments",
  "htmlUrl",
  "createdAt",
  "updatedAt",
  "closedAt",
] as const satisfies (keyof NewIssue)[];

const changed = sql.raw(
  `(${MIRRORED.map((c) => `github_issues.${c}`).join(", ")}) is distinct from (${MIRRORED.map((c) => `excluded.${c}`).join(", ")})`,
);
const updates = sql.raw(
  [...MIRRORED, "node_id", "created_at", "updated_at"].map((c) => `"${c}" = excluded."${c}"`).join(", "),
);

export async function upsertIssues(tx: Tx, rows: NewIssue[]): Promise<number> {
  if (rows.length === 0) return 0;
  const set = recordset(githubIssues, rows, [...KEYS]);
  const written = await tx.execute(sql`
    insert into github_issues (${set.columns}, sync_state, synced_at)
    select *, 'synced', now() from (${set.select}) as page
    on conflict (github_id) do update set ${updates},
      synced_at = excluded.synced_at,
      sync_version = case when ${changed} then github_issues.sync_version + 1 else github_issues.sync_version end
    -- Never backwards: an older payload (a late webhook, an overlapping page) changes nothing. A row with a
    -- local edit on its way to GitHub is left alone: the push merges it against GitHub's current state.
    where github_issues.updated_at <= excluded.updated_at
      and github_issues.sync_state not in ('pending', 'conflicted')
    returning id`);
  return rowsOf(written).length;
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
