/**
 * In-memory state of the simulated GitHub. Plain maps plus per-repository issue indexes; no behaviour beyond
 * bookkeeping. Behaviour (validation, events) lives in `domain/`.
 */
import { nodeId } from "./ids.ts";
import type {
  SimDelivery,
  SimHook,
  SimInstallation,
  SimIssue,
  SimLabel,
  SimMilestone,
  SimProject,
  SimRepo,
  SimUser,
  UserType,
} from "./types.ts";

/** A change the webhook layer turns into deliveries. The payload is built lazily, only if some hook wants it. */
export interface ChangeEvent {
  event: string;
  action: string;
  repoId: number | null;
  /** Organization (or user) whose projects/hooks are concerned, for projects_v2* events. */
  ownerId: number;
  senderId: number;
  build: () => Record<string, unknown>;
}

export class Store {
  private nextId = 1000;
  users = new Map<number, SimUser>();
  usersByLogin = new Map<string, SimUser>();
  repos = new Map<number, SimRepo>();
  /** Lower-cased `owner/name` → repository id, including former names (renames answer 301). */
  repoByName = new Map<string, number>();
  issues = new Map<number, SimIssue>();
  milestones = new Map<number, SimMilestone>();
  labels = new Map<number, SimLabel>();
  projects = new Map<number, SimProject>();
  /** Node id → kind and database id, for GraphQL `node(id:)` and content lookups. */
  nodes = new Map<string, { kind: string; id: number }>();
  hooks = new Map<number, SimHook>();
  deliveries = new Map<number, SimDelivery>();
  deliveriesByGuid = new Map<string, SimDelivery>();
  installations = new Map<number, SimInstallation>();
  listeners: Array<(e: ChangeEvent) => void> = [];

  id(): number {
    return ++this.nextId;
  }

  /** While muted (seeding), changes are pre-existing state: no webhooks. */
  muted = false;

  emit(e: ChangeEvent): void {
    if (this.muted) return;
    for (const l of this.listeners) l(e);
  }

  silently<T>(fn: () => T): T {
    const was = this.muted;
    this.muted = true;
    try {
      return fn();
    } finally {
      this.muted = was;
    }
  }

  /** Drops every entity; listeners (the webhook layer) stay attached. */
  clear(): void {
    const listeners = this.listeners;
    Object.assign(this, new Store());
    this.listeners = listeners;
  }

  /** Seeding path: append many issues and sort the updated index once instead of inserting one by one. */
  bulkInsertIssues(repo: SimRepo, issues: SimIssue[]): void {
    repo.version++;
    for (const issue of issues) {
      repo.issues.set(issue.number, issue);
      this.issues.set(issue.id, issue);
      this.registerNode(issue.nodeId, issue.pullRequest ? "PullRequest" : "Issue", issue.id);
      repo.byNumber.push(issue);
      repo.byUpdated.push(issue);
    }
    repo.byNumber.sort((a, b) => a.number - b.number);
    repo.byUpdated.sort(cmp);
  }

  registerNode(nid: string, kind: string, id: number): void {
    this.nodes.set(nid, { kind, id });
  }

  user(login: string, type: UserType = "User"): SimUser {
    const existing = this.usersByLogin.get(login.toLowerCase());
    if (existing) return existing;
    const id = this.id();
    const prefix = type === "Organization" ? "O" : type === "Bot" ? "BOT" : "U";
    const u: SimUser = { id, nodeId: nodeId(prefix, id), login, type };
    this.users.set(id, u);
    this.usersByLogin.set(login.toLowerCase(), u);
    this.registerNode(u.nodeId, type === "Organization" ? "Organization" : "User", id);
    return u;
  }

  userById(id: number): SimUser {
    const u = this.users.get(id);
    if (!u) throw new Error(`simulator: no user ${id}`);
    return u;
  }

  repoById(id: number): SimRepo {
    const r = this.repos.get(id);
    if (!r) throw new Error(`simulator: no repository ${id}`);
    return r;
  }

