/**
 * GraphQL view objects over the store. graphql-js's default resolver reads properties and calls functions with
 * (args), so each view is a plain object; abstract types are resolved from `__typename`.
 */
import { iso, isoOrNull } from "../clock.ts";
import type { Ctx } from "../context.ts";
import type {
  FieldValue,
  SimField,
  SimIssue,
  SimItem,
  SimLabel,
  SimMilestone,
  SimProject,
  SimRepo,
  SimUser,
} from "../types.ts";
import { type ConnectionArgs, connection } from "./connection.ts";

type View = Record<string, unknown>;

export function userView(ctx: Ctx, u: SimUser): View {
  const org = u.type === "Organization";
  return {
    __typename: org ? "Organization" : u.type === "Bot" ? "Bot" : "User",
    id: u.nodeId,
    databaseId: u.id,
    login: u.login,
    name: u.login,
    url: `${ctx.urls.html}/${u.login}`,
    resourcePath: `/${u.login}`,
    avatarUrl: `https://avatars.githubusercontent.com/u/${u.id}?v=4`,
    projectV2: ({ number }: { number: number }) => {
      const p = [...ctx.store.projects.values()].find((x) => x.ownerId === u.id && x.number === number);
      if (!p) throw notFound(`Could not resolve to a ProjectV2 with the number ${number}.`);
      return projectView(ctx, p);
    },
    projectsV2: (args: ConnectionArgs & { query?: string | null; orderBy?: ProjectOrder | null }) => {
      const list = [...ctx.store.projects.values()]
        .filter((p) => p.ownerId === u.id)
        .filter((p) => !args.query || p.title.toLowerCase().includes(args.query.toLowerCase()))
        .sort(projectOrder(args.orderBy));
      return connection(list, args, "projectsV2", (p) => projectView(ctx, p));
    },
  };
}

/** ProjectV2Order. Without one the list stays in number order (ascending, as this simulator always served it). */
interface ProjectOrder {
  field: "TITLE" | "NUMBER" | "UPDATED_AT" | "CREATED_AT";
  direction: "ASC" | "DESC";
}

function projectOrder(order: ProjectOrder | null | undefined): (a: SimProject, b: SimProject) => number {
  const key = (p: SimProject): number | string => {
    switch (order?.field) {
      case "TITLE":
        return p.title;
      case "UPDATED_AT":
        return p.updatedAt;
      case "CREATED_AT":
        return p.createdAt;
      default:
        return p.number;
    }
  };
  const sign = order?.direction === "DESC" ? -1 : 1;
  return (a, b) => {
    const ka = key(a);
    const kb = key(b);
    // Ties (same title or instant) fall back to the number, so pages stay stable.
    const primary = ka < kb ? -1 : ka > kb ? 1 : 0;
    return sign * (primary || a.number - b.number);
  };
}

export class NotFoundError extends Error {
  readonly type = "NOT_FOUND";
}

export function notFound(message: string): NotFoundError {
  return new NotFoundError(message);
}

export function repoView(ctx: Ctx, r: SimRepo): View {
  const owner = ctx.store.userById(r.ownerId);
  return {
    __typename: "Repository",
    id: r.nodeId,
    databaseId: r.id,
    name: r.name,
    nameWithOwner: `${owner.login}/${r.name}`,
    owner: () => userView(ctx, owner),
    url: `${ctx.urls.html}/${owner.login}/${r.name}`,
    isPrivate: r.private,
    hasIssuesEnabled: r.hasIssues,
    createdAt: iso(r.createdAt),
    updatedAt: iso(r.updatedAt),
    issue: ({ number }: { number: number }) => {
      const i = r.issues.get(number);
      return i && !i.pullRequest ? issueView(ctx, i) : null;
    },
    // Issues only (pull requests are a separate connection on GitHub), oldest number first; `states` filters.
    issues: (args: ConnectionArgs & { states?: string[] | null }) => {
      const states = args.states?.map((st) => st.toLowerCase());
      const list = r.byNumber.filter((i) => !i.pullRequest && (!states || states.includes(i.state)));
      return connection(list, args, "issues", (i) => issueView(ctx, i));
    },
    pullRequest: ({ number }: { number: number }) => {
      const i = r.issues.get(number);
      return i?.pullRequest ? issueView(ctx, i) : null;
    },
    projectV2: ({ number }: { number: number }) => {
      const p = linkedProjects(ctx, r).find((x) => x.number === number);
      return p ? projectView(ctx, p) : null;
    },
    // Projects linked to the repository: linked explicitly, or (as seeded) holding at least one of its issues.
    projectsV2: (args: ConnectionArgs) =>
      connection(linkedProjects(ctx, r), args, "projectsV2", (p) => projectView(ctx, p)),
  };
}

