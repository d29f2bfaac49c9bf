/** GitHub milestone JSON (REST and webhook payloads) → a github_milestones row. */
import type { NewMilestone, Repository } from "../../db/schema.ts";

export interface GitHubMilestone {
  id: number;
  node_id: string;
  number: number;
  title: string;
  description?: string | null;
  state: string;
  creator?: { login: string } | null;
  open_issues?: number;
  closed_issues?: number;
  due_on?: string | null;
  html_url?: string;
  created_at: string;
  updated_at: string;
  closed_at?: string | null;
}

export function mapMilestone(repo: Pick<Repository, "id" | "fullName">, m: GitHubMilestone): NewMilestone {
  return {
    githubId: m.id,
    nodeId: m.node_id,
    repositoryId: repo.id,
    repositoryFullName: repo.fullName,
    number: m.number,
    title: m.title,
    description: m.description ?? null,
    state: m.state === "closed" ? "closed" : "open",
    creatorLogin: m.creator?.login ?? null,
    openIssues: m.open_issues ?? 0,
    closedIssues: m.closed_issues ?? 0,
    dueOn: m.due_on ? new Date(m.due_on) : null,
    htmlUrl: m.html_url ?? null,
    createdAt: new Date(m.created_at),
    updatedAt: new Date(m.updated_at),
    closedAt: m.closed_at ? new Date(m.closed_at) : null,
  };
}
