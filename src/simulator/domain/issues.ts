/** Issue behaviour shared by REST, GraphQL and the control API: validation, state_reason rules, events. */
import type { Ctx } from "../context.ts";
import { gone, HttpError, notFound, type ValidationItem, validationFailed } from "../errors.ts";
import { nodeId } from "../ids.ts";
import { issueJson, type Json, labelJson, milestoneJson, userJson } from "../serialize.ts";
import type { SimIssue, SimLabel, SimRepo, StateReason } from "../types.ts";
import { repoEnvelope } from "../webhooks/payloads.ts";
import { ensureLabel } from "./labels.ts";

export interface IssueInput {
  title?: unknown;
  body?: unknown;
  state?: unknown;
  state_reason?: unknown;
  milestone?: unknown;
  labels?: unknown;
  assignees?: unknown;
  assignee?: unknown;
}

function emitIssue(
  ctx: Ctx,
  repo: SimRepo,
  issue: SimIssue,
  action: string,
  senderId: number,
  extra: Json = {},
) {
  // Snapshot now: deliveries are asynchronous, the payload must show the issue as it was at this change.
  ctx.store.emit({
    event: "issues",
    action,
    repoId: repo.id,
    ownerId: repo.ownerId,
    senderId,
    build: () => ({
      action,
      ...extra,
      issue: issueJson(ctx.store, issue, ctx.urls),
      ...repoEnvelope(ctx, repo, senderId),
    }),
  });
}

export function assertIssuesEnabled(repo: SimRepo): void {
  // Clients match this exact message (reference §5).
  if (!repo.hasIssues) throw gone("Issues are disabled for this repo");
}

/** GET semantics: 410 for a deleted issue, 301 for a transferred one, 404 when it never existed. */
export function findIssue(ctx: Ctx, repo: SimRepo, number: number): SimIssue {
  assertIssuesEnabled(repo);
  const issue = repo.issues.get(number);
  if (issue) return issue;
  const t = repo.tombstones.get(number);
  if (t?.kind === "deleted") throw gone("This issue was deleted");
  if (t?.kind === "transferred") {
    const target = ctx.store.repos.get(t.toRepoId);
    if (target) {
      const url = `${ctx.urls.api}/repositories/${target.id}/issues/${t.toNumber}`;
      throw new HttpError(
        301,
        { message: "Moved Permanently", url, documentation_url: "https://docs.github.com/rest" },
        { location: url },
      );
    }
  }
  throw notFound();
}

function parseLabelNames(v: unknown, errors: ValidationItem[]): string[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) {
    errors.push({ resource: "Issue", field: "labels", code: "invalid", value: v });
    return undefined;
  }
  const names: string[] = [];
  for (const x of v) {
    if (typeof x === "string") names.push(x);
    else if (x && typeof x === "object" && typeof (x as { name?: unknown }).name === "string")
      names.push((x as { name: string }).name);
    else errors.push({ resource: "Issue", field: "labels", code: "invalid", value: x });
  }
  return names;
}

function parseAssignees(ctx: Ctx, input: IssueInput, errors: ValidationItem[]): number[] | undefined {
  let logins: unknown[] | undefined;
  if (input.assignees !== undefined) {
    if (!Array.isArray(input.assignees)) {
      errors.push({ resource: "Issue", field: "assignees", code: "invalid", value: input.assignees });
      return undefined;
    }
    logins = input.assignees;
  } else if (input.assignee !== undefined) {
    logins = input.assignee === null ? [] : [input.assignee];
  }
  if (!logins) return undefined;
  const ids: number[] = [];
  for (const l of logins) {
    const u = typeof l === "string" ? ctx.store.usersByLogin.get(l.toLowerCase()) : undefined;
    if (!u || u.type === "Organization") {
      errors.push({ resource: "Issue", field: "assignees", code: "invalid", value: l });
      continue;
    }
    if (!ids.includes(u.id)) ids.push(u.id);
  }
  return ids;
}

function parseMilestone(repo: SimRepo, v: unknown, errors: ValidationItem[]): number | null | undefined {
  if (v === undefined) return undefined;
  if (v === null) return null;
  const n = typeof v === "number" ? v : typeof v === "string" && /^\d+$/.test(v) ? Number(v) : Number.NaN;
  for (const m of repo.milestones.values()) if (m.number === n) return m.id;
  errors.push({ resource: "Issue", field: "milestone", code: "invalid", value: v });
  return undefined;
}

