/** Projects v2 behaviour shared by GraphQL, the control API and seeding; emits projects_v2* events. */
import { iso, isoOrNull } from "../clock.ts";
import type { Ctx } from "../context.ts";
import { nodeId } from "../ids.ts";
import { type Json, userJson } from "../serialize.ts";
import type {
  FieldDataType,
  FieldValue,
  SimField,
  SimItem,
  SimIteration,
  SimOption,
  SimProject,
} from "../types.ts";
import { orgEnvelope } from "../webhooks/payloads.ts";

export class ProjectError extends Error {
  constructor(
    message: string,
    readonly type: "NOT_FOUND" | "UNPROCESSABLE" | "FORBIDDEN" = "UNPROCESSABLE",
  ) {
    super(message);
  }
}

export function projectJson(ctx: Ctx, p: SimProject): Json {
  return {
    id: p.id,
    node_id: p.nodeId,
    owner: userJson(ctx.store.userById(p.ownerId), ctx.urls),
    creator: userJson(ctx.store.userById(p.creatorId), ctx.urls),
    title: p.title,
    description: p.readme,
    public: p.public,
    closed_at: isoOrNull(p.closedAt),
    created_at: iso(p.createdAt),
    updated_at: iso(p.updatedAt),
    number: p.number,
    short_description: p.shortDescription,
    deleted_at: null,
    deleted_by: null,
    state: p.closed ? "closed" : "open",
    is_template: false,
  };
}

export function itemJson(ctx: Ctx, p: SimProject, item: SimItem): Json {
  const issue = item.issueId === null ? undefined : ctx.store.issues.get(item.issueId);
  return {
    id: item.id,
    node_id: item.nodeId,
    project_node_id: p.nodeId,
    content_node_id: issue?.nodeId ?? item.draft?.nodeId ?? "",
    content_type: item.contentType,
    creator: userJson(ctx.store.userById(item.creatorId), ctx.urls),
    created_at: iso(item.createdAt),
    updated_at: iso(item.updatedAt),
    archived_at: isoOrNull(item.archivedAt),
  };
}

function emitProject(ctx: Ctx, p: SimProject, action: string, senderId: number, extra: Json = {}) {
  const pj = projectJson(ctx, p);
  ctx.store.emit({
    event: "projects_v2",
    action,
    repoId: null,
    ownerId: p.ownerId,
    senderId,
    build: () => ({ action, projects_v2: pj, ...extra, ...orgEnvelope(ctx, p.ownerId, senderId) }),
  });
}

function emitItem(
  ctx: Ctx,
  p: SimProject,
  item: SimItem,
  action: string,
  senderId: number,
  extra: Json = {},
) {
  const ij = itemJson(ctx, p, item);
  ctx.store.emit({
    event: "projects_v2_item",
    action,
    repoId: null,
    ownerId: p.ownerId,
    senderId,
    build: () => ({ action, projects_v2_item: ij, ...extra, ...orgEnvelope(ctx, p.ownerId, senderId) }),
  });
}

function touch(ctx: Ctx, p: SimProject, at = ctx.clock.now()): void {
  p.updatedAt = Math.max(at, p.updatedAt + 1000);
}

export function createField(
  ctx: Ctx,
  p: SimProject,
  name: string,
  dataType: FieldDataType,
  extra: { options?: Array<Omit<SimOption, "id">>; iterations?: Array<Omit<SimIteration, "id">> } = {},
): SimField {
  const id = ctx.store.id();
  const prefix = dataType === "SINGLE_SELECT" ? "PVTSSF" : dataType === "ITERATION" ? "PVTIF" : "PVTF";
  const hex = (n: number) => (n >>> 0).toString(16).padStart(8, "0").slice(0, 8);
  const f: SimField = {
    id,
    nodeId: nodeId(prefix, id),
    projectId: p.id,
    name,
    dataType,
    options: (extra.options ?? []).map((o, i) => ({ ...o, id: hex(id * 31 + i * 7919) })),
    iterations: (extra.iterations ?? []).map((it, i) => ({ ...it, id: hex(id * 17 + i * 104729) })),
    createdAt: p.createdAt,
    updatedAt: p.createdAt,
  };
  p.fields.push(f);
  ctx.store.registerNode(f.nodeId, "ProjectV2Field", id);
  return f;
}