function linkedProjects(ctx: Ctx, r: SimRepo): SimProject[] {
  return [...ctx.store.projects.values()].filter(
    (p) =>
      p.linkedRepoIds.has(r.id) ||
      [...p.items.values()].some(
        (it) => it.issueId !== null && ctx.store.issues.get(it.issueId)?.repoId === r.id,
      ),
  );
}

export function labelView(ctx: Ctx, l: SimLabel): View {
  return {
    __typename: "Label",
    id: l.nodeId,
    name: l.name,
    color: l.color,
    description: l.description,
    isDefault: l.default,
    url: `${ctx.urls.html}/${ctx.store.fullName(ctx.store.repoById(l.repoId))}/labels/${encodeURIComponent(l.name)}`,
  };
}

export function milestoneView(ctx: Ctx, m: SimMilestone): View {
  return {
    __typename: "Milestone",
    id: m.nodeId,
    number: m.number,
    title: m.title,
    description: m.description,
    state: m.state === "open" ? "OPEN" : "CLOSED",
    dueOn: isoOrNull(m.dueOn),
    closed: m.state === "closed",
    closedAt: isoOrNull(m.closedAt),
    createdAt: iso(m.createdAt),
    updatedAt: iso(m.updatedAt),
    url: `${ctx.urls.html}/${ctx.store.fullName(ctx.store.repoById(m.repoId))}/milestone/${m.number}`,
  };
}

export function issueView(ctx: Ctx, i: SimIssue): View {
  const repo = ctx.store.repoById(i.repoId);
  const full = ctx.store.fullName(repo);
  const pr = i.pullRequest;
  const labels = () => i.labelIds.map((id) => ctx.store.labels.get(id)).filter((l): l is SimLabel => !!l);
  const milestone = i.milestoneId === null ? undefined : ctx.store.milestones.get(i.milestoneId);
  return {
    __typename: pr ? "PullRequest" : "Issue",
    id: i.nodeId,
    databaseId: i.id,
    fullDatabaseId: String(i.id),
    number: i.number,
    title: i.title,
    body: i.body ?? "",
    state: pr
      ? i.state === "open"
        ? "OPEN"
        : pr.mergedAt
          ? "MERGED"
          : "CLOSED"
      : i.state === "open"
        ? "OPEN"
        : "CLOSED",
    stateReason: pr ? undefined : i.stateReason ? i.stateReason.toUpperCase() : null,
    closed: i.state === "closed",
    closedAt: isoOrNull(i.closedAt),
    createdAt: iso(i.createdAt),
    updatedAt: iso(i.updatedAt),
    merged: pr ? pr.mergedAt !== null : undefined,
    mergedAt: pr ? isoOrNull(pr.mergedAt) : undefined,
    isDraft: pr ? pr.draft : undefined,
    locked: i.locked,
    url: `${ctx.urls.html}/${full}/${pr ? "pull" : "issues"}/${i.number}`,
    resourcePath: `/${full}/${pr ? "pull" : "issues"}/${i.number}`,
    author: () => userView(ctx, ctx.store.userById(i.userId)),
    repository: () => repoView(ctx, repo),
    milestone: () => (milestone ? milestoneView(ctx, milestone) : null),
    labels: (args: ConnectionArgs) => connection(labels(), args, "labels", (l) => labelView(ctx, l)),
    assignees: (args: ConnectionArgs) =>
      connection(i.assigneeIds, args, "assignees", (id) => userView(ctx, ctx.store.userById(id))),
  };
}

function valueBase(ctx: Ctx, p: SimProject, item: SimItem, f: SimField, typename: string): View {
  return {
    __typename: typename,
    id: `${item.nodeId.replace("PVTI_", "PVTFV_")}_${f.id}`,
    databaseId: f.id * 1000 + (item.id % 1000),
    createdAt: iso(item.createdAt),
    updatedAt: iso(item.updatedAt),
    creator: () => userView(ctx, ctx.store.userById(item.creatorId)),
    field: () => fieldView(ctx, p, f),
    item: () => itemView(ctx, p, item),
  };
}

