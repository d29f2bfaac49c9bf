/** GitHub label JSON (REST and webhook payloads) → a github_labels row. */
import type { NewLabel, Repository } from "../../db/schema.ts";

export interface GitHubLabel {
  id: number;
  node_id: string;
  name: string;
  color: string;
  description?: string | null;
  default?: boolean;
}

export function mapLabel(repo: Pick<Repository, "id" | "fullName">, label: GitHubLabel): NewLabel {
  return {
    githubId: label.id,
    nodeId: label.node_id,
    repositoryId: repo.id,
    repositoryFullName: repo.fullName,
    name: label.name,
    color: label.color.replace(/^#/, "").toLowerCase(),
    description: label.description ?? null,
    isDefault: label.default ?? false,
  };
}
