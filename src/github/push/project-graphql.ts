/**
 * GraphQL for pushing Projects v2 (reference/github-api.md §7): the documents, their result shapes, and one
 * call wrapper that sorts GitHub's GraphQL failures the way the outbox needs them. Mutation documents start
 * with `mutation`, which is how the request policy recognises a write and spaces it like a REST write.
 */
import { RetryLaterError } from "../../actors/effects.ts";
import { classifyGraphqlError } from "../projects/graphql.ts";
import { type GqlItem, type GqlProject, ITEM_CORE, PROJECT_CORE } from "../projects/queries.ts";
import type { PushContext } from "./push-context.ts";

export const OWNER_QUERY = `query PushOwner($login: String!) {
  repositoryOwner(login: $login) { id }
}`;

/** Newest first, filtered by title: the few candidates a lost createProjectV2 response could have made. */
export const OWNER_PROJECTS_QUERY = `query PushOwnerProjects($login: String!, $title: String!) {
  repositoryOwner(login: $login) {
    ... on ProjectV2Owner {
      projectsV2(first: 100, query: $title, orderBy: { field: CREATED_AT, direction: DESC }) {
        nodes { ...ProjectCore }
      }
    }
  }
}
${PROJECT_CORE}`;

export const REPOSITORY_ID_QUERY = `query PushRepository($owner: String!, $name: String!) {
  repository(owner: $owner, name: $name) { id }
}`;

export const PROJECT_NODE_QUERY = `query PushProject($id: ID!) {
  node(id: $id) { __typename ...ProjectCore }
}
${PROJECT_CORE}`;

export const ITEM_NODE_QUERY = `query PushItem($id: ID!) {
  node(id: $id) { __typename ...ItemCore }
}
${ITEM_CORE}`;

export const CREATE_PROJECT = `mutation PushCreateProject($input: CreateProjectV2Input!) {
  createProjectV2(input: $input) { projectV2 { ...ProjectCore } }
}
${PROJECT_CORE}`;

export const UPDATE_PROJECT = `mutation PushUpdateProject($input: UpdateProjectV2Input!) {
  updateProjectV2(input: $input) { projectV2 { ...ProjectCore } }
}
${PROJECT_CORE}`;

export const ADD_ITEM = `mutation PushAddItem($projectId: ID!, $contentId: ID!) {
  addProjectV2ItemById(input: { projectId: $projectId, contentId: $contentId }) { item { ...ItemCore } }
}
${ITEM_CORE}`;

export const SET_FIELD_VALUE = `mutation PushSetFieldValue($projectId: ID!, $itemId: ID!, $fieldId: ID!, $value: ProjectV2FieldValue!) {
  updateProjectV2ItemFieldValue(input: { projectId: $projectId, itemId: $itemId, fieldId: $fieldId, value: $value }) {
    projectV2Item { ...ItemCore }
  }
}
${ITEM_CORE}`;

export const CLEAR_FIELD_VALUE = `mutation PushClearFieldValue($projectId: ID!, $itemId: ID!, $fieldId: ID!) {
  clearProjectV2ItemFieldValue(input: { projectId: $projectId, itemId: $itemId, fieldId: $fieldId }) {
    projectV2Item { ...ItemCore }
  }
}
${ITEM_CORE}`;

export interface OwnerResult {
  repositoryOwner: { id: string } | null;
}
export interface OwnerProjectsResult {
  repositoryOwner: { projectsV2?: { nodes: (GqlProject | null)[] | null } } | null;
}
export interface RepositoryIdResult {
  repository: { id: string } | null;
}
export interface ProjectNodeResult {
  node: ({ __typename: string } & Partial<GqlProject>) | null;
}
export interface ItemNodeResult {
  node: ({ __typename: string } & Partial<GqlItem>) | null;
}
export interface CreateProjectResult {
  createProjectV2: { projectV2: GqlProject | null } | null;
}
export interface UpdateProjectResult {
  updateProjectV2: { projectV2: GqlProject | null } | null;
}
export interface AddItemResult {
  addProjectV2ItemById: { item: GqlItem | null } | null;
}
export interface SetFieldValueResult {
  updateProjectV2ItemFieldValue: { projectV2Item: GqlItem | null } | null;
}
export interface ClearFieldValueResult {
  clearProjectV2ItemFieldValue: { projectV2Item: GqlItem | null } | null;
}

/**
 * GitHub refused the request for good. Carries status 422 so the push loop fails the entry (visibly, with
 * GitHub's message) instead of retrying something that can never succeed.
 */
export class GraphqlRefusedError extends Error {
  readonly status = 422;
}

/** GraphQL error types that no retry will change. */
const REFUSED = new Set(["NOT_FOUND", "UNPROCESSABLE", "FORBIDDEN", "INSUFFICIENT_SCOPES", "BAD_REQUEST"]);

export async function gql<T>(
  ctx: PushContext,
  query: string,
  variables: Record<string, unknown>,
): Promise<T> {
  try {
    return await ctx.api.graphql<T>(query, variables, ctx.signal);
  } catch (error) {
    // RATE_LIMITED arrives as HTTP 200 with errors[]: the actor backs off until the reset.
    const classified = classifyGraphqlError(error, ctx.now());
    if (classified instanceof RetryLaterError) throw classified;
    type Failure = { errors?: { type?: string; message?: string }[]; cause?: Failure };
    const failure = error as Failure;
    // Wrappers that add context keep GitHub's error as the cause.
    const errors = failure.errors ?? failure.cause?.errors ?? [];
    if (errors.length > 0 && errors.every((e) => REFUSED.has(e.type ?? ""))) {
      throw new GraphqlRefusedError(errors.map((e) => `${e.type}: ${e.message ?? ""}`).join("; "));
    }
    throw classified;
  }
}

/** The answer a mutation must carry; its absence is GitHub misbehaving, retried like a 5xx. */
export function required<T>(value: T | null | undefined, what: string): T {
  if (value === null || value === undefined) throw new Error(`GitHub returned no ${what}`);
  return value;
}
