/**
 * Local issue writes: each is one transaction holding the changed row (pending, version + 1) and one outbox
 * row whose patch uses GitHub's REST names and whose base holds the row's values for the same keys before the
 * edit, for the push side's three-way merge.
 */
import { and, eq, isNull, sql } from "drizzle-orm";
import type { Database, Executor } from "../../db/client.ts";
import { githubIssues, githubMilestones, type Issue, type NewIssue } from "../../db/schema.ts";
import type { IssueCreateInput, IssueUpdateInput } from "../models/writes.ts";
import { invalidField, notFound } from "../problem.ts";
import {
  checkIfMatch,
  enabledRepositoryById,
  enqueue,
  pick,
  refuseDeleted,
  requireSome,
  sortedSet,
  trackedRepository,
  type WriteContext,
} from "./common.ts";

export interface IssueWrite {
  row: Issue;
  repositoryId: string;
}

const UPDATE_KEYS = ["title", "body", "state", "state_reason", "labels", "assignees", "milestone"] as const;

/** The milestone's GitHub id, when the mirror has it (a local milestone not yet pushed has none). */
async function milestoneGithubId(db: Executor, repositoryId: string, number: number | null) {
  if (number === null) return null;
  const [row] = await db
    .select({ githubId: githubMilestones.githubId })
    .from(githubMilestones)
    .where(
      and(
        eq(githubMilestones.repositoryId, repositoryId),
        eq(githubMilestones.number, number),
        isNull(githubMilestones.deletedAt),
      ),
    )
    .limit(1);
  return row?.githubId ?? null;
}

export async function createIssue(db: Database, input: IssueCreateInput, ctx: WriteContext) {
  return db.transaction(async (tx): Promise<IssueWrite> => {
    const repo = await trackedRepository(tx, input.repository);
    const patch: Record<string, unknown> = { title: input.title };
    if (input.body !== undefined) patch.body = input.body;
    if (input.labels !== undefined) patch.labels = sortedSet(input.labels);
    if (input.assignees !== undefined) patch.assignees = sortedSet(input.assignees);
    if (input.milestone !== undefined) patch.milestone = input.milestone;
    const milestone = input.milestone ?? null;
    const now = new Date();
    const [row] = await tx
      .insert(githubIssues)
      .values({
        repositoryId: repo.id,
        repositoryFullName: repo.fullName,
        githubId: null,
        nodeId: null,
        number: null,
        title: input.title,
        body: input.body ?? null,
        state: "open",
        userLogin: null,
        labels: input.labels ? sortedSet(input.labels) : [],
        assignees: input.assignees ? sortedSet(input.assignees) : [],
        milestoneNumber: milestone,
        milestoneGithubId: await milestoneGithubId(tx, repo.id, milestone),
        createdAt: now,
        updatedAt: now,
        syncState: "pending",
        syncedAt: null,
      })
      .returning();
    if (!row) throw new Error("issue insert returned no row");
    await enqueue(tx, {
      repositoryId: repo.id,
      entityType: "issue",
      entityId: row.id,
      operation: "create",
      patch,
      base: null,
      createdBy: ctx.createdBy,
    });
    return { row, repositoryId: repo.id };
  });
}

/** GitHub pairs a reason with the state it explains; a mismatched pair is refused here rather than by GitHub. */
function checkStateReason(input: IssueUpdateInput): void {
  if (input.state_reason === undefined) return;
  if (input.state === undefined) throw invalidField("state_reason", "only allowed together with state");
  const reopened = input.state_reason === "reopened";
  if (input.state === "open" && !reopened)
    throw invalidField("state_reason", "with state open only reopened is allowed");
  if (input.state === "closed" && reopened)
    throw invalidField("state_reason", "with state closed use completed, not_planned or duplicate");
}

/** The row's current values under GitHub's names, as the merge compares them. */
function issueValues(row: Issue): Record<(typeof UPDATE_KEYS)[number], unknown> {
  return {
    title: row.title,
    body: row.body,
    state: row.state,
    state_reason: row.stateReason,
    labels: sortedSet(row.labels),
    assignees: sortedSet(row.assignees),
    milestone: row.milestoneNumber,
  };
}

export async function updateIssue(db: Database, id: string, input: IssueUpdateInput, ctx: WriteContext) {
  requireSome(input, UPDATE_KEYS);
  checkStateReason(input);
  return db.transaction(async (tx): Promise<IssueWrite> => {
    // Locked so the base recorded is the value this edit replaces, even with concurrent writers.
    const [current] = await tx.select().from(githubIssues).where(eq(githubIssues.id, id)).for("update");
    if (!current) throw notFound("Issue", id);
    refuseDeleted("The issue", current);
    checkIfMatch(ctx.ifMatch, current.syncVersion);
    await enabledRepositoryById(tx, current.repositoryId);

    const patch: Record<string, unknown> = pick(input, UPDATE_KEYS);
    if (input.labels) patch.labels = sortedSet(input.labels);
    if (input.assignees) patch.assignees = sortedSet(input.assignees);
    const before = issueValues(current);
    const base = Object.fromEntries(
      Object.keys(patch).map((key) => [key, before[key as keyof typeof before]]),
    );

    // updated_at is left alone: it is GitHub's clock, and the pull never moves a row to an older one, so
    // stamping local time here would hide a remote edit made before this one but fetched after it.
    const set: Partial<NewIssue> = { syncState: "pending" };
    if (input.title !== undefined) set.title = input.title;
    if (input.body !== undefined) set.body = input.body;
    if (input.state !== undefined) Object.assign(set, stateChange(current, input));
    if (input.labels) set.labels = sortedSet(input.labels);
    if (input.assignees) set.assignees = sortedSet(input.assignees);
    if (input.milestone !== undefined) {
      set.milestoneNumber = input.milestone;
      set.milestoneGithubId = await milestoneGithubId(tx, current.repositoryId, input.milestone);
    }
    const [row] = await tx
      .update(githubIssues)
      .set({ ...set, syncVersion: sql`${githubIssues.syncVersion} + 1` })
      .where(eq(githubIssues.id, id))
      .returning();
    if (!row) throw new Error("issue update returned no row");
    await enqueue(tx, {
      repositoryId: current.repositoryId,
      entityType: "issue",
      entityId: id,
      operation: "update",
      patch,
      base,
      createdBy: ctx.createdBy,
    });
    return { row, repositoryId: current.repositoryId };
  });
}

/** What GitHub will show once the state change lands: its default reasons and closed_at. */
function stateChange(current: Issue, input: IssueUpdateInput): Partial<NewIssue> {
  const state = input.state ?? current.state;
  if (state === current.state) return { stateReason: input.state_reason ?? current.stateReason };
  if (state === "closed") {
    return { state, stateReason: input.state_reason ?? "completed", closedAt: new Date() };
  }
  return { state, stateReason: input.state_reason ?? "reopened", closedAt: null };
}
