/**
 * A complete listing, page by page (labels, milestones): conditional per page on a poll; unconditional on a
 * full sync or reconcile, where what the listing no longer shows is tombstoned at its last page. The listing
 * carries when it started in its cursor, so tombstoning survives a restart mid-listing.
 */
import { withFence } from "../../actors/fence.ts";
import type { Tx } from "../../db/client.ts";
import type { Repository } from "../../db/schema.ts";
import { parseLink } from "../client.ts";
import { currentRepository, decodeListing, encodeListing, type PhaseStep, pageOf } from "./phase.ts";

export interface Listing<Item> {
  firstUrl(repo: Repository): string;
  /** Write one page (through the entity's single write path). */
  write(tx: Tx, repo: Repository, items: Item[], complete: boolean, at: Date): Promise<number>;
  /** After the last page: tombstone what was not seen since `from` (complete listings), record the sync. */
  finish(tx: Tx, repo: Repository, complete: boolean, from: Date, at: Date): Promise<void>;
}

export function listingPhase<Item>(listing: Listing<Item>, complete: boolean): PhaseStep {
  return async (deps, input, ctx) => {
    const repo = await currentRepository(deps.db, input.repositoryId);
    const cursor = decodeListing(input.step.cursor) ?? { url: listing.firstUrl(repo), from: deps.now() };
    const response = await deps.api.get<Item[]>(cursor.url, { signal: ctx.signal, conditional: !complete });
    const links = parseLink(response.link);
    const at = new Date(deps.now());
    const processed = await withFence(deps.db, ctx.fence, async (tx) => {
      const written = await listing.write(tx, repo, response.data ?? [], complete, at);
      if (!links.next) await listing.finish(tx, repo, complete, new Date(cursor.from), at);
      return written;
    });
    return {
      next: links.next ? encodeListing({ url: links.next, from: cursor.from }) : null,
      processed,
      failed: 0,
      pagesTotal: links.next ? pageOf(links.last) : pageOf(cursor.url),
    };
  };
}
