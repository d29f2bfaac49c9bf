/**
 * The one write path for mirrored labels (pull and webhooks): upsert by GitHub id; labels carry no updated_at.
 *
 * Issues hold label names. GitHub renames a label on every issue that has it, and removes a deleted label from
 * them, without those issues' updated_at moving, so an incremental pull never re-reads them: the mirror does
 * the same to its issue rows here, or they would show a name that no longer exists until each issue changed.
 */
import { and, eq, inArray, isNull, lt, type SQL, sql } from "drizzle-orm";
import type { Tx } from "../client.ts";
import { githubIssues, githubLabels, type NewLabel } from "../schema.ts";

/**
 * Rewrite one label name in a repository's issues: `to` null removes it. The set stays sorted the way the
 * mappers sort it (JavaScript's default order: UTF-16 code units, which "C" collation matches outside rare
 * astral/private-use mixes) and without duplicates.
 */
async function relabelIssues(
  tx: Tx,
  repositoryId: string,
  from: string,
  to: string | null,
  bumpVersion = true,
): Promise<void> {
  await tx
    .update(githubIssues)
    .set({
      labels: sql`(select coalesce(jsonb_agg(n order by n collate "C"), '[]'::jsonb) from (
        select distinct case when x = ${from} then ${to}::text else x end as n
        from jsonb_array_elements_text(${githubIssues.labels}) as x) names where n is not null)`,
      ...(bumpVersion ? { syncVersion: sql`${githubIssues.syncVersion} + 1` } : {}),
    })
    .where(and(eq(githubIssues.repositoryId, repositoryId), sql`${githubIssues.labels} ? ${from}`));
}

/** After tombstoning: a deleted label leaves the issues, unless a live label of the same name remains. */
async function unlabelIssues(tx: Tx, gone: { repositoryId: string; name: string }[]): Promise<void> {
  for (const label of gone) {
    const [live] = await tx
      .select({ id: githubLabels.id })
      .from(githubLabels)
      .where(
        and(
          eq(githubLabels.repositoryId, label.repositoryId),
          eq(githubLabels.name, label.name),
          isNull(githubLabels.deletedAt),
        ),
      )
      .limit(1);
    if (!live) await relabelIssues(tx, label.repositoryId, label.name, null);
  }
}

export async function upsertLabels(tx: Tx, rows: NewLabel[]): Promise<number> {
  if (rows.length === 0) return 0;
  const now = new Date();
  // Names before this write, to carry renames over to the issues.
  const before = await tx
    .select({
      githubId: githubLabels.githubId,
      name: githubLabels.name,
      repositoryId: githubLabels.repositoryId,
    })
    .from(githubLabels)
    .where(
      and(
        inArray(
          githubLabels.githubId,
          rows.map((r) => r.githubId ?? 0),
        ),
        isNull(githubLabels.deletedAt),
      ),
    );
  // A rename can collide with another row's old name (a label deleted and its name reused, or two labels that
  // swapped names, a local label not pushed yet): free every name in the batch held by a row that does not keep
  // it. GitHub has the name now; a local create of the same name is refused by GitHub when pushed, visibly.
  await tx
    .update(githubLabels)
    .set({
      name: sql`${githubLabels.name} || ' (renamed ' || coalesce(${githubLabels.githubId}::text, 'locally') || ')'`,
    })
    .where(
      and(
        inArray(
          githubLabels.name,
          rows.map((r) => r.name),
        ),
        sql`(coalesce(${githubLabels.githubId}, 0), ${githubLabels.name}) not in (${sql.join(
          rows.map((r) => sql`(${r.githubId ?? 0}::bigint, ${r.name}::text)`),
          sql`, `,
        )})`,
        inArray(githubLabels.repositoryId, [...new Set(rows.map((r) => r.repositoryId))]),
      ),
    );
  const written = await tx
    .insert(githubLabels)
    .values(rows.map((row) => ({ ...row, syncState: "synced" as const, syncedAt: now, deletedAt: null })))
    .onConflictDoUpdate({
      target: githubLabels.githubId,
      set: {
        nodeId: sql`excluded.node_id`,
        repositoryId: sql`excluded.repository_id`,
        repositoryFullName: sql`excluded.repository_full_name`,
        name: sql`excluded.name`,
        color: sql`excluded.color`,
        description: sql`excluded.description`,
        isDefault: sql`excluded.is_default`,
        syncedAt: sql`excluded.synced_at`,
        deletedAt: sql`null`,
        syncVersion: sql`case when (${githubLabels.name}, ${githubLabels.color}, ${githubLabels.description}) is distinct from (excluded.name, excluded.color, excluded.description) then ${githubLabels.syncVersion} + 1 else ${githubLabels.syncVersion} end`,
      },
    })
    .returning({ id: githubLabels.id });
  const renamed = before.flatMap((old) => {
    const after = rows.find((r) => r.githubId === old.githubId);
    return after && after.name !== old.name && after.repositoryId === old.repositoryId
      ? [{ ...old, to: after.name, placeholder: `\uffffrenaming ${old.githubId}` }]
      : [];
  });
  // Through placeholders, so that swapped names (a → b, b → a in one page) do not merge.
  for (const r of renamed) await relabelIssues(tx, r.repositoryId, r.name, r.placeholder, false);
  for (const r of renamed) await relabelIssues(tx, r.repositoryId, r.placeholder, r.to);
  return written.length;
}