function storedValueView(ctx: Ctx, p: SimProject, item: SimItem, f: SimField, v: FieldValue): View | null {
  if ("text" in v) return { ...valueBase(ctx, p, item, f, "ProjectV2ItemFieldTextValue"), text: v.text };
  if ("number" in v)
    return { ...valueBase(ctx, p, item, f, "ProjectV2ItemFieldNumberValue"), number: v.number };
  if ("date" in v) return { ...valueBase(ctx, p, item, f, "ProjectV2ItemFieldDateValue"), date: v.date };
  if ("singleSelectOptionId" in v) {
    const o = f.options.find((x) => x.id === v.singleSelectOptionId);
    if (!o) return null;
    return {
      ...valueBase(ctx, p, item, f, "ProjectV2ItemFieldSingleSelectValue"),
      optionId: o.id,
      name: o.name,
      nameHTML: o.name,
      color: o.color,
      description: o.description,
      descriptionHTML: o.description,
    };
  }
  const it = f.iterations.find((x) => x.id === v.iterationId);
  if (!it) return null;
  return {
    ...valueBase(ctx, p, item, f, "ProjectV2ItemFieldIterationValue"),
    iterationId: it.id,
    title: it.title,
    titleHTML: it.title,
    startDate: it.startDate,
    duration: it.duration,
  };
}

/** Values an item shows for a field: stored ones, or those derived from the issue (title, labels, …). */
function valueFor(ctx: Ctx, p: SimProject, item: SimItem, f: SimField): View | null {
  const issue = item.issueId === null ? undefined : ctx.store.issues.get(item.issueId);
  switch (f.dataType) {
    case "TITLE":
      return {
        ...valueBase(ctx, p, item, f, "ProjectV2ItemFieldTextValue"),
        text: issue?.title ?? item.draft?.title ?? "",
      };
    case "ASSIGNEES":
      if (!issue?.assigneeIds.length) return null;
      return {
        __typename: "ProjectV2ItemFieldUserValue",
        field: () => fieldView(ctx, p, f),
        users: (args: ConnectionArgs) =>
          connection(issue.assigneeIds, args, "users", (id) => userView(ctx, ctx.store.userById(id))),
      };
    case "LABELS": {
      const labels = (issue?.labelIds ?? [])
        .map((id) => ctx.store.labels.get(id))
        .filter((l): l is SimLabel => !!l);
      if (!labels.length) return null;
      return {
        __typename: "ProjectV2ItemFieldLabelValue",
        field: () => fieldView(ctx, p, f),
        labels: (args: ConnectionArgs) => connection(labels, args, "labels", (l) => labelView(ctx, l)),
      };
    }
    case "MILESTONE": {
      const m = issue?.milestoneId == null ? undefined : ctx.store.milestones.get(issue.milestoneId);
      if (!m) return null;
      return {
        __typename: "ProjectV2ItemFieldMilestoneValue",
        field: () => fieldView(ctx, p, f),
        milestone: () => milestoneView(ctx, m),
      };
    }
    case "REPOSITORY": {
      if (!issue) return null;
      const r = ctx.store.repoById(issue.repoId);
      return {
        __typename: "ProjectV2ItemFieldRepositoryValue",
        field: () => fieldView(ctx, p, f),
        repository: () => repoView(ctx, r),
      };
    }
    default: {
      const v = item.values.get(f.id);
      return v ? storedValueView(ctx, p, item, f, v) : null;
    }
  }
}

