/** Milestone behaviour: validation, ordering by due_on/completeness and milestone.* events. */
import type { Ctx } from "../context.ts";
import { notFound, type ValidationItem, validationFailed } from "../errors.ts";
import { nodeId } from "../ids.ts";
import { type Json, milestoneJson } from "../serialize.ts";
import type { SimMilestone, SimRepo } from "../types.ts";
import { repoEnvelope } from "../webhooks/payloads.ts";

interface MilestoneInput {
  title?: unknown;
  state?: unknown;
  description?: unknown;
  due_on?: unknown;
}

function emitMilestone(
  ctx: Ctx,
  repo: SimRepo,
  m: SimMilestone,
  action: string,
  senderId: number,
  extra: Json = {},
) {
  const mj = milestoneJson(ctx.store, m, ctx.urls);
  ctx.store.emit({
    event: "milestone",
    action,
    repoId: repo.id,
    ownerId: repo.ownerId,
    senderId,
    build: () => ({ action, milestone: mj, ...extra, ...repoEnvelope(ctx, repo, senderId) }),
  });
}

export function getMilestone(repo: SimRepo, number: number): SimMilestone {
  for (const m of repo.milestones.values()) if (m.number === number) return m;
  throw notFound();
}

function parseDue(v: unknown, errors: ValidationItem[]): number | null | undefined {
  if (v === undefined) return undefined;
  if (v === null) return null;
  const t = typeof v === "string" ? Date.parse(v) : Number.NaN;
  if (Number.isNaN(t)) {
    errors.push({ resource: "Milestone", code: "invalid", field: "due_on" });
    return undefined;
  }
  return t;
}

function validate(repo: SimRepo, input: MilestoneInput, existing: SimMilestone | null) {
  const errors: ValidationItem[] = [];
  if (!existing && (input.title === undefined || input.title === null || input.title === "")) {
    errors.push({ resource: "Milestone", code: "missing_field", field: "title" });
  } else if (input.title !== undefined && (typeof input.title !== "string" || input.title === "")) {
    errors.push({ resource: "Milestone", code: "invalid", field: "title" });
  } else if (typeof input.title === "string") {
    for (const m of repo.milestones.values()) {
      if (m !== existing && m.title === input.title) {
        errors.push({ resource: "Milestone", code: "already_exists", field: "title" });
      }
    }
  }
  if (input.state !== undefined && input.state !== "open" && input.state !== "closed") {
    errors.push({ resource: "Milestone", code: "invalid", field: "state" });
  }
  const due = parseDue(input.due_on, errors);
  return { errors, due };
}

export function createMilestone(
  ctx: Ctx,
  repo: SimRepo,
  senderId: number,
  input: MilestoneInput,
  at = ctx.clock.now(),
): SimMilestone {
  const { errors, due } = validate(repo, input, null);
  if (errors.length) throw validationFailed(errors);
  const id = ctx.store.id();
  const state = input.state === "closed" ? "closed" : "open";
  const m: SimMilestone = {
    id,
    nodeId: nodeId("MI", id),
    number: repo.nextMilestoneNumber++,
    repoId: repo.id,
    title: String(input.title),
    description: typeof input.description === "string" ? input.description : null,
    state,
    dueOn: due ?? null,
    creatorId: senderId,
    createdAt: at,
    updatedAt: at,
    closedAt: state === "closed" ? at : null,
  };
  repo.milestones.set(id, m);
  ctx.store.milestones.set(id, m);
  ctx.store.registerNode(m.nodeId, "Milestone", id);
  emitMilestone(ctx, repo, m, "created", senderId);
  return m;
}

export function updateMilestone(
  ctx: Ctx,
  repo: SimRepo,
  m: SimMilestone,
  senderId: number,
  input: MilestoneInput,
): SimMilestone {
  const { errors, due } = validate(repo, input, m);
  if (errors.length) throw validationFailed(errors);
  const at = ctx.clock.now();
  const changes: Record<string, { from: string | null }> = {};
  if (typeof input.title === "string" && input.title !== m.title) {
    changes.title = { from: m.title };
    m.title = input.title;
  }
  if (input.description !== undefined && (input.description ?? null) !== m.description) {
    changes.description = { from: m.description ?? "" };
    m.description = typeof input.description === "string" ? input.description : null;
  }
  if (due !== undefined && due !== m.dueOn) {
    changes.due_on = { from: m.dueOn === null ? null : new Date(m.dueOn).toISOString() };
    m.dueOn = due;
  }
  const edited = Object.keys(changes).length > 0;
  let stateAction: string | null = null;
  if (input.state === "closed" && m.state === "open") {
    m.state = "closed";
    m.closedAt = at;
    stateAction = "closed";
  } else if (input.state === "open" && m.state === "closed") {
    m.state = "open";
    m.closedAt = null;
    stateAction = "opened";
  }
  if (edited || stateAction) m.updatedAt = Math.max(at, m.updatedAt + 1000);
  if (edited) emitMilestone(ctx, repo, m, "edited", senderId, { changes });
  if (stateAction) emitMilestone(ctx, repo, m, stateAction, senderId);
  return m;
}

export function deleteMilestone(ctx: Ctx, repo: SimRepo, m: SimMilestone, senderId: number): void {
  emitMilestone(ctx, repo, m, "deleted", senderId);
  repo.milestones.delete(m.id);
  ctx.store.milestones.delete(m.id);
  ctx.store.nodes.delete(m.nodeId);
  for (const issue of repo.issues.values()) if (issue.milestoneId === m.id) issue.milestoneId = null;
  repo.version++;
}

export function listMilestones(
  repo: SimRepo,
  state: "open" | "closed" | "all",
  sort: "due_on" | "completeness",
  direction: "asc" | "desc",
): SimMilestone[] {
  const list = [...repo.milestones.values()].filter((m) => state === "all" || m.state === state);
  const completeness = new Map<number, number>();
  if (sort === "completeness") {
    const counts = new Map<number, { open: number; closed: number }>();
    for (const i of repo.issues.values()) {
      if (i.milestoneId === null) continue;
      const c = counts.get(i.milestoneId) ?? { open: 0, closed: 0 };
      if (i.state === "open") c.open++;
      else c.closed++;
      counts.set(i.milestoneId, c);
    }
    for (const m of list) {
      const c = counts.get(m.id);
      completeness.set(m.id, c && c.open + c.closed ? c.closed / (c.open + c.closed) : 0);
    }
  }
  const key = (m: SimMilestone) =>
    sort === "completeness" ? (completeness.get(m.id) ?? 0) : (m.dueOn ?? Number.MAX_SAFE_INTEGER);
  list.sort((a, b) => key(a) - key(b) || a.number - b.number);
  if (direction === "desc") list.reverse();
  return list;
}
