/** Labels: a complete listing (GitHub keeps no updated_at on labels); see listing-phase.ts. */
import { eq } from "drizzle-orm";
import { repositories } from "../../db/schema.ts";
import { tombstoneUnseenLabels, upsertLabels } from "../../db/writes/labels.ts";
import { type GitHubLabel, mapLabel } from "../mappers/label.ts";
import { type Listing, listingPhase } from "./listing-phase.ts";
import type { PhaseStep } from "./phase.ts";

const labels: Listing<GitHubLabel> = {
  firstUrl: (repo) => `/repos/${repo.fullName}/labels?per_page=100`,
  write: (tx, repo, items) =>
    upsertLabels(
      tx,
      items.map((label) => mapLabel(repo, label)),
    ),
  async finish(tx, repo, complete, from, at) {
    if (complete) await tombstoneUnseenLabels(tx, repo.id, from);
    await tx.update(repositories).set({ labelsSyncedAt: at }).where(eq(repositories.id, repo.id));
  },
};

export const labelsPhase = (complete: boolean): PhaseStep => listingPhase(labels, complete);
