/**
 * The parts of GitHub's webhook payloads that application reads (reference §6). Narrow on purpose: the stored
 * payload is GitHub's JSON, checked here only for the keys each event needs.
 */
import type { GitHubIssue } from "../github/mappers/issue.ts";
import type { GitHubLabel } from "../github/mappers/label.ts";
import type { GitHubMilestone } from "../github/mappers/milestone.ts";

export interface IssuesPayload {
  action: string;
  issue: GitHubIssue;
  changes?: {
    new_issue?: { number?: number } | null;
    new_repository?: { full_name?: string } | null;
  };
}

export interface MilestonePayload {
  action: string;
  milestone: GitHubMilestone;
}

export interface LabelPayload {
  action: string;
  label: GitHubLabel;
}

export interface InstallationRepository {
  id: number;
  node_id?: string;
  full_name: string;
}

export interface InstallationPayload {
  action: string;
  installation: { id: number };
  repositories?: InstallationRepository[] | null;
  repositories_added?: InstallationRepository[] | null;
  repositories_removed?: InstallationRepository[] | null;
}

/** Throws (so the event is marked failed, visibly) when a key the event needs is missing. */
export function requireObject<T>(payload: Record<string, unknown>, key: string, event: string): T {
  const value = payload[key];
  if (typeof value !== "object" || value === null) {
    throw new Error(`${event} payload has no ${key} object`);
  }
  return payload as T;
}
