/**
 * GitHub issue JSON (REST and webhook payloads share the shape) → a github_issues row. One mapper for the pull
 * sync and the webhooks, so both write exactly the same thing.
 */
import type { NewIssue, Repository } from "../../db/schema.ts";

export interface GitHubIssue {
  id: number;
  node_id: string;
  number: number;
  title: string;
  body?: string | null;
  state: string;
  state_reason?: string | null;
  user?: { login: string } | null;
  assignees?: { login: string }[] | null;
  labels?: (string | { name?: string })[];
  milestone?: { id: number; number: number } | null;
  locked?: boolean;
  comments?: number;
  html_url?: string;
  created_at: string;
  updated_at: string;
  closed_at?: string | null;
  pull_request?: unknown;
}

export function isPullRequest(issue: GitHubIssue): boolean {
  return issue.pull_request !== undefined && issue.pull_request !== null;
}

const STATE_REASONS = new Set(["completed", "not_planned", "duplicate", "reopened"]);

export function mapIssue(repo: Pick<Repository, "id" | "fullName">, issue: GitHubIssue): NewIssue {
  const labels = (issue.labels ?? [])
    .map((l) => (typeof l === "string" ? l : (l.name ?? "")))
    .filter((name) => name.length > 0)
    .sort();
  const assignees = (issue.assignees ?? []).map((a) => a.login).sort();
  return {
    githubId: issue.id,
    nodeId: issue.node_id,
    repositoryId: repo.id,
    repositoryFullName: repo.fullName,
    number: issue.number,
    title: issue.title,
    body: issue.body ?? null,
    state: issue.state === "closed" ? "closed" : "open",
    stateReason:
      issue.state_reason && STATE_REASONS.has(issue.state_reason)
        ? (issue.state_reason as NewIssue["stateReason"])
        : null,
    userLogin: issue.user?.login ?? null,
    assignees,
    labels,
    milestoneGithubId: issue.milestone?.id ?? null,
    milestoneNumber: issue.milestone?.number ?? null,
    locked: issue.locked ?? false,
    comments: issue.comments ?? 0,
    htmlUrl: issue.html_url ?? null,
    createdAt: new Date(issue.created_at),
    updatedAt: new Date(issue.updated_at),
    closedAt: issue.closed_at ? new Date(issue.closed_at) : null,
  };
}
