/** The simulator's stored entities. Times are epoch milliseconds; serializers turn them into GitHub's shapes. */

export type UserType = "User" | "Organization" | "Bot";

export interface SimUser {
  id: number;
  nodeId: string;
  login: string;
  type: UserType;
}

export type StateReason = "completed" | "not_planned" | "reopened" | "duplicate";

export interface SimIssue {
  id: number;
  nodeId: string;
  number: number;
  repoId: number;
  title: string;
  body: string | null;
  state: "open" | "closed";
  stateReason: StateReason | null;
  userId: number;
  assigneeIds: number[];
  labelIds: number[];
  milestoneId: number | null;
  locked: boolean;
  activeLockReason: string | null;
  comments: number;
  createdAt: number;
  updatedAt: number;
  closedAt: number | null;
  closedById: number | null;
  /** Pull requests live in the issues list too, told apart by the `pull_request` key. */
  pullRequest: { draft: boolean; mergedAt: number | null } | null;
}

export interface SimMilestone {
  id: number;
  nodeId: string;
  number: number;
  repoId: number;
  title: string;
  description: string | null;
  state: "open" | "closed";
  dueOn: number | null;
  creatorId: number;
  createdAt: number;
  updatedAt: number;
  closedAt: number | null;
}

export interface SimLabel {
  id: number;
  nodeId: string;
  repoId: number;
  name: string;
  color: string;
  description: string | null;
  default: boolean;
}

/** Where an issue number went, so GET answers 410 (deleted) or 301 (transferred) as GitHub does. */
export type Tombstone = { kind: "deleted" } | { kind: "transferred"; toRepoId: number; toNumber: number };

export interface SimRepo {
  id: number;
  nodeId: string;
  ownerId: number;
  name: string;
  description: string | null;
  private: boolean;
  hasIssues: boolean;
  createdAt: number;
  updatedAt: number;
  nextIssueNumber: number;
  nextMilestoneNumber: number;
  issues: Map<number, SimIssue>;
  /** Ascending (updatedAt, id): the hot listing path, `sort=updated`, walks this without sorting. */
  byUpdated: SimIssue[];
  /** Ascending number, which is creation order: `sort=created` walks this. */
  byNumber: SimIssue[];
  milestones: Map<number, SimMilestone>;
  labels: Map<number, SimLabel>;
  tombstones: Map<number, Tombstone>;
  /** Bumped on every issue change; keys cached aggregates (open counts, milestone progress). */
  version: number;
}

export type FieldDataType =
  | "TITLE"
  | "ASSIGNEES"
  | "LABELS"
  | "MILESTONE"
  | "REPOSITORY"
  | "TEXT"
  | "NUMBER"
  | "DATE"
  | "SINGLE_SELECT"
  | "ITERATION";

export interface SimOption {
  id: string;
  name: string;
  color: string;
  description: string;
}

export interface SimIteration {
  id: string;
  title: string;
  startDate: string;
  duration: number;
}

export interface SimField {
  id: number;
  nodeId: string;
  projectId: number;
  name: string;
  dataType: FieldDataType;
  options: SimOption[];
  iterations: SimIteration[];
  createdAt: number;
  updatedAt: number;
}

export type FieldValue =
  | { text: string }
  | { number: number }
  | { date: string }
  | { singleSelectOptionId: string }
  | { iterationId: string };

export interface SimItem {
  id: number;
  nodeId: string;
  projectId: number;
  contentType: "Issue" | "PullRequest" | "DraftIssue";
  /** Issue or pull request id (not number) for Issue/PullRequest content. */
  issueId: number | null;
  draft: { nodeId: string; title: string; body: string } | null;
  values: Map<number, FieldValue>;
  creatorId: number;
  createdAt: number;
  updatedAt: number;
  archivedAt: number | null;
}

export interface SimProject {
  id: number;
  nodeId: string;
  number: number;
  ownerId: number;
  title: string;
  shortDescription: string | null;
  readme: string | null;
  public: boolean;
  closed: boolean;
  closedAt: number | null;
  creatorId: number;
  createdAt: number;
  updatedAt: number;
  fields: SimField[];
  /** Repositories linked explicitly (createProjectV2 repositoryId, linkProjectV2ToRepository). */
  linkedRepoIds: Set<number>;
  /** Insertion order is the project's item order. */
  items: Map<number, SimItem>;
}

export interface SimHook {
  id: number;
  /**
   * Repository hooks have repoId; organization hooks have orgId (they alone, with app hooks, receive
   * projects_v2 and projects_v2_item events); the app hook has neither and receives events for installations.
   */
  repoId: number | null;
  orgId: number | null;
  name: string;
  url: string;
  secret: string | null;
  /** Event names, or `*` for all. */
  events: string[];
  active: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface SimDelivery {
  id: number;
  guid: string;
  hookId: number;
  event: string;
  action: string | null;
  repositoryId: number | null;
  installationId: number | null;
  redelivery: boolean;
  deliveredAt: number;
  duration: number;
  /** "OK" on success, otherwise a reason such as "Invalid HTTP Response: 500" or "timed out". */
  status: string;
  statusCode: number;
  pending: boolean;
  requestHeaders: Record<string, string>;
  body: string;
  responseHeaders: Record<string, string>;
  responseBody: string | null;
}

export interface SimInstallation {
  id: number;
  accountId: number;
  /** Repository ids; `all` when the installation covers every repository of the account. */
  repositorySelection: "all" | "selected";
  repositoryIds: number[];
  createdAt: number;
}

export interface Credential {
  kind: "token" | "installation" | "app" | "anonymous";
  /** Rate-limit bucket key: one budget per credential, as on GitHub. */
  key: string;
  user: SimUser | null;
  installationId: number | null;
  /** OAuth scopes of a personal token; absent: every scope this simulator knows (repo, project, admin:repo_hook). */
  scopes?: string[];
}
