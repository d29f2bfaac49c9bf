/**
 * The one write path for Projects v2 rows (pull and webhooks): upserts keyed by node id that never move a row to
 * an older updated_at, inside the caller's fenced transaction. Equal updated_at still writes: values GitHub
 * derives from the issue (labels, assignees, milestone) change without touching the item.
 */
import { and, eq, inArray, isNotNull, isNull, lt, notInArray, sql } from "drizzle-orm";
import type { ProjectFieldRow, ProjectItemRow } from "../../github/mappers/project.ts";
import { type Executor, rowsOf, type Tx } from "../client.ts";
import {
  githubProjectFields,
  githubProjectItems,
  githubProjectRepositories,
  githubProjects,
  type NewProject,
} from "../schema.ts";

const ex = (column: string) => sql.raw(`excluded.${column}`);

/** `(t.a, t.b) is distinct from (excluded.a, excluded.b)`: whether an upsert changes what GitHub owns. */
function changed(table: string, columns: readonly string[]) {
  return sql.raw(
    `(${columns.map((c) => `${table}.${c}`).join(", ")}) is distinct from (${columns.map((c) => `excluded.${c}`).join(", ")})`,
  );
}

const PROJECT_MIRRORED = [
  "github_id",
  "owner_login",
  "owner_type",
  "number",
  "title",
  "short_description",
  "readme",
  "closed",
  "public",
  "creator_login",
  "closed_at",
] as const;

/**
 * Upsert projects; with `linkTo`, also record that they are linked to that repository. Returns project ids by
 * node id (also for rows left unchanged because the stored one is newer).
 */
export async function upsertProjects(
  tx: Tx,
  rows: NewProject[],
  linkTo?: string,
): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  if (rows.length === 0) return ids;
  await tx
    .insert(githubProjects)
    .values(rows.map((row) => ({ ...row, syncState: "synced" as const, syncedAt: new Date() })))
    .onConflictDoUpdate({
      target: githubProjects.nodeId,
      set: {
        githubId: ex("github_id"),
        ownerLogin: ex("owner_login"),
        ownerType: ex("owner_type"),
        number: ex("number"),
        title: ex("title"),
        shortDescription: ex("short_description"),
        readme: ex("readme"),
        closed: ex("closed"),
        public: ex("public"),
        creatorLogin: ex("creator_login"),
        // Webhook payloads carry no URL: keep the one a pull stored.
        url: sql`coalesce(excluded.url, github_projects.url)`,
        createdAt: ex("created_at"),
        updatedAt: ex("updated_at"),
        closedAt: ex("closed_at"),
        syncedAt: ex("synced_at"),
        deletedAt: sql`null`,
        syncVersion: sql`case when ${changed("github_projects", PROJECT_MIRRORED)} then github_projects.sync_version + 1 else github_projects.sync_version end`,
      },
      setWhere: sql`github_projects.updated_at <= excluded.updated_at`,
    });
  const nodeIds = rows.flatMap((r) => (r.nodeId ? [r.nodeId] : []));
  const stored = await tx
    .select({ id: githubProjects.id, nodeId: githubProjects.nodeId })
    .from(githubProjects)
    .where(inArray(githubProjects.nodeId, nodeIds));
  for (const row of stored) if (row.nodeId) ids.set(row.nodeId, row.id);
  if (linkTo && ids.size > 0) {
    await tx
      .insert(githubProjectRepositories)
      .values([...ids.values()].map((projectId) => ({ projectId, repositoryId: linkTo })))
      .onConflictDoNothing();
  }
  return ids;
}

/** End of a complete listing of a repository's projects: drop the links of projects no longer listed. */
export async function unlinkMissingProjects(
  tx: Tx,
  repositoryId: string,
  seenNodeIds: string[],
): Promise<number> {
  const seen = tx
    .select({ id: githubProjects.id })
    .from(githubProjects)
    .where(inArray(githubProjects.nodeId, seenNodeIds.length ? seenNodeIds : [""]));
  const removed = await tx
    .delete(githubProjectRepositories)
    .where(
      and(
        eq(githubProjectRepositories.repositoryId, repositoryId),
        notInArray(githubProjectRepositories.projectId, seen),
      ),
    )
    .returning({ id: githubProjectRepositories.projectId });
  return removed.length;
}

export async function upsertProjectFields(
  tx: Tx,
  projectId: string,
  fields: ProjectFieldRow[],
): Promise<number> {
  if (fields.length === 0) return 0;
  const written = await tx
    .insert(githubProjectFields)
    .values(fields.map((f) => ({ ...f, projectId })))
    .onConflictDoUpdate({
      target: githubProjectFields.nodeId,
      set: {
        projectId: ex("project_id"),
        name: ex("name"),
        dataType: ex("data_type"),
        options: ex("options"),
        configuration: ex("configuration"),
        createdAt: ex("created_at"),
        updatedAt: ex("updated_at"),
        deletedAt: sql`null`,
      },
      // Equal passes: the split of iterations into current and completed moves with the date, not updated_at.
      setWhere: sql`github_project_fields.updated_at <= excluded.updated_at`,
    })
    .returning({ id: githubProjectFields.id });
  return written.length;
}

