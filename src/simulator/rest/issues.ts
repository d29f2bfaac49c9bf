/** REST: issues list/get/create/update and an issue's labels. */
import type { Ctx } from "../context.ts";
import {
  assertIssuesEnabled,
  changeIssueLabels,
  createIssue,
  findIssue,
  updateIssue,
} from "../domain/issues.ts";
import { notFound, type ValidationItem, validationFailed } from "../errors.ts";
import { linkHeader, linkHeaders, pageParams, slicePage } from "../pagination.ts";
import type { Reply, RouteContext, Router } from "../router.ts";
import { issueJson, labelJson, openCount } from "../serialize.ts";
import { lowerBoundUpdated } from "../store.ts";
import type { SimIssue, SimLabel, SimRepo } from "../types.ts";
import { actorId, bodyObject, intParam, linkBase, repoFor } from "./common.ts";

type Pred = (i: SimIssue) => boolean;

function listFilter(ctx: Ctx, repo: SimRepo, q: URLSearchParams): { preds: Pred[]; since: number | null } {
  const errors: ValidationItem[] = [];
  const preds: Pred[] = [];
  const state = q.get("state") ?? "open";
  if (state === "open" || state === "closed") preds.push((i) => i.state === state);
  else if (state !== "all") errors.push({ resource: "Issue", field: "state", code: "invalid", value: state });
  const milestone = q.get("milestone");
  if (milestone === "*") preds.push((i) => i.milestoneId !== null);
  else if (milestone === "none") preds.push((i) => i.milestoneId === null);
  else if (milestone !== null) {
    let id: number | null = null;
    for (const m of repo.milestones.values()) if (String(m.number) === milestone) id = m.id;
    if (id === null)
      errors.push({ resource: "Issue", field: "milestone", code: "invalid", value: milestone });
    preds.push((i) => i.milestoneId === id);
  }
  const assignee = q.get("assignee");
  if (assignee === "*") preds.push((i) => i.assigneeIds.length > 0);
  else if (assignee === "none") preds.push((i) => i.assigneeIds.length === 0);
  else if (assignee !== null) {
    const u = ctx.store.usersByLogin.get(assignee.toLowerCase());
    preds.push(u ? (i) => i.assigneeIds.includes(u.id) : () => false);
  }
  const creator = q.get("creator");
  if (creator !== null) {
    const u = ctx.store.usersByLogin.get(creator.toLowerCase());
    preds.push(u ? (i) => i.userId === u.id : () => false);
  }
  const mentioned = q.get("mentioned");
  if (mentioned !== null) {
    const needle = `@${mentioned.toLowerCase()}`;
    preds.push((i) => (i.body ?? "").toLowerCase().includes(needle));
  }
  const labels = q.get("labels");
  if (labels) {
    // Every listed label must be on the issue; an unknown name matches nothing.
    const ids: number[] = [];
    let unknown = false;
    for (const name of labels
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean)) {
      let found: SimLabel | undefined;
      for (const l of repo.labels.values()) if (l.name.toLowerCase() === name.toLowerCase()) found = l;
      if (found) ids.push(found.id);
      else unknown = true;
    }
    preds.push(unknown ? () => false : (i) => ids.every((id) => i.labelIds.includes(id)));
  }
  const sinceRaw = q.get("since");
  let since: number | null = null;
  if (sinceRaw !== null) {
    since = Date.parse(sinceRaw);
    if (Number.isNaN(since))
      errors.push({ resource: "Issue", field: "since", code: "invalid", value: sinceRaw });
  }
  if (errors.length) throw validationFailed(errors);
  return { preds, since };
}

/**
 * Walks the per-repository index in the requested order, counting matches for the Link header and keeping only
 * the requested page. `sort=updated` uses the sorted index and binary-searches `since` (updated_at >= since).
 */
export function listIssues(
  ctx: Ctx,
  repo: SimRepo,
  q: URLSearchParams,
  page: { page: number; perPage: number },
) {
  const sort = q.get("sort") ?? "created";
  const direction =
    q.get("direction") ?? (sort === "created" || sort === "updated" || sort === "comments" ? "desc" : "desc");
  const errors: ValidationItem[] = [];
  if (!["created", "updated", "comments"].includes(sort))
    errors.push({ resource: "Issue", field: "sort", code: "invalid", value: sort });
  if (direction !== "asc" && direction !== "desc")
    errors.push({ resource: "Issue", field: "direction", code: "invalid", value: direction });
  if (errors.length) throw validationFailed(errors);
  const { preds, since } = listFilter(ctx, repo, q);
  let arr: SimIssue[];
  let lo = 0;
  if (sort === "updated") {
    arr = repo.byUpdated;
    if (since !== null) lo = lowerBoundUpdated(arr, since);
  } else if (sort === "created") {
    arr = repo.byNumber;
  } else {
    arr = [...repo.byNumber].sort((a, b) => a.comments - b.comments || a.number - b.number);
  }
  if (since !== null && sort !== "updated") preds.push((i) => i.updatedAt >= since);
  // When the only filter is the state (or none), the total for the Link header is known without a full scan,
  // so the walk can stop once the page is full.
  const state = q.get("state") ?? "open";
  const simple = preds.length === (state === "all" ? 0 : 1) && (since === null || sort === "updated");
  let knownTotal: number | null = null;
  if (simple) {
    if (state === "all") knownTotal = arr.length - lo;
    else if (since === null) {
      const open = openCount(repo);
      knownTotal = state === "open" ? open : repo.issues.size - open;
    }
  }
  const skip = (page.page - 1) * page.perPage;
  const out: SimIssue[] = [];
  let total = 0;
  const n = arr.length;
  const test = (i: SimIssue) => {
    for (const p of preds) if (!p(i)) return false;
    return true;
  };
  if (direction === "asc") {
    for (let k = lo; k < n; k++) {
      const i = arr[k] as SimIssue;
      if (!test(i)) continue;
      if (total >= skip && out.length < page.perPage) out.push(i);
      total++;
      if (knownTotal !== null && out.length === page.perPage) break;
    }
  } else {
    for (let k = n - 1; k >= lo; k--) {
      const i = arr[k] as SimIssue;
      if (!test(i)) continue;
      if (total >= skip && out.length < page.perPage) out.push(i);
      total++;
      if (knownTotal !== null && out.length === page.perPage) break;
    }
  }
  return { items: out, total: knownTotal ?? total };
}