function labelsFor(ctx: Ctx, repo: SimRepo, names: string[], senderId: number): SimLabel[] {
  // GitHub creates labels that do not exist yet when a user with push access applies them.
  const out: SimLabel[] = [];
  for (const n of names) {
    const l = ensureLabel(ctx, repo, n, senderId);
    if (!out.includes(l)) out.push(l);
  }
  return out;
}

export function createIssue(
  ctx: Ctx,
  repo: SimRepo,
  senderId: number,
  input: IssueInput,
  opts: { pullRequest?: boolean; at?: number } = {},
): SimIssue {
  assertIssuesEnabled(repo);
  const errors: ValidationItem[] = [];
  if (input.title === undefined || input.title === null || input.title === "") {
    errors.push({ resource: "Issue", field: "title", code: "missing_field" });
  } else if (typeof input.title !== "string" && typeof input.title !== "number") {
    errors.push({ resource: "Issue", field: "title", code: "invalid", value: input.title });
  }
  if (input.body !== undefined && input.body !== null && typeof input.body !== "string") {
    errors.push({ resource: "Issue", field: "body", code: "invalid", value: input.body });
  }
  const labelNames = parseLabelNames(input.labels, errors);
  const assigneeIds = parseAssignees(ctx, input, errors);
  const milestoneId = parseMilestone(repo, input.milestone, errors);
  if (errors.length) throw validationFailed(errors);
  const at = opts.at ?? ctx.clock.now();
  const id = ctx.store.id();
  const labels = labelsFor(ctx, repo, labelNames ?? [], senderId);
  const issue: SimIssue = {
    id,
    nodeId: nodeId(opts.pullRequest ? "PR" : "I", id),
    number: repo.nextIssueNumber++,
    repoId: repo.id,
    title: String(input.title),
    body: typeof input.body === "string" ? input.body : null,
    state: "open",
    stateReason: null,
    userId: senderId,
    assigneeIds: assigneeIds ?? [],
    labelIds: labels.map((l) => l.id),
    milestoneId: milestoneId ?? null,
    locked: false,
    activeLockReason: null,
    comments: 0,
    createdAt: at,
    updatedAt: Math.floor(at / 1000) * 1000,
    closedAt: null,
    closedById: null,
    pullRequest: opts.pullRequest ? { draft: false, mergedAt: null } : null,
  };
  ctx.store.insertIssue(repo, issue);
  // Pull requests send pull_request events, which the sync does not consume.
  if (!issue.pullRequest) emitIssue(ctx, repo, issue, "opened", senderId);
  return issue;
}

const CLOSE_REASONS: readonly StateReason[] = ["completed", "not_planned", "duplicate"];

