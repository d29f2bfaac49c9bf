/** The one write path for mirrored labels (pull and webhooks): upsert by GitHub id; labels carry no updated_at. */
import { and, eq, inArray, isNull, lt, sql } from "drizzle-orm";
import type { Tx } from "../client.ts";
import { githubLabels, type NewLabel } from "../schema.ts";

export async function upsertLabels(tx: Tx, rows: NewLabel[]): Promise<number> {
  if (rows.length === 0) return 0;
  const now = new Date();
  // A rename can collide with another row's old name inside the same batch: free the names first.
  await tx
    .update(githubLabels)
    .set({ name: sql`${githubLabels.name} || ' (renamed ' || ${githubLabels.githubId} || ')'` })
    .where(
      and(
        inArray(
          githubLabels.name,
          rows.map((r) => r.name),
        ),
        sql`${githubLabels.githubId} not in ${rows.map((r) => r.githubId ?? 0)}`,
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
    .returning({ id: githubLabels.id });
  return gone.length;
}

export async function tombstoneLabel(tx: Tx, githubId: number): Promise<void> {
  await tx
    .update(githubLabels)
    .set({ deletedAt: sql`now()`, syncVersion: sql`${githubLabels.syncVersion} + 1` })
    .where(and(eq(githubLabels.githubId, githubId), isNull(githubLabels.deletedAt)));
}