function labelsReply(rc: RouteContext, labels: SimLabel[]): Reply {
  const ctx = rc.core.ctx;
  return { status: 200, body: labels.map((l) => labelJson(ctx.store, l, ctx.urls)) };
}

async function labelNames(rc: RouteContext): Promise<string[]> {
  // Both `["bug"]` and `{"labels": ["bug"]}` (or label objects) are accepted, as on GitHub.
  const b = await rc.json();
  const list = Array.isArray(b)
    ? b
    : b && typeof b === "object"
      ? (b as { labels?: unknown }).labels
      : undefined;
  if (!Array.isArray(list))
    throw validationFailed([{ resource: "Label", field: "labels", code: "missing_field" }]);
  return list.map((x) => (typeof x === "string" ? x : String((x as { name?: unknown })?.name ?? "")));
}

export function registerIssueRoutes(router: Router): void {
  router.repo("GET", "/issues", (rc) => {
    const ctx = rc.core.ctx;
    const repo = repoFor(rc);
    assertIssuesEnabled(repo);
    const p = pageParams(rc.url);
    const { items, total } = listIssues(ctx, repo, rc.url.searchParams, p);
    const link = linkHeader(linkBase(rc, repo, "/issues"), rc.url.searchParams, p, total);
    return {
      status: 200,
      body: items.map((i) => issueJson(ctx.store, i, ctx.urls)),
      headers: linkHeaders(link),
      // Modelling assumption (docs/simulator.md): a list page carries Last-Modified = its newest item, so
      // If-Modified-Since works for clients whose ETag belongs to an earlier token.
      ...(items.length > 0 ? { lastModified: Math.max(...items.map((i) => i.updatedAt)) } : {}),
    };
  });

  router.repo("GET", "/issues/{issue_number}", (rc) => {
    const ctx = rc.core.ctx;
    const issue = findIssue(ctx, repoFor(rc), intParam(rc, "issue_number"));
    return { status: 200, body: issueJson(ctx.store, issue, ctx.urls), lastModified: issue.updatedAt };
  });

  router.repo(
    "POST",
    "/issues",
    async (rc) => {
      const ctx = rc.core.ctx;
      const repo = repoFor(rc);
      const sender = actorId(rc);
      const issue = createIssue(ctx, repo, sender, await bodyObject(rc));
      const body = issueJson(ctx.store, issue, ctx.urls);
      return { status: 201, body, headers: { location: String(body.url) } };
    },
    { creates: true },
  );

  router.repo("PATCH", "/issues/{issue_number}", async (rc) => {
    const ctx = rc.core.ctx;
    const repo = repoFor(rc);
    const sender = actorId(rc);
    const input = await bodyObject(rc);
    const issue = findIssue(ctx, repo, intParam(rc, "issue_number"));
    updateIssue(ctx, repo, issue, sender, input);
    return { status: 200, body: issueJson(ctx.store, issue, ctx.urls) };
  });

  router.repo("GET", "/issues/{issue_number}/labels", (rc) => {
    const ctx = rc.core.ctx;
    const repo = repoFor(rc);
    const issue = findIssue(ctx, repo, intParam(rc, "issue_number"));
    const labels = issue.labelIds.map((id) => ctx.store.labels.get(id)).filter((l): l is SimLabel => !!l);
    const p = pageParams(rc.url);
    const link = linkHeader(
      linkBase(rc, repo, `/issues/${issue.number}/labels`),
      rc.url.searchParams,
      p,
      labels.length,
    );
    return { ...labelsReply(rc, slicePage(labels, p)), headers: linkHeaders(link) };
  });

  const change = (mode: "add" | "set") => async (rc: RouteContext) => {
    const ctx = rc.core.ctx;
    const repo = repoFor(rc);
    const sender = actorId(rc);
    const names = await labelNames(rc);
    const issue = findIssue(ctx, repo, intParam(rc, "issue_number"));
    return labelsReply(rc, changeIssueLabels(ctx, repo, issue, sender, mode, names));
  };
  router.repo("POST", "/issues/{issue_number}/labels", change("add"));
  router.repo("PUT", "/issues/{issue_number}/labels", change("set"));

  router.repo("DELETE", "/issues/{issue_number}/labels", (rc) => {
    const ctx = rc.core.ctx;
    const repo = repoFor(rc);
    const sender = actorId(rc);
    const issue = findIssue(ctx, repo, intParam(rc, "issue_number"));
    changeIssueLabels(ctx, repo, issue, sender, "set", []);
    return { status: 204 };
  });

  router.repo("DELETE", "/issues/{issue_number}/labels/{name}", (rc) => {
    const ctx = rc.core.ctx;
    const repo = repoFor(rc);
    const sender = actorId(rc);
    const issue = findIssue(ctx, repo, intParam(rc, "issue_number"));
    const name = rc.params.name;
    if (name === undefined) throw notFound();
    return labelsReply(rc, changeIssueLabels(ctx, repo, issue, sender, "remove", [name]));
  });
}
