/**
 * A local write exactly as the API records it (contract of the two-way sync): the row changed and pending,
 * plus one outbox entry with the patch and the base. Lets push tests run without going through HTTP.
 */
import { eq, sql } from "drizzle-orm";
import type { Database } from "../../src/db/client.ts";
import { githubIssues, outbox } from "../../src/db/schema.ts";

type IssuePatch = Partial<{
  title: string;
  body: string | null;
  state: "open" | "closed";
  state_reason: string | null;
  labels: string[];
  assignees: string[];
  milestone: number | null;
}>;

export async function editIssueLocally(db: Database, issueId: string, patch: IssuePatch): Promise<void> {
  await db.transaction(async (tx) => {
    const [row] = await tx.select().from(githubIssues).where(eq(githubIssues.id, issueId));
    if (!row) throw new Error(`no issue ${issueId}`);
    const current: Record<string, unknown> = {
      title: row.title,
      body: row.body,
      state: row.state,
      state_reason: row.stateReason,
      labels: row.labels,
      assignees: row.assignees,
      milestone: row.milestoneNumber,
    };
    const base = Object.fromEntries(Object.keys(patch).map((k) => [k, current[k] ?? null]));
    await tx
      .update(githubIssues)
      .set({
        ...(patch.title !== undefined ? { title: patch.title } : {}),
        ...(patch.body !== undefined ? { body: patch.body } : {}),
        ...(patch.state !== undefined ? { state: patch.state } : {}),
        ...(patch.labels !== undefined ? { labels: [...patch.labels].sort() } : {}),
        ...(patch.assignees !== undefined ? { assignees: [...patch.assignees].sort() } : {}),
        ...(patch.milestone !== undefined ? { milestoneNumber: patch.milestone } : {}),
        syncState: "pending",
        syncVersion: sql`${githubIssues.syncVersion} + 1`,
      })
      .where(eq(githubIssues.id, issueId));
    await tx.insert(outbox).values({
      repositoryId: row.repositoryId,
      entityType: "issue",
      entityId: issueId,
      operation: "update",
      patch,
      base,
      createdBy: "test",
    });
  });
}

export async function createIssueLocally(
  db: Database,
  repository: { id: string; fullName: string },
  patch: { title: string; body?: string },
): Promise<string> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(githubIssues)
      .values({
        repositoryId: repository.id,
        repositoryFullName: repository.fullName,
        title: patch.title,
        body: patch.body ?? null,
        syncState: "pending",
      })
      .returning();
    await tx.insert(outbox).values({
      repositoryId: repository.id,
      entityType: "issue",
      entityId: row!.id,
      operation: "create",
      patch,
      base: null,
      createdBy: "test",
    });
    return row!.id;
  });
}