  fullName(repo: SimRepo): string {
    return `${this.userById(repo.ownerId).login}/${repo.name}`;
  }

  /** Current repository for `owner/name`, and whether that name is a former one (→ 301). */
  findRepo(owner: string, name: string): { repo: SimRepo; moved: boolean } | null {
    const id = this.repoByName.get(`${owner}/${name}`.toLowerCase());
    if (id === undefined) return null;
    const repo = this.repos.get(id);
    if (!repo) return null;
    const moved = this.fullName(repo).toLowerCase() !== `${owner}/${name}`.toLowerCase();
    return { repo, moved };
  }

  addRepo(owner: SimUser, name: string, createdAt: number): SimRepo {
    const id = this.id();
    const repo: SimRepo = {
      id,
      nodeId: nodeId("R", id),
      ownerId: owner.id,
      name,
      description: null,
      private: false,
      hasIssues: true,
      createdAt,
      updatedAt: createdAt,
      nextIssueNumber: 1,
      nextMilestoneNumber: 1,
      issues: new Map(),
      byUpdated: [],
      byNumber: [],
      milestones: new Map(),
      labels: new Map(),
      tombstones: new Map(),
      version: 0,
    };
    this.repos.set(id, repo);
    this.repoByName.set(`${owner.login}/${name}`.toLowerCase(), id);
    this.registerNode(repo.nodeId, "Repository", id);
    return repo;
  }

  insertIssue(repo: SimRepo, issue: SimIssue): void {
    repo.version++;
    repo.issues.set(issue.number, issue);
    this.issues.set(issue.id, issue);
    this.registerNode(issue.nodeId, issue.pullRequest ? "PullRequest" : "Issue", issue.id);
    // Numbers only grow, so creation order appends; seeding may insert with any updatedAt.
    repo.byNumber.push(issue);
    insertSorted(repo.byUpdated, issue);
  }

  removeIssue(repo: SimRepo, issue: SimIssue): void {
    repo.version++;
    repo.issues.delete(issue.number);
    this.issues.delete(issue.id);
    this.nodes.delete(issue.nodeId);
    removeSorted(repo.byUpdated, issue);
    const i = lowerBoundNumber(repo.byNumber, issue.number);
    if (repo.byNumber[i] === issue) repo.byNumber.splice(i, 1);
  }

  /** Move `updatedAt` and keep the updated index sorted (usually a remove plus an append). */
  touchIssue(repo: SimRepo, issue: SimIssue, at: number): void {
    repo.version++;
    removeSorted(repo.byUpdated, issue);
    // "updated_at moves on every change": GitHub stores seconds, so two changes within one second would share a
    // timestamp and an incremental `since` poll could not tell them apart. Keep it strictly increasing.
    issue.updatedAt = Math.max(
      Math.floor(at / 1000) * 1000,
      Math.floor(issue.updatedAt / 1000) * 1000 + 1000,
    );
    insertSorted(repo.byUpdated, issue);
  }
}

function cmp(a: SimIssue, b: SimIssue): number {
  return a.updatedAt - b.updatedAt || a.id - b.id;
}

function lowerBound(arr: SimIssue[], x: SimIssue): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const m = arr[mid];
    if (m && cmp(m, x) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index whose updatedAt >= t: where a `since` scan starts. */
export function lowerBoundUpdated(arr: SimIssue[], t: number): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const m = arr[mid];
    if (m && m.updatedAt < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function lowerBoundNumber(arr: SimIssue[], n: number): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const m = arr[mid];
    if (m && m.number < n) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function insertSorted(arr: SimIssue[], x: SimIssue): void {
  const last = arr[arr.length - 1];
  if (!last || cmp(last, x) <= 0) {
    arr.push(x);
    return;
  }
  arr.splice(lowerBound(arr, x), 0, x);
}

function removeSorted(arr: SimIssue[], x: SimIssue): void {
  const i = lowerBound(arr, x);
  if (arr[i] === x) arr.splice(i, 1);
  else {
    const j = arr.indexOf(x);
    if (j >= 0) arr.splice(j, 1);
  }
}