export function updateIssue(
  ctx: Ctx,
  repo: SimRepo,
  issue: SimIssue,
  senderId: number,
  input: IssueInput,
): SimIssue {
  assertIssuesEnabled(repo);
  const errors: ValidationItem[] = [];
  if (input.title !== undefined && (input.title === null || input.title === "")) {
    errors.push({ resource: "Issue", field: "title", code: "missing_field" });
  }
  if (input.state !== undefined && input.state !== "open" && input.state !== "closed") {
    errors.push({ resource: "Issue", field: "state", code: "invalid", value: input.state });
  }
  const validReasons = [...CLOSE_REASONS, "reopened", null];
  if (input.state_reason !== undefined && !validReasons.includes(input.state_reason as StateReason)) {
    errors.push({ resource: "Issue", field: "state_reason", code: "invalid", value: input.state_reason });
  }
  const labelNames = parseLabelNames(input.labels, errors);
  const assigneeIds = parseAssignees(ctx, input, errors);
  const milestoneId = parseMilestone(repo, input.milestone, errors);
  if (errors.length) throw validationFailed(errors);

  const at = ctx.clock.now();
  const changes: Json = {};
  const before = { title: issue.title, body: issue.body };
  let changed = false;
  const pending: Array<() => void> = [];

  if (input.title !== undefined && String(input.title) !== issue.title) {
    changes.title = { from: issue.title };
    issue.title = String(input.title);
    changed = true;
  }
  if (input.body !== undefined && (input.body ?? null) !== issue.body) {
    changes.body = { from: before.body ?? "" };
    issue.body = typeof input.body === "string" ? input.body : null;
    changed = true;
  }
  if (Object.keys(changes).length)
    pending.push(() => emitIssue(ctx, repo, issue, "edited", senderId, { changes }));

  // state_reason only matters when the state changes (reference §5); closing defaults to "completed" and
  // reopening always records "reopened".
  if (input.state === "closed" && issue.state === "open") {
    const reason = input.state_reason as StateReason | null | undefined;
    issue.state = "closed";
    issue.stateReason = reason && CLOSE_REASONS.includes(reason) ? reason : "completed";
    issue.closedAt = at;
    issue.closedById = senderId;
    changed = true;
    pending.push(() => emitIssue(ctx, repo, issue, "closed", senderId));
  } else if (input.state === "open" && issue.state === "closed") {
    issue.state = "open";
    issue.stateReason = "reopened";
    issue.closedAt = null;
    issue.closedById = null;
    changed = true;
    pending.push(() => emitIssue(ctx, repo, issue, "reopened", senderId));
  } else if (
    input.state === "closed" &&
    input.state_reason !== undefined &&
    input.state_reason !== "reopened"
  ) {
    // Changing the reason of an already closed issue is allowed on github.com (close as not planned).
    const reason = (input.state_reason as StateReason | null) ?? "completed";
    if (reason !== issue.stateReason) {
      issue.stateReason = reason;
      changed = true;
    }
  }

  if (milestoneId !== undefined && milestoneId !== issue.milestoneId) {
    const old = issue.milestoneId === null ? undefined : ctx.store.milestones.get(issue.milestoneId);
    issue.milestoneId = milestoneId;
    changed = true;
    const now = milestoneId === null ? undefined : ctx.store.milestones.get(milestoneId);
    if (old) {
      const m = milestoneJson(ctx.store, old, ctx.urls);
      pending.push(() => emitIssue(ctx, repo, issue, "demilestoned", senderId, { milestone: m }));
    }
    if (now) pending.push(() => emitMilestoned(ctx, repo, issue, senderId));
  }
  if (labelNames !== undefined) {
    const labels = labelsFor(ctx, repo, labelNames, senderId);
    changed = setLabelIds(ctx, repo, issue, senderId, labels, pending) || changed;
  }
  if (assigneeIds !== undefined) {
    const removed = issue.assigneeIds.filter((id) => !assigneeIds.includes(id));
    const added = assigneeIds.filter((id) => !issue.assigneeIds.includes(id));
    if (removed.length || added.length) {
      issue.assigneeIds = assigneeIds;
      changed = true;
      for (const id of removed) {
        const a = userJson(ctx.store.userById(id), ctx.urls);
        pending.push(() => emitIssue(ctx, repo, issue, "unassigned", senderId, { assignee: a }));
      }
      for (const id of added) {
        const a = userJson(ctx.store.userById(id), ctx.urls);
        pending.push(() => emitIssue(ctx, repo, issue, "assigned", senderId, { assignee: a }));
      }
    }
  }
  if (changed) ctx.store.touchIssue(repo, issue, at);
  for (const p of pending) p();
  return issue;
}

function emitMilestoned(ctx: Ctx, repo: SimRepo, issue: SimIssue, senderId: number) {
  const m = issue.milestoneId === null ? undefined : ctx.store.milestones.get(issue.milestoneId);
  if (m)
    emitIssue(ctx, repo, issue, "milestoned", senderId, { milestone: milestoneJson(ctx.store, m, ctx.urls) });
}

function setLabelIds(
  ctx: Ctx,
  repo: SimRepo,
  issue: SimIssue,
  senderId: number,
  labels: SimLabel[],
  pending: Array<() => void>,
): boolean {
  const ids = labels.map((l) => l.id);
  const removed = issue.labelIds.filter((id) => !ids.includes(id));
  const added = ids.filter((id) => !issue.labelIds.includes(id));
  if (!removed.length && !added.length) return false;
  issue.labelIds = ids;
  for (const id of removed) {
    const l = ctx.store.labels.get(id);
    if (l) {
      const lj = labelJson(ctx.store, l, ctx.urls);
      pending.push(() => emitIssue(ctx, repo, issue, "unlabeled", senderId, { label: lj }));
    }
  }
  for (const l of labels) {
    if (!added.includes(l.id)) continue;
    const lj = labelJson(ctx.store, l, ctx.urls);
    pending.push(() => emitIssue(ctx, repo, issue, "labeled", senderId, { label: lj }));
  }
  return true;
}

