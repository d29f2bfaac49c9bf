/** Milestones: `state=all`, a complete listing (see listing-phase.ts); a 304 page spends nothing. */
import { eq } from "drizzle-orm";
import { repositories } from "../../db/schema.ts";
import { tombstoneUnseenMilestones, touchMilestones, upsertMilestones } from "../../db/writes/milestones.ts";
import { type GitHubMilestone, mapMilestone } from "../mappers/milestone.ts";
import { type Listing, listingPhase } from "./listing-phase.ts";
import type { PhaseStep } from "./phase.ts";

const milestones: Listing<GitHubMilestone> = {
  firstUrl: (repo) => `/repos/${repo.fullName}/milestones?state=all&per_page=100`,
  async write(tx, repo, items, complete, at) {
    const written = await upsertMilestones(
      tx,
      items.map((m) => mapMilestone(repo, m)),
    );
    // Unchanged rows are not rewritten (never backwards), so a complete listing marks them seen explicitly.
    if (complete) {
      await touchMilestones(
        tx,
        items.map((m) => m.id),
        at,
      );
    }
    return written;
  },
  async finish(tx, repo, complete, from, at) {
    if (complete) await tombstoneUnseenMilestones(tx, repo.id, from);
    await tx.update(repositories).set({ milestonesSyncedThrough: at }).where(eq(repositories.id, repo.id));
  },
};

export const milestonesPhase = (complete: boolean): PhaseStep => listingPhase(milestones, complete);