export async function tombstoneUnseenLabels(tx: Tx, repositoryId: string, listedFrom: Date): Promise<number> {
  const gone = await tx
    .update(githubLabels)
    .set({ deletedAt: sql`now()`, syncVersion: sql`${githubLabels.syncVersion} + 1` })
    .where(
      and(
        eq(githubLabels.repositoryId, repositoryId),
        isNull(githubLabels.deletedAt),
        lt(githubLabels.syncedAt, listedFrom),
        sql`${githubLabels.githubId} is not null`,
      ),
    )
    .returning({ repositoryId: githubLabels.repositoryId, name: githubLabels.name });
  await unlabelIssues(tx, gone);
  return gone.length;
}

/** Tombstone the live label matched by `which`; the issues lose it under `issueName` (default: its name). */
async function tombstoneWhere(tx: Tx, which: SQL, issueName: string | null = null): Promise<void> {
  const gone = await tx
    .update(githubLabels)
    .set({ deletedAt: sql`now()`, syncVersion: sql`${githubLabels.syncVersion} + 1` })
    .where(and(which, isNull(githubLabels.deletedAt)))
    .returning({ repositoryId: githubLabels.repositoryId, name: githubLabels.name });
  await unlabelIssues(
    tx,
    gone.map((g) => ({ ...g, name: issueName ?? g.name })),
  );
}

export async function tombstoneLabel(tx: Tx, githubId: number): Promise<void> {
  await tombstoneWhere(tx, eq(githubLabels.githubId, githubId));
}

/**
 * The unique (repository, name) key also covers tombstones: a name GitHub freed (the label was deleted) is
 * taken back from the tombstone before a live label uses it again.
 */
export async function freeLabelName(tx: Tx, repositoryId: string, name: string): Promise<void> {
  await tx
    .update(githubLabels)
    .set({ name: sql`${githubLabels.name} || ' (deleted ' || ${githubLabels.id} || ')'` })
    .where(
      and(
        eq(githubLabels.repositoryId, repositoryId),
        eq(githubLabels.name, name),
        sql`${githubLabels.deletedAt} is not null`,
      ),
    );
}

/**
 * GitHub's answer to a pushed label, stored on the local row (by local id). `previousName` is the name GitHub
 * had before the push: a rename is carried over to the issues, as GitHub does.
 */
export async function adoptLabel(
  tx: Tx,
  localId: string,
  remote: NewLabel,
  previousName: string | null,
): Promise<void> {
  if (remote.githubId !== null && remote.githubId !== undefined) {
    // A row the pull made for the same label while the create was in flight: the local row is the one kept.
    await tx
      .delete(githubLabels)
      .where(and(eq(githubLabels.githubId, remote.githubId), sql`${githubLabels.id} <> ${localId}`));
  }
  await freeLabelName(tx, remote.repositoryId, remote.name);
  await tx
    .update(githubLabels)
    .set({ ...remote, syncedAt: new Date(), syncVersion: sql`${githubLabels.syncVersion} + 1` })
    .where(eq(githubLabels.id, localId));
  if (previousName !== null && previousName !== remote.name) {
    await relabelIssues(tx, remote.repositoryId, previousName, remote.name);
  }
}

/**
 * The label was deleted on GitHub by our push (or before it): tombstoned by local id, and gone from the issues
 * under the name GitHub had (`remoteName`; the local row may carry a rename that never reached GitHub).
 */
export async function tombstoneLabelById(tx: Tx, localId: string, remoteName: string | null): Promise<void> {
  await tombstoneWhere(tx, eq(githubLabels.id, localId), remoteName);
}
