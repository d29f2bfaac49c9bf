/**
 * The simulator's Projects v2 state, read from its store, in the mirror's row shape: what a complete pull must
 * have written. Values GitHub derives from the content (title, labels, assignees, milestone, repository) are
 * derived here the same way (src/simulator/graphql/views.ts).
 */
import { iso } from "../../../src/simulator/clock.ts";
import type { Simulator } from "../../../src/simulator/index.ts";
import type { SimField, SimItem, SimLabel, SimProject } from "../../../src/simulator/types.ts";

const at = (ms: number) => new Date(iso(ms));
const atOrNull = (ms: number | null) => (ms === null ? null : at(ms));

export function expectedProject(sim: Simulator, p: SimProject) {
  const s = sim.state;
  const owner = s.userById(p.ownerId);
  return {
    nodeId: p.nodeId,
    githubId: p.id,
    ownerLogin: owner.login,
    ownerType: owner.type === "User" ? "User" : "Organization",
    number: p.number,
    title: p.title,
    shortDescription: p.shortDescription,
    readme: p.readme,
    closed: p.closed,
    public: p.public,
    creatorLogin: s.userById(p.creatorId).login,
    createdAt: at(p.createdAt),
    updatedAt: at(p.updatedAt),
    closedAt: atOrNull(p.closedAt),
  };
}

/** Iterations that ended by the simulator's today are completed (its rule, like GitHub's). */
function configuration(f: SimField, nowMs: number) {
  const today = new Date(nowMs).toISOString().slice(0, 10);
  const end = (it: SimField["iterations"][number]) =>
    new Date(Date.parse(it.startDate) + it.duration * 86_400_000).toISOString().slice(0, 10);
  const view = (it: SimField["iterations"][number]) => ({
    id: it.id,
    title: it.title,
    startDate: it.startDate,
    duration: it.duration,
  });
  return {
    duration: f.iterations[0]?.duration ?? 14,
    startDay: 1,
    iterations: f.iterations.filter((it) => end(it) > today).map(view),
    completedIterations: f.iterations.filter((it) => end(it) <= today).map(view),
  };
}

export function expectedFields(p: SimProject, nowMs: number) {
  return p.fields.map((f) => ({
    nodeId: f.nodeId,
    name: f.name,
    dataType: f.dataType,
    options:
      f.dataType === "SINGLE_SELECT"
        ? f.options.map((o) => ({ id: o.id, name: o.name, color: o.color, description: o.description }))
        : null,
    configuration: f.dataType === "ITERATION" ? configuration(f, nowMs) : null,
    createdAt: at(f.createdAt),
    updatedAt: at(f.updatedAt),
    deletedAt: null,
  }));
}

function fieldValue(sim: Simulator, item: SimItem, f: SimField): unknown {
  const s = sim.state;
  const issue = item.issueId === null ? undefined : s.issues.get(item.issueId);
  switch (f.dataType) {
    case "TITLE":
      return { type: "TEXT", text: issue?.title ?? item.draft?.title ?? "" };
    case "ASSIGNEES":
      return issue?.assigneeIds.length
        ? { type: "ASSIGNEES", assignees: issue.assigneeIds.map((id) => s.userById(id).login).sort() }
        : undefined;
    case "LABELS": {
      const names = (issue?.labelIds ?? [])
        .map((id) => s.labels.get(id))
        .filter((l): l is SimLabel => !!l)
        .map((l) => l.name)
        .sort();
      return names.length ? { type: "LABELS", labels: names } : undefined;
    }
    case "MILESTONE": {
      const m = issue?.milestoneId == null ? undefined : s.milestones.get(issue.milestoneId);
      return m ? { type: "MILESTONE", milestone: m.title } : undefined;
    }
    case "REPOSITORY":
      return issue
        ? { type: "OTHER", value: { repository: s.fullName(s.repoById(issue.repoId)) } }
        : undefined;
    default: {
      const v = item.values.get(f.id);
      if (!v) return undefined;
      if ("text" in v) return { type: "TEXT", text: v.text };
      if ("number" in v) return { type: "NUMBER", number: v.number };
      if ("date" in v) return { type: "DATE", date: v.date };
      if ("singleSelectOptionId" in v) {
        const o = f.options.find((x) => x.id === v.singleSelectOptionId);
        return o ? { type: "SINGLE_SELECT", optionId: o.id, name: o.name } : undefined;
      }
      const it = f.iterations.find((x) => x.id === v.iterationId);
      return it
        ? {
            type: "ITERATION",
            iterationId: it.id,
            title: it.title,
            startDate: it.startDate,
            duration: it.duration,
          }
        : undefined;
    }
  }
}

/** Every item of the project; `issueIds` maps an issue node id to its mirrored row id. */
export function expectedItems(sim: Simulator, p: SimProject, issueIds: Map<string, string>) {
  const s = sim.state;
  return [...p.items.values()].map((item) => {
    const issue = item.issueId === null ? undefined : s.issues.get(item.issueId);
    const fieldValues: Record<string, unknown> = {};
    for (const f of p.fields) {
      const v = fieldValue(sim, item, f);
      if (v !== undefined) fieldValues[f.nodeId] = v;
    }
    const contentNodeId = issue?.nodeId ?? item.draft?.nodeId ?? null;
    return {
      nodeId: item.nodeId,
      githubId: item.id,
      contentType: item.contentType,
      contentNodeId,
      issueId: item.contentType === "Issue" && contentNodeId ? (issueIds.get(contentNodeId) ?? null) : null,
      title: issue?.title ?? item.draft?.title ?? null,
      fieldValues,
      archived: item.archivedAt !== null,
      creatorLogin: s.userById(item.creatorId).login,
      createdAt: at(item.createdAt),
      updatedAt: at(item.updatedAt),
      deletedAt: null,
    };
  });
}
