/**
 * label.* → the label write path; deleted → tombstone. Label payloads carry no updated_at, so unlike issues
 * and milestones a reordered older edit can win until the next labels pull; a deleted label is never revived.
 */
import { and, eq, isNotNull } from "drizzle-orm";
import type { Tx } from "../../db/client.ts";
import { githubLabels, type Repository } from "../../db/schema.ts";
import { tombstoneLabel, upsertLabels } from "../../db/writes/labels.ts";
import { mapLabel } from "../../github/mappers/label.ts";
import { type LabelPayload, requireObject } from "../payloads.ts";

export async function applyLabelEvent(
  tx: Tx,
  repo: Pick<Repository, "id" | "fullName">,
  raw: Record<string, unknown>,
): Promise<void> {
  const { action, label } = requireObject<LabelPayload>(raw, "label", "label");
  if (action === "deleted") {
    await tombstoneLabel(tx, label.id);
    return;
  }
  const [gone] = await tx
    .select({ id: githubLabels.id })
    .from(githubLabels)
    .where(and(eq(githubLabels.githubId, label.id), isNotNull(githubLabels.deletedAt)))
    .limit(1);
  if (gone) return;
  await upsertLabels(tx, [mapLabel(repo, label)]);
}
