/** REST: milestones list/get/create/update/delete. */
import {
  createMilestone,
  deleteMilestone,
  getMilestone,
  listMilestones,
  updateMilestone,
} from "../domain/milestones.ts";
import { validationFailed } from "../errors.ts";
import { linkHeader, linkHeaders, pageParams, slicePage } from "../pagination.ts";
import type { Router } from "../router.ts";
import { milestoneJson } from "../serialize.ts";
import { actorId, bodyObject, intParam, linkBase, repoFor } from "./common.ts";

export function registerMilestoneRoutes(router: Router): void {
  router.repo("GET", "/milestones", (rc) => {
    const ctx = rc.core.ctx;
    const repo = repoFor(rc);
    const q = rc.url.searchParams;
    const state = q.get("state") ?? "open";
    const sort = q.get("sort") ?? "due_on";
    const direction = q.get("direction") ?? "asc";
    if (
      !["open", "closed", "all"].includes(state) ||
      !["due_on", "completeness"].includes(sort) ||
      !["asc", "desc"].includes(direction)
    ) {
      throw validationFailed([{ resource: "Milestone", code: "invalid", field: "state" }]);
    }
    const all = listMilestones(
      repo,
      state as "open" | "closed" | "all",
      sort as "due_on" | "completeness",
      direction as "asc" | "desc",
    );
    const p = pageParams(rc.url);
    const link = linkHeader(linkBase(rc, repo, "/milestones"), q, p, all.length);
    const page = slicePage(all, p);
    return {
      status: 200,
      body: page.map((m) => milestoneJson(ctx.store, m, ctx.urls)),
      headers: linkHeaders(link),
      // Same modelling assumption as the issues list: Last-Modified is the newest milestone on the page.
      ...(page.length > 0 ? { lastModified: Math.max(...page.map((m) => m.updatedAt)) } : {}),
    };
  });

  router.repo(
    "POST",
    "/milestones",
    async (rc) => {
      const ctx = rc.core.ctx;
      const repo = repoFor(rc);
      const m = createMilestone(ctx, repo, actorId(rc), await bodyObject(rc));
      const body = milestoneJson(ctx.store, m, ctx.urls);
      return { status: 201, body, headers: { location: String(body.url) } };
    },
    { creates: true },
  );

  router.repo("GET", "/milestones/{milestone_number}", (rc) => {
    const ctx = rc.core.ctx;
    const m = getMilestone(repoFor(rc), intParam(rc, "milestone_number"));
    return { status: 200, body: milestoneJson(ctx.store, m, ctx.urls), lastModified: m.updatedAt };
  });

  router.repo("PATCH", "/milestones/{milestone_number}", async (rc) => {
    const ctx = rc.core.ctx;
    const repo = repoFor(rc);
    const sender = actorId(rc);
    const input = await bodyObject(rc);
    const m = getMilestone(repo, intParam(rc, "milestone_number"));
    updateMilestone(ctx, repo, m, sender, input);
    return { status: 200, body: milestoneJson(ctx.store, m, ctx.urls) };
  });

  router.repo("DELETE", "/milestones/{milestone_number}", (rc) => {
    const repo = repoFor(rc);
    const sender = actorId(rc);
    deleteMilestone(rc.core.ctx, repo, getMilestone(repo, intParam(rc, "milestone_number")), sender);
    return { status: 204 };
  });
}