/** POST/PUT/DELETE …/issues/{n}/labels. `mode` add keeps existing labels; set replaces; remove drops one. */
export function changeIssueLabels(
  ctx: Ctx,
  repo: SimRepo,
  issue: SimIssue,
  senderId: number,
  mode: "add" | "set" | "remove",
  names: string[],
): SimLabel[] {
  assertIssuesEnabled(repo);
  const pending: Array<() => void> = [];
  let target: SimLabel[];
  const current = issue.labelIds.map((id) => ctx.store.labels.get(id)).filter((l): l is SimLabel => !!l);
  if (mode === "remove") {
    const lower = names.map((n) => n.toLowerCase());
    const hit = current.filter((l) => lower.includes(l.name.toLowerCase()));
    // DELETE of a label the issue does not carry is a 404 "Label does not exist".
    if (!hit.length)
      throw new HttpError(404, {
        message: "Label does not exist",
        documentation_url: "https://docs.github.com/rest/issues/labels#remove-a-label-from-an-issue",
        status: "404",
      });
    target = current.filter((l) => !hit.includes(l));
  } else {
    const wanted = labelsFor(ctx, repo, names, senderId);
    target = mode === "set" ? wanted : [...current, ...wanted.filter((l) => !current.includes(l))];
  }
  if (setLabelIds(ctx, repo, issue, senderId, target, pending))
    ctx.store.touchIssue(repo, issue, ctx.clock.now());
  for (const p of pending) p();
  return target;
}

export function deleteIssue(ctx: Ctx, repo: SimRepo, issue: SimIssue, senderId: number): void {
  const payload = issueJson(ctx.store, issue, ctx.urls);
  ctx.store.removeIssue(repo, issue);
  repo.tombstones.set(issue.number, { kind: "deleted" });
  ctx.store.emit({
    event: "issues",
    action: "deleted",
    repoId: repo.id,
    ownerId: repo.ownerId,
    senderId,
    build: () => ({ action: "deleted", issue: payload, ...repoEnvelope(ctx, repo, senderId) }),
  });
}

/** Moves the issue to another repository: a new id and number there, 301 from the old URL. */
export function transferIssue(
  ctx: Ctx,
  repo: SimRepo,
  issue: SimIssue,
  target: SimRepo,
  senderId: number,
): SimIssue {
  if (issue.pullRequest)
    throw validationFailed([
      { resource: "Issue", code: "custom", message: "Pull requests cannot be transferred" },
    ]);
  const oldPayload = issueJson(ctx.store, issue, ctx.urls);
  const at = ctx.clock.now();
  ctx.store.removeIssue(repo, issue);
  const id = ctx.store.id();
  // Labels and milestone do not follow unless the target has them by name; GitHub keeps matching labels.
  const labelIds: number[] = [];
  for (const lid of issue.labelIds) {
    const l = ctx.store.labels.get(lid);
    if (!l) continue;
    for (const tl of target.labels.values())
      if (tl.name.toLowerCase() === l.name.toLowerCase()) labelIds.push(tl.id);
  }
  const moved: SimIssue = {
    ...issue,
    id,
    nodeId: nodeId("I", id),
    number: target.nextIssueNumber++,
    repoId: target.id,
    labelIds,
    milestoneId: null,
    updatedAt: issue.updatedAt,
  };
  moved.updatedAt = Math.floor(at / 1000) * 1000;
  ctx.store.insertIssue(target, moved);
  repo.tombstones.set(issue.number, { kind: "transferred", toRepoId: target.id, toNumber: moved.number });
  const newIssue = issueJson(ctx.store, moved, ctx.urls);
  ctx.store.emit({
    event: "issues",
    action: "transferred",
    repoId: repo.id,
    ownerId: repo.ownerId,
    senderId,
    build: () => ({
      action: "transferred",
      changes: { new_issue: newIssue, new_repository: repoEnvelope(ctx, target, senderId).repository },
      issue: oldPayload,
      ...repoEnvelope(ctx, repo, senderId),
    }),
  });
  emitIssue(ctx, target, moved, "opened", senderId);
  return moved;
}
