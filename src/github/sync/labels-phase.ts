/**
 * Labels: a complete listing (GitHub keeps no updated_at on labels). Conditional per page; on a full sync or a
 * reconcile the listing is unconditional and what it no longer shows is tombstoned.
 */
import { eq } from "drizzle-orm";
import { withFence } from "../../actors/fence.ts";
import { repositories } from "../../db/schema.ts";
import { tombstoneUnseenLabels, upsertLabels } from "../../db/writes/labels.ts";
import { parseLink } from "../client.ts";
import { type GitHubLabel, mapLabel } from "../mappers/label.ts";
import { currentRepository, decodeListing, encodeListing, type PhaseStep, pageOf } from "./phase.ts";

export function labelsPhase(complete: boolean): PhaseStep {
  return async (deps, input, ctx) => {
    const repo = await currentRepository(deps.db, input.repositoryId);
    const cursor = decodeListing(input.step.cursor) ?? {
      url: `/repos/${repo.fullName}/labels?per_page=100`,
      from: deps.now(),
    };
    const response = await deps.api.get<GitHubLabel[]>(cursor.url, {
      signal: ctx.signal,
      conditional: !complete,
    });
    const links = parseLink(response.link);
    const rows = (response.data ?? []).map((label) => mapLabel(repo, label));
    await withFence(deps.db, ctx.fence, async (tx) => {
      await upsertLabels(tx, rows);
      if (!links.next) {
        if (complete) await tombstoneUnseenLabels(tx, repo.id, new Date(cursor.from));
        await tx
          .update(repositories)
          .set({ labelsSyncedAt: new Date(deps.now()) })
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
