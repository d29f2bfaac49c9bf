/** Deterministic seeding: the same seed number always yields the same repository, issues and project. */
import type { Ctx } from "./context.ts";
import { addDraftItem, addItem, createField, createProject, setFieldValue } from "./domain/projects.ts";
import { nodeId, prng } from "./ids.ts";
import type { SimIssue, SimLabel, SimMilestone, SimProject, SimRepo, StateReason } from "./types.ts";

export interface SeedRepositoryOptions {
  owner: string;
  name: string;
  /** Number of issues (pull requests included, about one in ten). Default 50. */
  issues?: number;
  milestones?: number;
  labels?: number;
  /** Fraction of issues that are pull requests. Default 0.1. */
  pullRequestRatio?: number;
  /** Also create an organization project v2 with custom fields and items. */
  project?: boolean | { title?: string; items?: number };
  /** Overrides the simulator's seed for this repository. */
  seed?: number;
}

export interface SeedResult {
  repositoryId: number;
  fullName: string;
  project: { id: number; nodeId: string; number: number } | null;
}

export const SEED_USERS = ["octocat", "hubot", "monalisa", "mona-dev", "defunkt", "pjhyett"];

const LABELS: Array<[string, string, string]> = [
  ["bug", "d73a4a", "Something isn't working"],
  ["enhancement", "a2eeef", "New feature or request"],
  ["documentation", "0075ca", "Improvements or additions to documentation"],
  ["question", "d876e3", "Further information is requested"],
  ["good first issue", "7057ff", "Good for newcomers"],
  ["help wanted", "008672", "Extra attention is needed"],
  ["wontfix", "ffffff", "This will not be worked on"],
  ["duplicate", "cfd3d7", "This issue or pull request already exists"],
  ["invalid", "e4e669", "This doesn't seem right"],
  ["priority: high", "b60205", "Needs attention soon"],
  ["priority: low", "c2e0c6", "Can wait"],
  ["area: sync", "1d76db", "Sync engine"],
];

const VERBS = [
  "Fix",
  "Add",
  "Remove",
  "Improve",
  "Document",
  "Refactor",
  "Speed up",
  "Investigate",
  "Support",
];
const NOUNS = [
  "pagination",
  "webhook retries",
  "label colours",
  "milestone dates",
  "rate limiting",
  "ETag cache",
  "project fields",
  "login flow",
  "search",
  "exports",
  "dark mode",
  "CLI flags",
];

export function seedRepository(ctx: Ctx, o: SeedRepositoryOptions, defaultSeed: number): SeedResult {
  return ctx.store.silently(() => seed(ctx, o, defaultSeed));
}

function seed(ctx: Ctx, o: SeedRepositoryOptions, defaultSeed: number): SeedResult {
  const store = ctx.store;
  const rand = prng(o.seed ?? hash(`${defaultSeed}:${o.owner}/${o.name}`));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const users = SEED_USERS.map((l) => store.user(l));
  const owner = store.user(o.owner, SEED_USERS.includes(o.owner) ? "User" : "Organization");
  const now = ctx.clock.now();
  const nIssues = o.issues ?? 50;
  // History spreads over the last 90 days, or more for big repositories, ending now.
  const span = Math.max(90 * 86_400_000, nIssues * 60_000);
  const start = now - span;
  const repo: SimRepo = store.findRepo(o.owner, o.name)?.repo ?? store.addRepo(owner, o.name, start);

  const labels: SimLabel[] = [];
  for (let i = 0; i < (o.labels ?? 8); i++) {
    const [name, color, description] = LABELS[i % LABELS.length] ?? ["label", "ededed", ""];
    const id = store.id();
    const l: SimLabel = {
      id,
      nodeId: nodeId("LA", id),
      repoId: repo.id,
      name: i < LABELS.length ? name : `${name} ${i}`,
      color,
      description,
      default: i < 9,
    };
    repo.labels.set(id, l);
    store.labels.set(id, l);
    store.registerNode(l.nodeId, "Label", id);
    labels.push(l);
  }

  const milestones: SimMilestone[] = [];
  for (let i = 0; i < (o.milestones ?? 3); i++) {
    const id = store.id();
    const closed = i === 0 && (o.milestones ?? 3) > 2;
    const m: SimMilestone = {
      id,
      nodeId: nodeId("MI", id),
      number: repo.nextMilestoneNumber++,
      repoId: repo.id,
      title: `v${i + 1}.0`,
      description: `Release ${i + 1}.0`,
      state: closed ? "closed" : "open",
      dueOn:
        Math.floor((start + ((i + 1) * span) / ((o.milestones ?? 3) + 1)) / 86_400_000) * 86_400_000 +
        25_200_000,
      creatorId: owner.type === "User" ? owner.id : (users[0]?.id ?? owner.id),
      createdAt: start,
      updatedAt: start,
      closedAt: closed ? start + span / 2 : null,
    };
    repo.milestones.set(id, m);
    store.milestones.set(id, m);
    store.registerNode(m.nodeId, "Milestone", id);
    milestones.push(m);
  }

  const issues: SimIssue[] = [];
  const prRatio = o.pullRequestRatio ?? 0.1;
  for (let n = 0; n < nIssues; n++) {
    const id = store.id();
    const createdAt = Math.floor(start + (n * span) / Math.max(1, nIssues));
    const updatedAt = Math.floor((createdAt + rand() * (now - createdAt)) / 1000) * 1000;
    const isPr = rand() < prRatio;
    const closed = rand() < 0.3;
    const reason: StateReason | null = closed ? (rand() < 0.8 ? "completed" : "not_planned") : null;
    const issueLabels = labels.length
      ? [...new Set([pick(labels), pick(labels)])].slice(0, Math.floor(rand() * 3))
      : [];
    const assignees = rand() < 0.4 ? [pick(users).id] : [];
    const author = pick(users);
    issues.push({
      id,
      nodeId: nodeId(isPr ? "PR" : "I", id),
      number: repo.nextIssueNumber++,
      repoId: repo.id,
      title: `${pick(VERBS)} ${pick(NOUNS)} (#${n + 1})`,
      body: rand() < 0.8 ? `Seeded issue ${n + 1}. cc @${pick(users).login}` : null,
      state: closed ? "closed" : "open",
      stateReason: isPr ? null : reason,
      userId: author.id,
      assigneeIds: assignees,
      labelIds: issueLabels.map((l) => l.id),
      milestoneId: milestones.length && rand() < 0.5 ? pick(milestones).id : null,
      locked: false,
      activeLockReason: null,
      comments: Math.floor(rand() * 8),
      createdAt,
      updatedAt,
      closedAt: closed ? updatedAt : null,
      closedById: closed ? author.id : null,
      pullRequest: isPr ? { draft: rand() < 0.2, mergedAt: closed && rand() < 0.7 ? updatedAt : null } : null,
    });
  }
  store.bulkInsertIssues(repo, issues);

  let project: SimProject | null = null;
  if (o.project) {
    const spec = typeof o.project === "object" ? o.project : {};
    project = createProject(
      ctx,
      owner.id,
      users[0]?.id ?? owner.id,
      spec.title ?? `${o.name} roadmap`,
      start,
    );
    seedProject(ctx, project, issues, spec.items ?? Math.min(40, issues.length), rand);
  }
  return {
    repositoryId: repo.id,
    fullName: store.fullName(repo),
    project: project ? { id: project.id, nodeId: project.nodeId, number: project.number } : null,
  };
}

