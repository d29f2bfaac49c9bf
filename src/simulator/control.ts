/**
 * The control API: what happens "on github.com" outside the client under test (edits by another user, deletes,
 * transfers, renames), plus knobs for limits and faults, and counters for benchmarks. The same operations are
 * served over HTTP as `POST /_sim/{operation}` (see docs/simulator.md).
 */

import type { Auth } from "./auth.ts";
import type { Ctx } from "./context.ts";
import {
  createIssue,
  deleteIssue,
  findIssue,
  type IssueInput,
  transferIssue,
  updateIssue,
} from "./domain/issues.ts";
import { createLabel, deleteLabel, getLabel, updateLabel } from "./domain/labels.ts";
import { createMilestone, deleteMilestone, getMilestone, updateMilestone } from "./domain/milestones.ts";
import {
  addItem,
  archiveItem,
  deleteItem,
  findField,
  findItem,
  ProjectError,
  type ProjectPatch,
  setFieldValue,
  updateProject,
} from "./domain/projects.ts";
import { HttpError, notFound } from "./errors.ts";
import { type Counters, emptyCounters, type Faults, type RouteFault, type WebhookFaults } from "./faults.ts";
import type { RateLimiter, RateLimitOverride, Resource } from "./rate-limit.ts";
import { addHook } from "./rest/hooks.ts";
import { type SeedRepositoryOptions, type SeedResult, seedRepository } from "./seed.ts";
import { issueJson, type Json, labelJson, milestoneJson } from "./serialize.ts";
import type { FieldValue, SimProject, SimRepo } from "./types.ts";

/** Who makes control-API changes unless `as` says otherwise: someone other than the sync's own token user. */
export const DEFAULT_OTHER_USER = "hubot";

export interface RepoRef {
  owner: string;
  repo: string;
  /** Login of the user making the change on github.com. Default "hubot". */
  as?: string;
}

export interface ProjectRef {
  /** Organization (or user) login owning the project. */
  owner: string;
  number: number;
  as?: string;
}

export interface Control {
  seedRepository(o: SeedRepositoryOptions): SeedResult;
  createIssue(o: RepoRef & IssueInput): Json;
  editIssue(o: RepoRef & { number: number } & IssueInput): Json;
  deleteIssue(o: RepoRef & { number: number }): { deleted: true };
  transferIssue(o: RepoRef & { number: number; to: string }): Json;
  createLabel(o: RepoRef & { name: string; color?: string; description?: string }): Json;
  editLabel(
    o: RepoRef & { name: string; new_name?: string; color?: string; description?: string | null },
  ): Json;
  deleteLabel(o: RepoRef & { name: string }): { deleted: true };
  createMilestone(
    o: RepoRef & { title: string; state?: string; description?: string; due_on?: string },
  ): Json;
  editMilestone(
    o: RepoRef & {
      number: number;
      title?: string;
      state?: string;
      description?: string;
      due_on?: string | null;
    },
  ): Json;
  deleteMilestone(o: RepoRef & { number: number }): { deleted: true };
  renameRepository(o: RepoRef & { name: string }): { full_name: string; id: number };
  setIssuesEnabled(o: RepoRef & { enabled: boolean }): { has_issues: boolean };
  addProjectItem(o: ProjectRef & { repo: string; issue: number }): { id: string };
  setProjectFieldValue(o: ProjectRef & { item: string; field: string; value: FieldValue | null }): {
    id: string;
  };
  archiveProjectItem(o: ProjectRef & { item: string; archived?: boolean }): { id: string };
  deleteProjectItem(o: ProjectRef & { item: string }): { deletedItemId: string };
  editProject(o: ProjectRef & ProjectPatch): { id: string };
  setRateLimit(
    o: Omit<RateLimitOverride, "key"> & {
      token?: string;
      installationId?: number;
      exhaustedStatus?: 403 | 429;
    },
  ): { ok: true };
  setSecondaryLimits(o: Partial<RateLimiter["config"]["secondary"]>): { ok: true };
  injectFault(f: RouteFault): { ok: true };
  clearFaults(): { ok: true };
  setWebhookFaults(f: WebhookFaults): { ok: true };
  /** Repository hook (`owner`+`repo`), organization hook (`org`) or the app hook (`app: true`). */
  addHook(o: {
    owner?: string;
    repo?: string;
    org?: string;
    app?: boolean;
    url: string;
    secret?: string | null;
    events?: string[];
  }): { id: number };
  /** A personal token; `scopes` limits it (e.g. ["repo"]: no Projects v2 by GraphQL, no hook listing). */
  addToken(o: { token: string; login: string; scopes?: string[] }): { ok: true };
  installApp(o: { account: string; repositories?: string[] }): { id: number };
  counters(): Counters;
  resetCounters(): { ok: true };
  /** Wipes every repository, project, hook, delivery, token issued, limit and fault; configured tokens stay. */
  reset(): { ok: true };
}

