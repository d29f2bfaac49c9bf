/**
 * projects_v2.* and projects_v2_item.* → the Projects v2 write path (src/db/writes/projects.ts), through the
 * shared webhook mappers. Projects are owner-level: only projects already in the mirror (linked to a tracked
 * repository by the pull) are written; events for other projects of the organization change nothing.
 *
 * A projects_v2_item payload carries the item's header and at most one changed field value, while the write
 * path takes complete items: the stored item is read (locked), the change laid over it, and the result written
 * back, so the write path's "never older" guard still decides.
 *
 * `deleted` (project or item) keeps the row as a tombstone, as the pull's listing would.
 */
import { and, eq } from "drizzle-orm";
import type { Tx } from "../../db/client.ts";
import { githubProjectItems, githubProjects, type ProjectItem, type WebhookEvent } from "../../db/schema.ts";
import {
  tombstoneProject,
  tombstoneProjectItem,
  upsertProjectItems,
  upsertProjects,
} from "../../db/writes/projects.ts";
import {
  mapWebhookFieldValue,
  mapWebhookProject,
  mapWebhookProjectItem,
  type ProjectItemRow,
  type WebhookFieldValueChange,
  type WebhookProjectV2,
  type WebhookProjectV2Item,
} from "../../github/mappers/project.ts";
import { requireObject } from "../payloads.ts";

export type ProjectEventOutcome = "applied" | "deferred";

interface ProjectPayload {
  action: string;
  projects_v2: WebhookProjectV2;
}

interface ProjectItemPayload {
  action: string;
  projects_v2_item: WebhookProjectV2Item;
  changes?: { field_value?: WebhookFieldValueChange };
}

export async function applyProjectEvent(
  tx: Tx,
  event: Pick<WebhookEvent, "eventType" | "action" | "payload">,
): Promise<ProjectEventOutcome> {
  if (event.action === "deleted") {
    if (event.eventType === "projects_v2") {
      const { projects_v2: project } = requireObject<ProjectPayload>(
        event.payload,
        "projects_v2",
        "projects_v2",
      );
      await tombstoneProject(tx, project.node_id);
    } else if (event.eventType === "projects_v2_item") {
      const { projects_v2_item: item } = requireObject<ProjectItemPayload>(
        event.payload,
        "projects_v2_item",
        "projects_v2_item",
      );
      await tombstoneProjectItem(tx, item.node_id);
    }
    return "applied";
  }
  if (event.eventType === "projects_v2") {
    const { projects_v2: project } = requireObject<ProjectPayload>(
      event.payload,
      "projects_v2",
      "projects_v2",
    );
    if (await mirroredProjectId(tx, project.node_id)) await upsertProjects(tx, [mapWebhookProject(project)]);
    return "applied";
  }
  if (event.eventType === "projects_v2_item") {
    const payload = requireObject<ProjectItemPayload>(event.payload, "projects_v2_item", "projects_v2_item");
    await applyItemChange(tx, payload);
    return "applied";
  }
  return "applied";
}

async function mirroredProjectId(tx: Tx, nodeId: string): Promise<string | null> {
  const [row] = await tx
    .select({ id: githubProjects.id })
    .from(githubProjects)
    .where(eq(githubProjects.nodeId, nodeId))
    .limit(1);
  return row?.id ?? null;
}

async function applyItemChange(tx: Tx, payload: ProjectItemPayload): Promise<void> {
  const { projectNodeId, ...header } = mapWebhookProjectItem(payload.projects_v2_item);
  const projectId = await mirroredProjectId(tx, projectNodeId);
  if (!projectId) return;
  const [stored] = await tx
    .select()
    .from(githubProjectItems)
    .where(and(eq(githubProjectItems.nodeId, header.nodeId), eq(githubProjectItems.projectId, projectId)))
    .limit(1)
    .for("update");
  // A deleted item never comes back on GitHub; a late event must not revive its tombstone.
  if (stored?.deletedAt) return;
  const row: ProjectItemRow = { ...header, title: stored?.title ?? null, fieldValues: fieldValuesOf(stored) };
  const change = payload.changes?.field_value;
  if (change?.field_node_id) {
    const { fieldNodeId, value } = mapWebhookFieldValue(change);
    if (value === null) delete row.fieldValues[fieldNodeId];
    else row.fieldValues[fieldNodeId] = value;
  }
  await upsertProjectItems(tx, projectId, [row]);
}

function fieldValuesOf(stored: ProjectItem | undefined): ProjectItemRow["fieldValues"] {
  return { ...(stored?.fieldValues ?? {}) };
}
