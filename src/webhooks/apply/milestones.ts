/** milestone.* → the milestone write path; deleted → tombstone. */
import { and, eq, isNotNull } from "drizzle-orm";
import type { Tx } from "../../db/client.ts";
import { githubMilestones, type Repository } from "../../db/schema.ts";
import { tombstoneMilestone, upsertMilestones } from "../../db/writes/milestones.ts";
import { mapMilestone } from "../../github/mappers/milestone.ts";
import { type MilestonePayload, requireObject } from "../payloads.ts";

export async function applyMilestoneEvent(
  tx: Tx,
  repo: Pick<Repository, "id" | "fullName">,
  raw: Record<string, unknown>,
): Promise<void> {
  const { action, milestone } = requireObject<MilestonePayload>(raw, "milestone", "milestone");
  if (action === "deleted") {
    await tombstoneMilestone(tx, milestone.id);
    return;
  }
  // GitHub never brings a deleted milestone back, and a late edit can carry the same updated_at as the
  // deletion: without this check it would pass the write path's "not older" guard and resurrect the row.
  const [gone] = await tx
    .select({ id: githubMilestones.id })
    .from(githubMilestones)
    .where(and(eq(githubMilestones.githubId, milestone.id), isNotNull(githubMilestones.deletedAt)))
    .limit(1);
  if (gone) return;
  await upsertMilestones(tx, [mapMilestone(repo, milestone)]);
}