export interface ControlDeps {
  ctx: Ctx;
  auth: Auth;
  limiter: RateLimiter;
  faults: Faults;
  counters: Counters;
  seed: number;
  onReset: () => void;
}

export function createControl(d: ControlDeps): Control {
  const { ctx } = d;
  const store = ctx.store;
  const repoOf = (o: RepoRef): SimRepo => {
    const found = store.findRepo(o.owner, o.repo);
    if (!found) throw notFound();
    return found.repo;
  };
  const actor = (o: { as?: string }) => store.user(o.as ?? DEFAULT_OTHER_USER).id;
  const projectOf = (o: ProjectRef): SimProject => {
    const owner = store.usersByLogin.get(o.owner.toLowerCase());
    for (const p of store.projects.values())
      if (owner && p.ownerId === owner.id && p.number === Number(o.number)) return p;
    throw notFound();
  };
  const wrapProject = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (e) {
      if (e instanceof ProjectError)
        throw new HttpError(e.type === "NOT_FOUND" ? 404 : 422, { message: e.message });
      throw e;
    }
  };
  const json = (i: Parameters<typeof issueJson>[1]) => issueJson(store, i, ctx.urls);

  return {
    seedRepository: (o) => seedRepository(ctx, o, d.seed),
    createIssue: (o) => json(createIssue(ctx, repoOf(o), actor(o), o)),
    editIssue: (o) => {
      const repo = repoOf(o);
      const issue = findIssue(ctx, repo, Number(o.number));
      return json(updateIssue(ctx, repo, issue, actor(o), o));
    },
    deleteIssue: (o) => {
      const repo = repoOf(o);
      deleteIssue(ctx, repo, findIssue(ctx, repo, Number(o.number)), actor(o));
      return { deleted: true };
    },
    transferIssue: (o) => {
      const repo = repoOf(o);
      const [owner = "", name = ""] = o.to.split("/");
      const target = repoOf({ owner, repo: name });
      return json(transferIssue(ctx, repo, findIssue(ctx, repo, Number(o.number)), target, actor(o)));
    },
    createLabel: (o) => labelJson(store, createLabel(ctx, repoOf(o), actor(o), o), ctx.urls),
    editLabel: (o) => {
      const repo = repoOf(o);
      const label = getLabel(repo, o.name);
      return labelJson(store, updateLabel(ctx, repo, label, actor(o), { ...o, name: undefined }), ctx.urls);
    },
    deleteLabel: (o) => {
      const repo = repoOf(o);
      deleteLabel(ctx, repo, getLabel(repo, o.name), actor(o));
      return { deleted: true };
    },
    createMilestone: (o) => milestoneJson(store, createMilestone(ctx, repoOf(o), actor(o), o), ctx.urls),
    editMilestone: (o) => {
      const repo = repoOf(o);
      const m = getMilestone(repo, Number(o.number));
      return milestoneJson(store, updateMilestone(ctx, repo, m, actor(o), o), ctx.urls);
    },
    deleteMilestone: (o) => {
      const repo = repoOf(o);
      deleteMilestone(ctx, repo, getMilestone(repo, Number(o.number)), actor(o));
      return { deleted: true };
    },
    renameRepository: (o) => {
      const repo = repoOf(o);
      // The old name keeps resolving (to a 301) as on GitHub, until something else takes it.
      repo.name = o.name;
      repo.updatedAt = ctx.clock.now();
      store.repoByName.set(store.fullName(repo).toLowerCase(), repo.id);
      return { full_name: store.fullName(repo), id: repo.id };
    },
    setIssuesEnabled: (o) => {
      const repo = repoOf(o);
      repo.hasIssues = o.enabled;
      return { has_issues: repo.hasIssues };
    },
    addProjectItem: (o) =>
      wrapProject(() => {
        const p = projectOf(o);
        const repo = repoOf({ owner: o.owner, repo: o.repo });
        const issue = findIssue(ctx, repo, Number(o.issue));
        return { id: addItem(ctx, p, actor(o), issue.nodeId).nodeId };
      }),
    setProjectFieldValue: (o) =>
      wrapProject(() => {
        const p = projectOf(o);
        const item = findItem(p, o.item);
        const field =
          p.fields.find((f) => f.name === o.field || f.nodeId === o.field) ?? findField(p, o.field);
        return { id: setFieldValue(ctx, p, item, field, o.value, actor(o)).nodeId };
      }),
    archiveProjectItem: (o) =>
      wrapProject(() => {
        const p = projectOf(o);
        return { id: archiveItem(ctx, p, findItem(p, o.item), actor(o), o.archived ?? true).nodeId };
      }),
    deleteProjectItem: (o) =>
      wrapProject(() => {
        const p = projectOf(o);
        const item = findItem(p, o.item);
        deleteItem(ctx, p, item, actor(o));
        return { deletedItemId: item.nodeId };
      }),
    editProject: (o) => ({ id: updateProject(ctx, projectOf(o), actor(o), o).nodeId }),
    setRateLimit: (o) => {
      const key =
        o.token !== undefined
          ? `token:${o.token}`
          : o.installationId !== undefined
            ? `installation:${o.installationId}`
            : undefined;
      if (o.exhaustedStatus) d.limiter.config.exhaustedStatus = o.exhaustedStatus;
      const override: RateLimitOverride = {
        resource: o.resource as Resource | undefined,
        limit: o.limit,
        remaining: o.remaining,
        windowSeconds: o.windowSeconds,
      };
      d.limiter.set(key === undefined ? override : { ...override, key });
      return { ok: true };
    },
    setSecondaryLimits: (o) => {
      Object.assign(d.limiter.config.secondary, o);
      return { ok: true };
    },
    injectFault: (f) => {
      d.faults.inject(f);
      return { ok: true };
    },
    clearFaults: () => {
      d.faults.clear();
      return { ok: true };
    },
    setWebhookFaults: (f) => {
      d.faults.webhooks = { ...f };
      return { ok: true };
    },
    addHook: (o) => {
      let repoId: number | null = null;
      let orgId: number | null = null;
      if (o.owner && o.repo) repoId = repoOf({ owner: o.owner, repo: o.repo }).id;
      else if (o.org) orgId = store.user(o.org, "Organization").id;
      else if (!o.app) throw new HttpError(422, { message: "addHook needs owner+repo, org or app" });
      const events = o.events ?? ["issues", "label", "milestone", "projects_v2", "projects_v2_item"];
      return { id: addHook(ctx, { repoId, orgId, url: o.url, secret: o.secret ?? null, events }).id };
    },
    addToken: (o) => {
      d.auth.tokens.set(o.token, o.login);
      if (o.scopes) d.auth.tokenScopes.set(o.token, o.scopes);
      else d.auth.tokenScopes.delete(o.token);
      store.user(o.login);
      return { ok: true };
    },
    installApp: (o) => {
      const account =
        store.usersByLogin.get(o.account.toLowerCase()) ?? store.user(o.account, "Organization");
      const ids = (o.repositories ?? []).map((name) => repoOf({ owner: account.login, repo: name }).id);
      const id = store.id();
      store.installations.set(id, {
        id,
        accountId: account.id,
        repositorySelection: o.repositories ? "selected" : "all",
        repositoryIds: ids,
        createdAt: ctx.clock.now(),
      });
      return { id };
    },
    counters: () => structuredClone(d.counters),
    resetCounters: () => {
      Object.assign(d.counters, emptyCounters());
      return { ok: true };
    },
    reset: () => {
      store.clear();
      d.auth.installationTokens.clear();
      d.limiter.reset();
      d.faults.clear();
      Object.assign(d.counters, emptyCounters());
      d.onReset();
      return { ok: true };
    },
  };
}