/** End of a complete field listing: fields GitHub no longer lists are tombstoned. */
export async function markMissingFieldsDeleted(
  tx: Tx,
  projectId: string,
  seenNodeIds: string[],
  now: Date,
): Promise<number> {
  const gone = await tx
    .update(githubProjectFields)
    .set({ deletedAt: now })
    .where(
      and(
        eq(githubProjectFields.projectId, projectId),
        isNull(githubProjectFields.deletedAt),
        seenNodeIds.length ? notInArray(githubProjectFields.nodeId, seenNodeIds) : undefined,
      ),
    )
    .returning({ id: githubProjectFields.id });
  return gone.length;
}

const ITEM_MIRRORED = [
  "github_id",
  "content_type",
  "content_node_id",
  "issue_id",
  "title",
  "field_values",
  "archived",
  "creator_login",
  "deleted_at",
] as const;

/**
 * Upsert complete items (with their field values); `issue_id` links to the mirrored issue with the content's
 * node id. Every item passed gets a fresh sync_seq, written or not (see markMissingItemsDeleted).
 */
export async function upsertProjectItems(
  tx: Tx,
  projectId: string,
  items: ProjectItemRow[],
): Promise<number> {
  if (items.length === 0) return 0;
  const syncedAt = new Date();
  const written = await tx
    .insert(githubProjectItems)
    .values(
      items.map((item) => ({
        ...item,
        projectId,
        issueId: item.contentNodeId
          ? sql`(select gi.id from github_issues gi where gi.node_id = ${item.contentNodeId})`
          : null,
        syncState: "synced" as const,
        syncedAt,
      })),
    )
    .onConflictDoUpdate({
      target: githubProjectItems.nodeId,
      set: {
        githubId: ex("github_id"),
        contentType: ex("content_type"),
        contentNodeId: ex("content_node_id"),
        issueId: ex("issue_id"),
        title: ex("title"),
        fieldValues: ex("field_values"),
        archived: ex("archived"),
        creatorLogin: ex("creator_login"),
        createdAt: ex("created_at"),
        updatedAt: ex("updated_at"),
        syncedAt: ex("synced_at"),
        // Listed by GitHub, so it exists (an earlier listing may have missed it while items moved).
        deletedAt: sql`null`,
        syncVersion: sql`case when ${changed("github_project_items", ITEM_MIRRORED)} then github_project_items.sync_version + 1 else github_project_items.sync_version end`,
      },
      setWhere: sql`github_project_items.updated_at <= excluded.updated_at`,
    })
    .returning({ id: githubProjectItems.id });
  // Seen in this listing even when the stored row is newer (a webhook got there first): not missing.
  await tx
    .update(githubProjectItems)
    .set({ syncSeq: sql`nextval('github_project_items_sync_seq')` })
    .where(
      and(
        eq(githubProjectItems.projectId, projectId),
        inArray(
          githubProjectItems.nodeId,
          items.map((i) => i.nodeId),
        ),
      ),
    );
  return written.length;
}

/** Draw the mark of an item listing, before its first page is fetched: every later item write is above it. */
export async function itemListingMark(db: Executor): Promise<number> {
  const [row] = rowsOf<{ mark: string | number }>(
    await db.execute(sql`select nextval('github_project_items_sync_seq') as mark`),
  );
  return Number(row?.mark ?? 0);
}

/**
 * End of a complete item listing that started at `mark`: items of the project not written since are gone on
 * GitHub. Idempotent: re-running the last page re-writes its items above the mark and tombstones the same rest.
 * Items still without a node id (created locally, not yet pushed) are never touched.
 */
export async function markMissingItemsDeleted(
  tx: Tx,
  projectId: string,
  mark: number,
  now: Date,
): Promise<number> {
  const gone = await tx
    .update(githubProjectItems)
    .set({ deletedAt: now, syncVersion: sql`${githubProjectItems.syncVersion} + 1` })
    .where(
      and(
        eq(githubProjectItems.projectId, projectId),
        isNull(githubProjectItems.deletedAt),
        isNotNull(githubProjectItems.nodeId),
        lt(githubProjectItems.syncSeq, mark),
      ),
    )
    .returning({ id: githubProjectItems.id });
  return gone.length;
}

/** GitHub deleted the project (projects_v2.deleted): keep the row as a tombstone. */
export async function tombstoneProject(tx: Tx, nodeId: string): Promise<void> {
  await tx
    .update(githubProjects)
    .set({ deletedAt: sql`now()`, syncVersion: sql`${githubProjects.syncVersion} + 1` })
    .where(and(eq(githubProjects.nodeId, nodeId), isNull(githubProjects.deletedAt)));
}

/** GitHub deleted the item (projects_v2_item.deleted): keep the row as a tombstone. */
export async function tombstoneProjectItem(tx: Tx, nodeId: string): Promise<void> {
  await tx
    .update(githubProjectItems)
    .set({ deletedAt: sql`now()`, syncVersion: sql`${githubProjectItems.syncVersion} + 1` })
    .where(and(eq(githubProjectItems.nodeId, nodeId), isNull(githubProjectItems.deletedAt)));
}