export function fieldView(ctx: Ctx, p: SimProject, f: SimField): View {
  const base: View = {
    id: f.nodeId,
    databaseId: f.id,
    name: f.name,
    dataType: f.dataType,
    createdAt: iso(f.createdAt),
    updatedAt: iso(f.updatedAt),
    project: () => projectView(ctx, p),
  };
  if (f.dataType === "SINGLE_SELECT") {
    return {
      ...base,
      __typename: "ProjectV2SingleSelectField",
      options: ({ names }: { names?: string[] | null }) =>
        f.options
          .filter((o) => !names || names.includes(o.name))
          .map((o) => ({ ...o, nameHTML: o.name, descriptionHTML: o.description })),
    };
  }
  if (f.dataType === "ITERATION") {
    // Iterations that ended before today are "completed"; the rest are current or upcoming.
    const today = new Date(ctx.clock.now()).toISOString().slice(0, 10);
    const endOf = (startDate: string, days: number) =>
      new Date(Date.parse(startDate) + days * 86_400_000).toISOString().slice(0, 10);
    const view = (it: SimField["iterations"][number]) => ({ ...it, titleHTML: it.title });
    return {
      ...base,
      __typename: "ProjectV2IterationField",
      configuration: {
        duration: f.iterations[0]?.duration ?? 14,
        startDay: 1,
        iterations: f.iterations.filter((it) => endOf(it.startDate, it.duration) > today).map(view),
        completedIterations: f.iterations.filter((it) => endOf(it.startDate, it.duration) <= today).map(view),
      },
    };
  }
  return { ...base, __typename: "ProjectV2Field" };
}

export function itemView(ctx: Ctx, p: SimProject, item: SimItem): View {
  const issue = item.issueId === null ? undefined : ctx.store.issues.get(item.issueId);
  const values = () => p.fields.map((f) => valueFor(ctx, p, item, f)).filter((v): v is View => v !== null);
  return {
    __typename: "ProjectV2Item",
    id: item.nodeId,
    databaseId: item.id,
    fullDatabaseId: String(item.id),
    type:
      item.contentType === "DraftIssue"
        ? "DRAFT_ISSUE"
        : item.contentType === "PullRequest"
          ? "PULL_REQUEST"
          : issue
            ? "ISSUE"
            : "REDACTED",
    isArchived: item.archivedAt !== null,
    createdAt: iso(item.createdAt),
    updatedAt: iso(item.updatedAt),
    creator: () => userView(ctx, ctx.store.userById(item.creatorId)),
    project: () => projectView(ctx, p),
    content: () => {
      if (issue) return issueView(ctx, issue);
      if (item.draft) {
        return {
          __typename: "DraftIssue",
          id: item.draft.nodeId,
          title: item.draft.title,
          body: item.draft.body,
          bodyText: item.draft.body,
          bodyHTML: item.draft.body,
          createdAt: iso(item.createdAt),
          updatedAt: iso(item.updatedAt),
          creator: () => userView(ctx, ctx.store.userById(item.creatorId)),
          assignees: (args: ConnectionArgs) => connection([], args, "assignees", (x) => x),
        };
      }
      return null;
    },
    fieldValues: (args: ConnectionArgs) => connection(values(), args, "fieldValues", (v) => v),
    fieldValueByName: ({ name }: { name: string }) => {
      const f = p.fields.find((x) => x.name === name);
      return f ? valueFor(ctx, p, item, f) : null;
    },
  };
}

export function projectView(ctx: Ctx, p: SimProject): View {
  const owner = ctx.store.userById(p.ownerId);
  const kind = owner.type === "Organization" ? "orgs" : "users";
  return {
    __typename: "ProjectV2",
    id: p.nodeId,
    databaseId: p.id,
    fullDatabaseId: String(p.id),
    number: p.number,
    title: p.title,
    shortDescription: p.shortDescription,
    readme: p.readme,
    public: p.public,
    closed: p.closed,
    closedAt: isoOrNull(p.closedAt),
    createdAt: iso(p.createdAt),
    updatedAt: iso(p.updatedAt),
    template: false,
    url: `${ctx.urls.html}/${kind}/${owner.login}/projects/${p.number}`,
    resourcePath: `/${kind}/${owner.login}/projects/${p.number}`,
    viewerCanUpdate: true,
    viewerCanClose: true,
    viewerCanReopen: true,
    owner: () => userView(ctx, owner),
    creator: () => userView(ctx, ctx.store.userById(p.creatorId)),
    fields: (args: ConnectionArgs) => connection(p.fields, args, "fields", (f) => fieldView(ctx, p, f)),
    field: ({ name }: { name: string }) => {
      const f = p.fields.find((x) => x.name === name);
      return f ? fieldView(ctx, p, f) : null;
    },
    items: (args: ConnectionArgs) =>
      connection([...p.items.values()], args, "items", (it) => itemView(ctx, p, it)),
  };
}
