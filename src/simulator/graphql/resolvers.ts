/** Root query and mutation resolvers for Projects v2; writes go through domain/projects.ts (same events as REST). */
import type { Ctx } from "../context.ts";
import {
  addDraftItem,
  addItem,
  archiveItem,
  createProject,
  deleteItem,
  findField,
  findItem,
  linkRepository,
  ProjectError,
  setFieldValue,
  updateProject,
} from "../domain/projects.ts";
import type { FieldValue, SimProject } from "../types.ts";
import { TypedGraphQLError } from "./connection.ts";
import {
  issueView,
  itemView,
  labelView,
  milestoneView,
  notFound,
  projectView,
  repoView,
  userView,
} from "./views.ts";

export interface RateInfo {
  cost: number;
  nodeCount: number;
  limit: number;
  remaining: number;
  used: number;
  resetAt: string;
}

type Input = Record<string, unknown>;

function rethrow(e: unknown): never {
  if (e instanceof ProjectError) throw new TypedGraphQLError(e.message, e.type);
  throw e;
}

export function rootValue(ctx: Ctx, viewerId: number, rate: RateInfo): Record<string, unknown> {
  const store = ctx.store;
  const nodeView = (id: string): Record<string, unknown> | null => {
    const ref = store.nodes.get(id);
    if (!ref) return null;
    switch (ref.kind) {
      case "User":
      case "Organization": {
        const u = store.users.get(ref.id);
        return u ? userView(ctx, u) : null;
      }
      case "Repository": {
        const r = store.repos.get(ref.id);
        return r ? repoView(ctx, r) : null;
      }
      case "Issue":
      case "PullRequest": {
        const i = store.issues.get(ref.id);
        return i ? issueView(ctx, i) : null;
      }
      case "Label": {
        const l = store.labels.get(ref.id);
        return l ? labelView(ctx, l) : null;
      }
      case "Milestone": {
        const m = store.milestones.get(ref.id);
        return m ? milestoneView(ctx, m) : null;
      }
      case "ProjectV2": {
        const p = store.projects.get(ref.id);
        return p ? projectView(ctx, p) : null;
      }
      case "ProjectV2Item": {
        for (const p of store.projects.values()) {
          const it = p.items.get(ref.id);
          if (it) return itemView(ctx, p, it);
        }
        return null;
      }
      default:
        return null;
    }
  };
  const project = (id: unknown): SimProject => {
    const ref = typeof id === "string" ? store.nodes.get(id) : undefined;
    const p = ref?.kind === "ProjectV2" ? store.projects.get(ref.id) : undefined;
    if (!p)
      throw new TypedGraphQLError(
        `Could not resolve to a node with the global id of '${String(id)}'`,
        "NOT_FOUND",
      );
    return p;
  };
  const repository = (id: unknown) => {
    const ref = typeof id === "string" ? store.nodes.get(id) : undefined;
    const r = ref?.kind === "Repository" ? store.repos.get(ref.id) : undefined;
    if (!r)
      throw new TypedGraphQLError(
        `Could not resolve to a node with the global id of '${String(id)}'`,
        "NOT_FOUND",
      );
    return r;
  };
  const input = (args: { input?: Input }): Input => args.input ?? {};
  const mutationId = (i: Input) => (typeof i.clientMutationId === "string" ? i.clientMutationId : null);

  return {
    organization: ({ login }: { login: string }) => {
      const u = store.usersByLogin.get(login.toLowerCase());
      if (u?.type !== "Organization")
        throw notFound(`Could not resolve to an Organization with the login of '${login}'.`);
      return userView(ctx, u);
    },
    user: ({ login }: { login: string }) => {
      const u = store.usersByLogin.get(login.toLowerCase());
      if (!u || u.type === "Organization")
        throw notFound(`Could not resolve to a User with the login of '${login}'.`);
      return userView(ctx, u);
    },
    repositoryOwner: ({ login }: { login: string }) => {
      const u = store.usersByLogin.get(login.toLowerCase());
      return u ? userView(ctx, u) : null;
    },
    repository: ({ owner, name }: { owner: string; name: string }) => {
      const found = store.findRepo(owner, name);
      if (!found) throw notFound(`Could not resolve to a Repository with the name '${owner}/${name}'.`);
      return repoView(ctx, found.repo);
    },
    viewer: () => userView(ctx, store.userById(viewerId)),
    node: ({ id }: { id: string }) => nodeView(id),
    nodes: ({ ids }: { ids: string[] }) => ids.map(nodeView),
    rateLimit: () => rate,

    addProjectV2ItemById: (args: { input?: Input }) => {
      const i = input(args);
      try {
        const p = project(i.projectId);
        const item = addItem(ctx, p, viewerId, String(i.contentId));
        return { clientMutationId: mutationId(i), item: itemView(ctx, p, item) };
      } catch (e) {
        rethrow(e);
      }
    },
    addProjectV2DraftIssue: (args: { input?: Input }) => {
      const i = input(args);
      try {
        const p = project(i.projectId);
        const item = addDraftItem(
          ctx,
          p,
          viewerId,
          String(i.title ?? ""),
          typeof i.body === "string" ? i.body : "",
        );
        return { clientMutationId: mutationId(i), projectItem: itemView(ctx, p, item) };
      } catch (e) {
        rethrow(e);
      }
    },
    updateProjectV2ItemFieldValue: (args: { input?: Input }) => {
      const i = input(args);
      try {
        const p = project(i.projectId);
        const item = findItem(p, String(i.itemId));
        const field = findField(p, String(i.fieldId));
        const v = (i.value ?? {}) as Record<string, unknown>;
        const keys = Object.keys(v).filter((k) => v[k] !== null && v[k] !== undefined);
        if (keys.length !== 1) throw new ProjectError("Exactly one value must be given");
        setFieldValue(ctx, p, item, field, v as unknown as FieldValue, viewerId);
        return { clientMutationId: mutationId(i), projectV2Item: itemView(ctx, p, item) };
      } catch (e) {
        rethrow(e);
      }
    },
    clearProjectV2ItemFieldValue: (args: { input?: Input }) => {
      const i = input(args);
      try {
        const p = project(i.projectId);
        const item = findItem(p, String(i.itemId));
        setFieldValue(ctx, p, item, findField(p, String(i.fieldId)), null, viewerId);
        return { clientMutationId: mutationId(i), projectV2Item: itemView(ctx, p, item) };
      } catch (e) {
        rethrow(e);
      }
    },
    deleteProjectV2Item: (args: { input?: Input }) => {
      const i = input(args);
      try {
        const p = project(i.projectId);
        const item = findItem(p, String(i.itemId));
        deleteItem(ctx, p, item, viewerId);
        return { clientMutationId: mutationId(i), deletedItemId: item.nodeId };
      } catch (e) {
        rethrow(e);
      }
    },
    archiveProjectV2Item: (args: { input?: Input }) => {
      const i = input(args);
      try {
        const p = project(i.projectId);
        const item = archiveItem(ctx, p, findItem(p, String(i.itemId)), viewerId, true);
        return { clientMutationId: mutationId(i), item: itemView(ctx, p, item) };
      } catch (e) {
        rethrow(e);
      }
    },
    unarchiveProjectV2Item: (args: { input?: Input }) => {
      const i = input(args);
      try {
        const p = project(i.projectId);
        const item = archiveItem(ctx, p, findItem(p, String(i.itemId)), viewerId, false);
        return { clientMutationId: mutationId(i), item: itemView(ctx, p, item) };
      } catch (e) {
        rethrow(e);
      }
    },
    createProjectV2: (args: { input?: Input }) => {
      const i = input(args);
      const ref = typeof i.ownerId === "string" ? store.nodes.get(i.ownerId) : undefined;
      if (!ref || (ref.kind !== "Organization" && ref.kind !== "User")) {
        throw new TypedGraphQLError(
          `Could not resolve to a node with the global id of '${String(i.ownerId)}'`,
          "NOT_FOUND",
        );
      }
      // The repository is checked before anything is created: a refused link creates no project.
      const repo = i.repositoryId == null ? null : repository(i.repositoryId);
      if (repo && repo.ownerId !== ref.id) {
        throw new TypedGraphQLError(
          "The repository and the project must have the same owner",
          "UNPROCESSABLE",
        );
      }
      const p = createProject(ctx, ref.id, viewerId, String(i.title ?? ""));
      if (repo) linkRepository(ctx, p, repo.id);
      return { clientMutationId: mutationId(i), projectV2: projectView(ctx, p) };
    },
    linkProjectV2ToRepository: (args: { input?: Input }) => {
      const i = input(args);
      try {
        const p = project(i.projectId);
        const repo = repository(i.repositoryId);
        linkRepository(ctx, p, repo.id);
        return { clientMutationId: mutationId(i), repository: repoView(ctx, repo) };
      } catch (e) {
        rethrow(e);
      }
    },
    updateProjectV2: (args: { input?: Input }) => {
      const i = input(args);
      const p = project(i.projectId);
      updateProject(ctx, p, viewerId, {
        title: typeof i.title === "string" ? i.title : undefined,
        shortDescription: typeof i.shortDescription === "string" ? i.shortDescription : undefined,
        readme: typeof i.readme === "string" ? i.readme : undefined,
        public: typeof i.public === "boolean" ? i.public : undefined,
        closed: typeof i.closed === "boolean" ? i.closed : undefined,
      });
      return { clientMutationId: mutationId(i), projectV2: projectView(ctx, p) };
    },
  };
}