function seedProject(ctx: Ctx, p: SimProject, issues: SimIssue[], count: number, rand: () => number): void {
  // Sprints start two weeks before today, so one is completed, one current and one upcoming.
  const today = Math.floor(ctx.clock.now() / 86_400_000) * 86_400_000;
  const day = (offset: number) => new Date(today + (offset - 14) * 86_400_000).toISOString().slice(0, 10);
  createField(ctx, p, "Notes", "TEXT");
  createField(ctx, p, "Estimate", "NUMBER");
  createField(ctx, p, "Due", "DATE");
  createField(ctx, p, "Priority", "SINGLE_SELECT", {
    options: ["P0", "P1", "P2", "P3"].map((name, i) => ({
      name,
      color: ["RED", "ORANGE", "YELLOW", "GRAY"][i] ?? "GRAY",
      description: `Priority ${name}`,
    })),
  });
  createField(ctx, p, "Sprint", "ITERATION", {
    iterations: [0, 1, 2].map((i) => ({ title: `Sprint ${i + 1}`, startDate: day(i * 14), duration: 14 })),
  });
  const creator = p.creatorId;
  const byName = (n: string) => p.fields.find((f) => f.name === n);
  for (const issue of issues.slice(0, count)) {
    const item = addItem(ctx, p, creator, issue.nodeId, issue.createdAt);
    const status = byName("Status");
    const prio = byName("Priority");
    const sprint = byName("Sprint");
    const notes = byName("Notes");
    const est = byName("Estimate");
    const due = byName("Due");
    const opt = status?.options[Math.floor(rand() * status.options.length)];
    if (status && opt) setFieldValue(ctx, p, item, status, { singleSelectOptionId: opt.id }, creator);
    const po = prio?.options[Math.floor(rand() * prio.options.length)];
    if (prio && po && rand() < 0.7)
      setFieldValue(ctx, p, item, prio, { singleSelectOptionId: po.id }, creator);
    const it = sprint?.iterations[Math.floor(rand() * sprint.iterations.length)];
    if (sprint && it && rand() < 0.6) setFieldValue(ctx, p, item, sprint, { iterationId: it.id }, creator);
    if (notes && rand() < 0.3)
      setFieldValue(ctx, p, item, notes, { text: `Note for #${issue.number}` }, creator);
    if (est && rand() < 0.5)
      setFieldValue(ctx, p, item, est, { number: 1 + Math.floor(rand() * 8) }, creator);
    if (due && rand() < 0.4)
      setFieldValue(ctx, p, item, due, { date: day(Math.floor(rand() * 60)) }, creator);
  }
  addDraftItem(ctx, p, creator, "Draft: plan the next release", "To be refined");
  addDraftItem(ctx, p, creator, "Draft: collect feedback", "");
}

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}
