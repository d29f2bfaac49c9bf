/**
 * Pushing a project item (GraphQL):
 * - create: addProjectV2ItemById. Naturally idempotent (GitHub answers with the existing item when the content
 *   is already in the project), so a retry after a lost response needs no search.
 * - update: field by field against the item as GitHub has it now. Field values are settings, not prose: a value
 *   changed on both sides takes the local one (local_wins) without recording a conflict. Each differing value
 *   is one updateProjectV2ItemFieldValue (or clearProjectV2ItemFieldValue for null); a retry re-reads and sends
 *   only what still differs.
 */
import { and, eq, ne, sql } from "drizzle-orm";
import { withFence } from "../../actors/fence.ts";
import { type NormalisedValue, normalise } from "../../api/writes/field-values.ts";
import type { Tx } from "../../db/client.ts";
import { githubProjectItems, githubProjects, type OutboxEntry, type ProjectItem } from "../../db/schema.ts";
import { mapProjectItem } from "../mappers/project.ts";
import type { GqlItem } from "../projects/queries.ts";
import { mergeField } from "./merge.ts";
import { finishEntry, markAttempt, refreshSyncState } from "./outbox-store.ts";
import {
  ADD_ITEM,
  type AddItemResult,
  CLEAR_FIELD_VALUE,
  type ClearFieldValueResult,
  gql,
  ITEM_NODE_QUERY,
  type ItemNodeResult,
  required,
  SET_FIELD_VALUE,
  type SetFieldValueResult,
} from "./project-graphql.ts";
import type { PushContext } from "./push-context.ts";
import { failEntry } from "./push-entity.ts";

/**
 * GitHub's item on the local row (by local id). `only` limits the field values taken to those fields (an
 * update), so a later local edit of another field, not pushed yet, stays visible; absent: all of them (a create).
 */
async function adoptItem(tx: Tx, localId: string, remote: GqlItem, only?: string[]) {
  await tx
    .delete(githubProjectItems)
    .where(and(eq(githubProjectItems.nodeId, remote.id), ne(githubProjectItems.id, localId)));
  const [row] = await tx
    .select()
    .from(githubProjectItems)
    .where(eq(githubProjectItems.id, localId))
    .for("update");
  if (!row) return;
  const mapped = mapProjectItem(remote).row;
  let fieldValues = mapped.fieldValues;
  if (only) {
    fieldValues = { ...row.fieldValues };
    for (const fieldId of only) {
      const value = mapped.fieldValues[fieldId];
      if (value) fieldValues[fieldId] = value;
      else delete fieldValues[fieldId];
    }
  }
  await tx
    .update(githubProjectItems)
    .set({
      nodeId: mapped.nodeId,
      githubId: mapped.githubId,
      archived: mapped.archived,
      creatorLogin: mapped.creatorLogin ?? row.creatorLogin,
      createdAt: mapped.createdAt,
      updatedAt: mapped.updatedAt,
      fieldValues,
      syncedAt: new Date(),
      syncVersion: sql`${githubProjectItems.syncVersion} + 1`,
      // Every item write takes a fresh sync_seq (see projectItemSyncSeq in schema.ts).
      syncSeq: sql`nextval('github_project_items_sync_seq')`,
    })
    .where(eq(githubProjectItems.id, localId));
}

async function finish(
  ctx: PushContext,
  entry: OutboxEntry,
  local: ProjectItem,
  remote: GqlItem | null,
  only?: string[],
  folded: number[] = [],
) {
  await withFence(ctx.db, ctx.fence, async (tx) => {
    if (remote) await adoptItem(tx, local.id, remote, only);
    await finishEntry(tx, entry.id, "done", undefined, folded);
    await refreshSyncState(tx, "project_item", local.id);
  });
}

async function create(ctx: PushContext, entry: OutboxEntry, local: ProjectItem, projectNodeId: string) {
  if (local.nodeId !== null) return finish(ctx, entry, local, null);
  const patch = entry.patch as { project_node_id?: unknown; content_node_id?: unknown };
  const contentId = typeof patch.content_node_id === "string" ? patch.content_node_id : local.contentNodeId;
  if (!contentId) return failEntry(ctx, entry, "the item has no content to add");
  const projectId = typeof patch.project_node_id === "string" ? patch.project_node_id : projectNodeId;
  await withFence(ctx.db, ctx.fence, (tx) => markAttempt(tx, entry.id));
  const answer = await gql<AddItemResult>(ctx, ADD_ITEM, { projectId, contentId });
  await finish(
    ctx,
    entry,
    local,
    required(answer.addProjectV2ItemById?.item, "item in the addProjectV2ItemById answer"),
  );
}

async function update(
  ctx: PushContext,
  entry: OutboxEntry,
  local: ProjectItem,
  projectNodeId: string,
  folded: number[],
) {
  if (local.nodeId === null) return failEntry(ctx, entry, "the item was never added on GitHub");
  const { node } = await gql<ItemNodeResult>(ctx, ITEM_NODE_QUERY, { id: local.nodeId });
  if (node?.__typename !== "ProjectV2Item")
    return failEntry(ctx, entry, "the item no longer exists on GitHub");
  let remote = node as GqlItem;
  const current = mapProjectItem(remote).row.fieldValues;
  const patch = ((entry.patch as { field_values?: unknown }).field_values ?? {}) as Record<
    string,
    NormalisedValue
  >;
  const base = ((entry.base as { field_values?: unknown } | null)?.field_values ?? {}) as Record<
    string,
    NormalisedValue
  >;
  const sends = Object.entries(patch).filter(
    ([fieldId, value]) =>
      mergeField(base[fieldId] ?? null, value, normalise(current[fieldId]), { policy: "local_wins" }).kind ===
      "push",
  );
  if (sends.length > 0) await withFence(ctx.db, ctx.fence, (tx) => markAttempt(tx, entry.id));
  for (const [fieldId, value] of sends) {
    const ids = { projectId: projectNodeId, itemId: local.nodeId, fieldId };
    const item =
      value === null
        ? (await gql<ClearFieldValueResult>(ctx, CLEAR_FIELD_VALUE, ids)).clearProjectV2ItemFieldValue
            ?.projectV2Item
        : (await gql<SetFieldValueResult>(ctx, SET_FIELD_VALUE, { ...ids, value }))
            .updateProjectV2ItemFieldValue?.projectV2Item;
    remote = required(item, "item in the field value answer");
  }
  await finish(ctx, entry, local, remote, Object.keys(patch), folded);
}

export async function pushProjectItem(
  ctx: PushContext,
  entry: OutboxEntry,
  folded: number[] = [],
): Promise<void> {
  const [local] = await ctx.db
    .select()
    .from(githubProjectItems)
    .where(eq(githubProjectItems.id, entry.entityId))
    .limit(1);
  if (!local) return failEntry(ctx, entry, "the local project item no longer exists");
  const [project] = await ctx.db
    .select({ nodeId: githubProjects.nodeId })
    .from(githubProjects)
    .where(eq(githubProjects.id, local.projectId))
    .limit(1);
  if (!project?.nodeId) return failEntry(ctx, entry, "the item's project is not on GitHub");
  if (entry.operation === "create") return create(ctx, entry, local, project.nodeId);
  return update(ctx, entry, local, project.nodeId, folded);
}
