/** What every pull phase gets and returns. */
import { eq } from "drizzle-orm";
import type { EffectContext } from "../../actors/effects.ts";
import type { Database } from "../../db/client.ts";
import { repositories } from "../../db/schema.ts";
import type { StepInput, StepOutput, SyncStep } from "../../machines/sync-operation.machine.ts";
import type { GitHubApi } from "../github-api.ts";

export interface PhaseDeps {
  db: Database;
  api: GitHubApi;
  now: () => number;
}

export type StepResult = Omit<StepOutput, "now">;

/** One page of a phase. `next` is the cursor of the phase's next page; null when the phase is done. */
export interface PhaseResult {
  next: string | null;
  processed: number;
  failed: number;
  pagesTotal: number | null;
}

export type PhaseStep = (deps: PhaseDeps, input: StepInput, ctx: EffectContext) => Promise<PhaseResult>;

/** The repository as it is named now (a rename during the sync is followed). */
export async function currentRepository(db: Database, repositoryId: string) {
  const [row] = await db.select().from(repositories).where(eq(repositories.id, repositoryId)).limit(1);
  if (!row) throw new Error(`repository ${repositoryId} is no longer tracked`);
  return row;
}

/** Complete listings carry when they started, so tombstoning survives a restart mid-listing. */
export interface ListingCursor {
  url: string;
  /** Epoch ms when the listing started: rows not seen since then are gone. */
  from: number;
}

export function encodeListing(cursor: ListingCursor): string {
  return JSON.stringify(cursor);
}

export function decodeListing(cursor: string | null): ListingCursor | null {
  if (!cursor) return null;
  const parsed = JSON.parse(cursor) as ListingCursor;
  return typeof parsed.url === "string" && typeof parsed.from === "number" ? parsed : null;
}

export const step = (phase: string, cursor: string | null = null): SyncStep => ({ phase, cursor });

/** `page=N` of a GitHub page URL (absolute or relative). */
export function pageOf(url: string | null | undefined): number | null {
  if (!url) return null;
  const page = new URL(url, "http://github.invalid").searchParams.get("page");
  return page ? Number(page) : 1;
}
