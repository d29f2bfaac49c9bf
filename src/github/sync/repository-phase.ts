/**
 * The repository itself: its GitHub id and node id, and a rename followed. GitHub answers the old name with a
 * 301 to /repositories/{id}; fetch follows it, and the body names the repository as it is called now.
 */
import { eq, sql } from "drizzle-orm";
import { withFence } from "../../actors/fence.ts";
import {
  githubIssues,
  githubLabels,
  githubMilestones,
  repositories,
  syncOperations,
} from "../../db/schema.ts";
import { currentRepository, type PhaseStep } from "./phase.ts";

interface GitHubRepository {
  id: number;
  node_id: string;
  full_name: string;
  has_issues?: boolean;
}

export const repositoryPhase: PhaseStep = async (deps, input, ctx) => {
  const repo = await currentRepository(deps.db, input.repositoryId);
  // By id when known: a rename then needs no redirect at all.
  const path = repo.githubId ? `/repositories/${repo.githubId}` : `/repos/${repo.fullName}`;
  const response = await deps.api.get<GitHubRepository>(path, { signal: ctx.signal });
  const data = response.data;
  if (data) {
    const fullName = data.full_name.toLowerCase();
    await withFence(deps.db, ctx.fence, async (tx) => {
      const [owner = "", name = ""] = fullName.split("/");
      await tx
        .update(repositories)
        .set({ githubId: data.id, nodeId: data.node_id, fullName, owner, name, updatedAt: sql`now()` })
        .where(eq(repositories.id, input.repositoryId));
      if (fullName !== repo.fullName) {
        // Renamed on GitHub: every row follows the new name.
        for (const table of [githubIssues, githubMilestones, githubLabels, syncOperations]) {
          await tx
            .update(table)
            .set({ repositoryFullName: fullName })
            .where(eq(table.repositoryId, input.repositoryId));
        }
      }
    });
  }
  return { next: null, processed: 0, failed: 0, pagesTotal: 1 };
};