export function createProject(
  ctx: Ctx,
  ownerId: number,
  creatorId: number,
  title: string,
  at = ctx.clock.now(),
): SimProject {
  const id = ctx.store.id();
  let number = 1;
  for (const other of ctx.store.projects.values())
    if (other.ownerId === ownerId) number = Math.max(number, other.number + 1);
  const p: SimProject = {
    id,
    nodeId: nodeId("PVT", id),
    number,
    ownerId,
    title,
    shortDescription: null,
    readme: null,
    public: false,
    closed: false,
    closedAt: null,
    creatorId,
    createdAt: at,
    updatedAt: at,
    fields: [],
    linkedRepoIds: new Set(),
    items: new Map(),
  };
  ctx.store.projects.set(id, p);
  ctx.store.registerNode(p.nodeId, "ProjectV2", id);
  // The built-in fields every new project has on github.com.
  createField(ctx, p, "Title", "TITLE");
  createField(ctx, p, "Assignees", "ASSIGNEES");
  createField(ctx, p, "Status", "SINGLE_SELECT", {
    options: [
      { name: "Todo", color: "GREEN", description: "This item hasn't been started" },
      { name: "In Progress", color: "YELLOW", description: "This is actively being worked on" },
      { name: "Done", color: "PURPLE", description: "This has been completed" },
    ],
  });
  createField(ctx, p, "Labels", "LABELS");
  createField(ctx, p, "Milestone", "MILESTONE");
  createField(ctx, p, "Repository", "REPOSITORY");
  emitProject(ctx, p, "created", creatorId);
  return p;
}

export interface ProjectPatch {
  title?: string | null;
  shortDescription?: string | null;
  readme?: string | null;
  public?: boolean | null;
  closed?: boolean | null;
}

export function updateProject(ctx: Ctx, p: SimProject, senderId: number, patch: ProjectPatch): SimProject {
  const changes: Json = {};
  if (patch.title != null && patch.title !== p.title) {
    changes.title = { from: p.title, to: patch.title };
    p.title = patch.title;
  }
  if (patch.shortDescription !== undefined && patch.shortDescription !== p.shortDescription) {
    changes.short_description = { from: p.shortDescription, to: patch.shortDescription };
    p.shortDescription = patch.shortDescription;
  }
  if (patch.readme !== undefined && patch.readme !== p.readme) {
    changes.description = { from: p.readme, to: patch.readme };
    p.readme = patch.readme;
  }
  if (patch.public != null && patch.public !== p.public) {
    changes.public = { from: p.public, to: patch.public };
    p.public = patch.public;
  }
  let stateAction: string | null = null;
  if (patch.closed != null && patch.closed !== p.closed) {
    p.closed = patch.closed;
    p.closedAt = patch.closed ? ctx.clock.now() : null;
    stateAction = patch.closed ? "closed" : "reopened";
  }
  if (Object.keys(changes).length || stateAction) touch(ctx, p);
  if (Object.keys(changes).length) emitProject(ctx, p, "edited", senderId, { changes });
  if (stateAction) emitProject(ctx, p, stateAction, senderId);
  return p;
}

/**
 * linkProjectV2ToRepository (and createProjectV2's repositoryId): GitHub links only repositories of the
 * project's owner. Linking twice is a no-op.
 */
export function linkRepository(ctx: Ctx, p: SimProject, repoId: number): SimProject {
  const repo = ctx.store.repoById(repoId);
  if (repo.ownerId !== p.ownerId) {
    throw new ProjectError("The repository and the project must have the same owner", "UNPROCESSABLE");
  }
  p.linkedRepoIds.add(repoId);
  return p;
}

export function findItem(p: SimProject, itemNodeId: string): SimItem {
  for (const item of p.items.values()) if (item.nodeId === itemNodeId) return item;
  throw new ProjectError(`Could not resolve to a node with the global id of '${itemNodeId}'`, "NOT_FOUND");
}

export function findField(p: SimProject, fieldNodeId: string): SimField {
  const f = p.fields.find((x) => x.nodeId === fieldNodeId);
  if (!f)
    throw new ProjectError(`Could not resolve to a node with the global id of '${fieldNodeId}'`, "NOT_FOUND");
  return f;
}

/** addProjectV2ItemById: adding content already in the project returns the existing item (reference §7). */
export function addItem(
  ctx: Ctx,
  p: SimProject,
  senderId: number,
  contentNodeId: string,
  at = ctx.clock.now(),
): SimItem {
  const ref = ctx.store.nodes.get(contentNodeId);
  const issue =
    ref && (ref.kind === "Issue" || ref.kind === "PullRequest") ? ctx.store.issues.get(ref.id) : undefined;
  if (!issue)
    throw new ProjectError(
      `Could not resolve to a node with the global id of '${contentNodeId}'`,
      "NOT_FOUND",
    );
  for (const item of p.items.values()) if (item.issueId === issue.id) return item;
  const id = ctx.store.id();
  const item: SimItem = {
    id,
    nodeId: nodeId("PVTI", id),
    projectId: p.id,
    contentType: issue.pullRequest ? "PullRequest" : "Issue",
    issueId: issue.id,
    draft: null,
    values: new Map(),
    creatorId: senderId,
    createdAt: at,
    updatedAt: at,
    archivedAt: null,
  };
  p.items.set(id, item);
  ctx.store.registerNode(item.nodeId, "ProjectV2Item", id);
  touch(ctx, p, at);
  emitItem(ctx, p, item, "created", senderId);
  return item;
}

