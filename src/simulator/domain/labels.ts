/** Label behaviour: GitHub's name/colour/description validation and label.* events. */
import type { Ctx } from "../context.ts";
import { notFound, type ValidationItem, validationFailed } from "../errors.ts";
import { nodeId } from "../ids.ts";
import { type Json, labelJson } from "../serialize.ts";
import type { SimLabel, SimRepo } from "../types.ts";
import { repoEnvelope } from "../webhooks/payloads.ts";

const COLOR = /^[0-9a-fA-F]{6}$/;

function emitLabel(
  ctx: Ctx,
  repo: SimRepo,
  label: SimLabel,
  action: string,
  senderId: number,
  extra: Json = {},
) {
  const lj = labelJson(ctx.store, label, ctx.urls);
  ctx.store.emit({
    event: "label",
    action,
    repoId: repo.id,
    ownerId: repo.ownerId,
    senderId,
    build: () => ({ action, label: lj, ...extra, ...repoEnvelope(ctx, repo, senderId) }),
  });
}

export function findLabel(repo: SimRepo, name: string): SimLabel | undefined {
  const lower = name.toLowerCase();
  for (const l of repo.labels.values()) if (l.name.toLowerCase() === lower) return l;
  return undefined;
}

export function getLabel(repo: SimRepo, name: string): SimLabel {
  const l = findLabel(repo, name);
  if (!l) throw notFound();
  return l;
}

interface LabelInput {
  name?: unknown;
  new_name?: unknown;
  color?: unknown;
  description?: unknown;
}

function validate(repo: SimRepo, input: LabelInput, existing: SimLabel | null): ValidationItem[] {
  const errors: ValidationItem[] = [];
  const name = existing ? (input.new_name ?? input.name) : input.name;
  if (!existing && (name === undefined || name === null || name === "")) {
    errors.push({ resource: "Label", code: "missing_field", field: "name" });
  } else if (name !== undefined && (typeof name !== "string" || name === "")) {
    errors.push({ resource: "Label", code: "invalid", field: "name" });
  } else if (typeof name === "string") {
    const clash = findLabel(repo, name);
    if (clash && clash !== existing)
      errors.push({ resource: "Label", code: "already_exists", field: "name" });
  }
  // The colour is six hex digits without a leading '#' (real capture: code "invalid", field "color").
  if (input.color !== undefined && (typeof input.color !== "string" || !COLOR.test(input.color))) {
    errors.push({ resource: "Label", code: "invalid", field: "color" });
  }
  if (
    input.description !== undefined &&
    input.description !== null &&
    (typeof input.description !== "string" || input.description.length > 100)
  ) {
    errors.push({ resource: "Label", code: "invalid", field: "description" });
  }
  return errors;
}

export function createLabel(ctx: Ctx, repo: SimRepo, senderId: number, input: LabelInput): SimLabel {
  const errors = validate(repo, input, null);
  if (errors.length) throw validationFailed(errors);
  const id = ctx.store.id();
  const label: SimLabel = {
    id,
    nodeId: nodeId("LA", id),
    repoId: repo.id,
    name: String(input.name),
    // GitHub picks a colour when none is given; a fixed grey keeps the simulator deterministic.
    color: typeof input.color === "string" ? input.color.toLowerCase() : "ededed",
    description: typeof input.description === "string" ? input.description : null,
    default: false,
  };
  repo.labels.set(id, label);
  ctx.store.labels.set(id, label);
  ctx.store.registerNode(label.nodeId, "Label", id);
  emitLabel(ctx, repo, label, "created", senderId);
  return label;
}

/** Used when an issue is given a label name that does not exist yet. */
export function ensureLabel(ctx: Ctx, repo: SimRepo, name: string, senderId: number): SimLabel {
  return findLabel(repo, name) ?? createLabel(ctx, repo, senderId, { name });
}

export function updateLabel(
  ctx: Ctx,
  repo: SimRepo,
  label: SimLabel,
  senderId: number,
  input: LabelInput,
): SimLabel {
  const errors = validate(repo, input, label);
  if (errors.length) throw validationFailed(errors);
  const changes: Record<string, { from: string | null }> = {};
  const newName = input.new_name ?? input.name;
  if (typeof newName === "string" && newName !== label.name) {
    changes.name = { from: label.name };
    label.name = newName;
  }
  if (typeof input.color === "string" && input.color.toLowerCase() !== label.color) {
    changes.color = { from: label.color };
    label.color = input.color.toLowerCase();
  }
  if (input.description !== undefined && (input.description ?? null) !== label.description) {
    changes.description = { from: label.description ?? "" };
    label.description = typeof input.description === "string" ? input.description : null;
  }
  if (Object.keys(changes).length) emitLabel(ctx, repo, label, "edited", senderId, { changes });
  return label;
}

export function deleteLabel(ctx: Ctx, repo: SimRepo, label: SimLabel, senderId: number): void {
  emitLabel(ctx, repo, label, "deleted", senderId);
  repo.labels.delete(label.id);
  ctx.store.labels.delete(label.id);
  ctx.store.nodes.delete(label.nodeId);
  for (const issue of repo.issues.values()) {
    if (issue.labelIds.includes(label.id)) issue.labelIds = issue.labelIds.filter((id) => id !== label.id);
  }
}
