/**
 * Milestones: `state=all`, conditional per page (a 304 spends nothing); a full sync or reconcile lists them
 * unconditionally and tombstones what is gone.
 */
import { eq } from "drizzle-orm";
import { withFence } from "../../actors/fence.ts";
import { repositories } from "../../db/schema.ts";
import { tombstoneUnseenMilestones, touchMilestones, upsertMilestones } from "../../db/writes/milestones.ts";
import { parseLink } from "../client.ts";
import { type GitHubMilestone, mapMilestone } from "../mappers/milestone.ts";
import { currentRepository, decodeListing, encodeListing, type PhaseStep, pageOf } from "./phase.ts";

export function milestonesPhase(complete: boolean): PhaseStep {
  return async (deps, input, ctx) => {
    const repo = await currentRepository(deps.db, input.repositoryId);
    const cursor = decodeListing(input.step.cursor) ?? {
      url: `/repos/${repo.fullName}/milestones?state=all&per_page=100`,
      from: deps.now(),
    };
    const response = await deps.api.get<GitHubMilestone[]>(cursor.url, {
      signal: ctx.signal,
      conditional: !complete,
    });
    const links = parseLink(response.link);
    const milestones = response.data ?? [];
    const rows = milestones.map((m) => mapMilestone(repo, m));
    await withFence(deps.db, ctx.fence, async (tx) => {
      await upsertMilestones(tx, rows);
      if (complete) {
        await touchMilestones(
          tx,
          milestones.map((m) => m.id),
          new Date(deps.now()),
        );
      }
      if (!links.next) {
        if (complete) await tombstoneUnseenMilestones(tx, repo.id, new Date(cursor.from));
        await tx
          .update(repositories)
          .set({ milestonesSyncedThrough: new Date(deps.now()) })
          .where(eq(repositories.id, repo.id));
      }
    });
    return {
      next: links.next ? encodeListing({ url: links.next, from: cursor.from }) : null,
      processed: rows.length,
      failed: 0,
      pagesTotal: links.next ? pageOf(links.last) : pageOf(cursor.url),
    };
  };
}