export function addDraftItem(ctx: Ctx, p: SimProject, senderId: number, title: string, body = ""): SimItem {
  const id = ctx.store.id();
  const at = ctx.clock.now();
  const item: SimItem = {
    id,
    nodeId: nodeId("PVTI", id),
    projectId: p.id,
    contentType: "DraftIssue",
    issueId: null,
    draft: { nodeId: nodeId("DI", id), title, body },
    values: new Map(),
    creatorId: senderId,
    createdAt: at,
    updatedAt: at,
    archivedAt: null,
  };
  p.items.set(id, item);
  ctx.store.registerNode(item.nodeId, "ProjectV2Item", id);
  ctx.store.registerNode(item.draft?.nodeId ?? "", "DraftIssue", id);
  emitItem(ctx, p, item, "created", senderId);
  return item;
}

function valueForWebhook(f: SimField, v: FieldValue | undefined): unknown {
  if (!v) return null;
  if ("text" in v) return v.text;
  if ("number" in v) return v.number;
  if ("date" in v) return v.date;
  if ("singleSelectOptionId" in v) {
    const o = f.options.find((x) => x.id === v.singleSelectOptionId);
    return o ? { id: o.id, name: o.name, color: o.color, description: o.description } : null;
  }
  const it = f.iterations.find((x) => x.id === v.iterationId);
  return it ? { id: it.id, title: it.title, duration: it.duration, start_date: it.startDate } : null;
}

const EDITABLE: readonly FieldDataType[] = ["TEXT", "NUMBER", "DATE", "SINGLE_SELECT", "ITERATION"];

/**
 * updateProjectV2ItemFieldValue: only text, number, date, single-select and iteration fields; assignees, labels
 * and milestone are changed on the issue itself (reference §7).
 */
export function setFieldValue(
  ctx: Ctx,
  p: SimProject,
  item: SimItem,
  f: SimField,
  value: FieldValue | null,
  senderId: number,
): SimItem {
  if (value !== null) {
    if (!EDITABLE.includes(f.dataType)) {
      throw new ProjectError(`The field of type ${f.dataType.toLowerCase()} is currently not supported`);
    }
    const ok =
      (f.dataType === "TEXT" && "text" in value) ||
      (f.dataType === "NUMBER" && "number" in value) ||
      (f.dataType === "DATE" && "date" in value && !Number.isNaN(Date.parse(value.date))) ||
      (f.dataType === "SINGLE_SELECT" &&
        "singleSelectOptionId" in value &&
        f.options.some((o) => o.id === value.singleSelectOptionId)) ||
      (f.dataType === "ITERATION" &&
        "iterationId" in value &&
        f.iterations.some((i) => i.id === value.iterationId));
    if (!ok) throw new ProjectError(`The value is not valid for the field ${f.name}`);
  }
  const from = valueForWebhook(f, item.values.get(f.id));
  if (value === null) item.values.delete(f.id);
  else item.values.set(f.id, value);
  const at = ctx.clock.now();
  item.updatedAt = Math.max(at, item.updatedAt + 1000);
  touch(ctx, p, at);
  const to = valueForWebhook(f, item.values.get(f.id));
  // An empty side is left out rather than sent as null: the published schema's oneOf for from/to admits no
  // null, and clients must treat a missing side as empty either way.
  emitItem(ctx, p, item, "edited", senderId, {
    changes: {
      field_value: {
        field_node_id: f.nodeId,
        field_type: f.dataType.toLowerCase(),
        field_name: f.name,
        project_number: p.number,
        ...(from === null ? {} : { from }),
        ...(to === null ? {} : { to }),
      },
    },
  });
  return item;
}

export function deleteItem(ctx: Ctx, p: SimProject, item: SimItem, senderId: number): void {
  p.items.delete(item.id);
  ctx.store.nodes.delete(item.nodeId);
  touch(ctx, p);
  emitItem(ctx, p, item, "deleted", senderId);
}

export function archiveItem(
  ctx: Ctx,
  p: SimProject,
  item: SimItem,
  senderId: number,
  archived = true,
): SimItem {
  const before = item.archivedAt;
  if (archived === (before !== null)) return item;
  const at = ctx.clock.now();
  item.archivedAt = archived ? at : null;
  item.updatedAt = Math.max(at, item.updatedAt + 1000);
  emitItem(ctx, p, item, archived ? "archived" : "restored", senderId, {
    changes: { archived_at: { from: isoOrNull(before), to: isoOrNull(item.archivedAt) } },
  });
  return item;
}