/** `POST /_sim/{operation}` with a JSON body; `GET /_sim/counters`. Errors keep GitHub's JSON shape. */
export async function handleControl(control: Control, req: Request, op: string): Promise<Response> {
  const headers = { "content-type": "application/json; charset=utf-8" };
  const fn = (control as unknown as Record<string, ((arg: unknown) => unknown) | undefined>)[op];
  if (!fn || (req.method !== "POST" && !(req.method === "GET" && op === "counters"))) {
    return new Response(JSON.stringify({ message: "Not Found", operations: Object.keys(control) }), {
      status: 404,
      headers,
    });
  }
  try {
    const text = req.method === "POST" ? await req.text() : "";
    const arg = text.trim() ? (JSON.parse(text) as unknown) : {};
    const result = await fn(arg);
    return new Response(JSON.stringify(result ?? { ok: true }), { status: 200, headers });
  } catch (e) {
    if (e instanceof HttpError) return new Response(JSON.stringify(e.body), { status: e.status, headers });
    if (e instanceof SyntaxError)
      return new Response(JSON.stringify({ message: "Problems parsing JSON" }), { status: 400, headers });
    return new Response(JSON.stringify({ message: e instanceof Error ? e.message : String(e) }), {
      status: 500,
      headers,
    });
  }
}
