/**
 * GraphQL documents for Projects v2 (reference/github-api.md §7) and the shapes they return.
 *
 * Cost (§1: one request per connection per parent, assuming full pages, / 100, rounded, min 1):
 * - projects: projectsV2(first: 100) → 1 point.
 * - fields: fields(first: 100) → 1 point (options and iterations are lists, not connections).
 * - items: items(first: 100) → 1 + 100 fieldValues + 5 × 100 content connections = 601 → 6 points per 100 items.
 *   Labels and assignees are read from the item's content, not from the Label/User field values: nested under
 *   fieldValues they would cost 100 × (fields) requests each (≈ 40 points a page); the values are the same
 *   (GitHub derives those fields from the issue or pull request).
 * Node count of the items query: ≈ 33,000, far below the 500,000 limit.
 */

export const PROJECTS_PAGE_SIZE = 100;
export const FIELDS_PAGE_SIZE = 100;
export const ITEMS_PAGE_SIZE = 100;

const RATE_LIMIT = "rateLimit { cost remaining resetAt }";

/** A project's own fields (mapProject's input). */
export const PROJECT_CORE = `fragment ProjectCore on ProjectV2 {
  id databaseId number title shortDescription readme closed public url createdAt updatedAt closedAt
  creator { login }
  owner { __typename ... on Organization { login } ... on User { login } }
}`;

export const REPOSITORY_PROJECTS_QUERY = `query RepositoryProjects($owner: String!, $name: String!, $first: Int!, $after: String) {
  repository(owner: $owner, name: $name) {
    projectsV2(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes { ...ProjectCore }
    }
  }
  ${RATE_LIMIT}
}
${PROJECT_CORE}`;

export const PROJECT_FIELDS_QUERY = `query ProjectFields($id: ID!, $first: Int!, $after: String) {
  node(id: $id) {
    __typename
    ... on ProjectV2 {
      fields(first: $first, after: $after) {
        totalCount
        pageInfo { hasNextPage endCursor }
        nodes {
          __typename
          ... on ProjectV2FieldCommon { id databaseId name dataType createdAt updatedAt }
          ... on ProjectV2SingleSelectField { options { id name color description } }
          ... on ProjectV2IterationField {
            configuration {
              duration startDay
              iterations { id title startDate duration }
              completedIterations { id title startDate duration }
            }
          }
        }
      }
    }
  }
  ${RATE_LIMIT}
}`;

/** One item with its content and field values: what the pull stores, and what the push reads back. */
export const ITEM_CORE = `fragment ItemCore on ProjectV2Item {
  id databaseId type isArchived createdAt updatedAt
  creator { login }
  content {
    __typename
    ... on Issue {
      id databaseId number title repository { nameWithOwner }
      labels(first: 100) { nodes { name } }
      assignees(first: 10) { nodes { login } }
    }
    ... on PullRequest {
      id databaseId number title repository { nameWithOwner }
      labels(first: 100) { nodes { name } }
      assignees(first: 10) { nodes { login } }
    }
    ... on DraftIssue { id title assignees(first: 10) { nodes { login } } }
  }
  fieldValues(first: 100) {
    pageInfo { hasNextPage }
    nodes {
      __typename
      ... on ProjectV2ItemFieldTextValue { text field { ...FieldRef } }
      ... on ProjectV2ItemFieldNumberValue { number field { ...FieldRef } }
      ... on ProjectV2ItemFieldDateValue { date field { ...FieldRef } }
      ... on ProjectV2ItemFieldSingleSelectValue { optionId name field { ...FieldRef } }
      ... on ProjectV2ItemFieldIterationValue { iterationId title startDate duration field { ...FieldRef } }
      ... on ProjectV2ItemFieldLabelValue { field { ...FieldRef } }
      ... on ProjectV2ItemFieldUserValue { field { ...FieldRef } }
      ... on ProjectV2ItemFieldMilestoneValue { milestone { title } field { ...FieldRef } }
      ... on ProjectV2ItemFieldRepositoryValue { repository { nameWithOwner } field { ...FieldRef } }
    }
  }
}
fragment FieldRef on ProjectV2FieldConfiguration { ... on ProjectV2FieldCommon { id } }`;

export const PROJECT_ITEMS_QUERY = `query ProjectItems($id: ID!, $first: Int!, $after: String) {
  node(id: $id) {
    __typename
    ... on ProjectV2 {
      items(first: $first, after: $after) {
        totalCount
        pageInfo { hasNextPage endCursor }
        nodes { ...ItemCore }
      }
    }
  }
  ${RATE_LIMIT}
}
${ITEM_CORE}`;

// ---- Result shapes (only what the documents above select) ----

export interface RateLimitInfo {
  cost: number;
  remaining: number;
  resetAt: string;
}

export interface PageInfo {
  hasNextPage: boolean;
  endCursor: string | null;
}

export interface Connection<T> {
  totalCount: number;
  pageInfo: PageInfo;
  nodes: (T | null)[] | null;
}

export interface GqlProject {
  id: string;
  databaseId: number | null;
  number: number;
  title: string;
  shortDescription: string | null;
  readme: string | null;
  closed: boolean;
  public: boolean;
  url: string;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  creator: { login: string } | null;
  owner: { __typename: string; login?: string };
}

export interface GqlIteration {
  id: string;
  title: string;
  startDate: string;
  duration: number;
}

export interface GqlField {
  __typename: "ProjectV2Field" | "ProjectV2SingleSelectField" | "ProjectV2IterationField";
  id: string;
  databaseId: number | null;
  name: string;
  dataType: string;
  createdAt: string;
  updatedAt: string;
  options?: { id: string; name: string; color: string; description: string }[];
  configuration?: {
    duration: number;
    startDay: number;
    iterations: GqlIteration[];
    completedIterations: GqlIteration[];
  };
}

type FieldRef = { field: { id?: string } | null };
type Logins = { nodes: ({ login: string } | null)[] | null } | null;
type Names = { nodes: ({ name: string } | null)[] | null } | null;

export type GqlFieldValue =
  | ({ __typename: "ProjectV2ItemFieldTextValue"; text: string | null } & FieldRef)
  | ({ __typename: "ProjectV2ItemFieldNumberValue"; number: number | null } & FieldRef)
  | ({ __typename: "ProjectV2ItemFieldDateValue"; date: string | null } & FieldRef)
  | ({
      __typename: "ProjectV2ItemFieldSingleSelectValue";
      optionId: string | null;
      name: string | null;
    } & FieldRef)
  | ({ __typename: "ProjectV2ItemFieldIterationValue" } & GqlIteration & { iterationId: string } & FieldRef)
  | ({ __typename: "ProjectV2ItemFieldLabelValue" } & FieldRef)
  | ({ __typename: "ProjectV2ItemFieldUserValue" } & FieldRef)
  | ({ __typename: "ProjectV2ItemFieldMilestoneValue"; milestone: { title: string } | null } & FieldRef)
  | ({
      __typename: "ProjectV2ItemFieldRepositoryValue";
      repository: { nameWithOwner: string } | null;
    } & FieldRef)
  /** Types the document does not select (linked pull requests, reviewers): only the type name comes back. */
  | { __typename: "ProjectV2ItemFieldPullRequestValue" | "ProjectV2ItemFieldReviewerValue" };

export type GqlItemContent =
  | {
      __typename: "Issue" | "PullRequest";
      id: string;
      databaseId: number | null;
      number: number;
      title: string;
      repository: { nameWithOwner: string };
      labels: Names;
      assignees: Logins;
    }
  | { __typename: "DraftIssue"; id: string; title: string; assignees: Logins };

export interface GqlItem {
  id: string;
  databaseId: number | null;
  type: "ISSUE" | "PULL_REQUEST" | "DRAFT_ISSUE" | "REDACTED";
  isArchived: boolean;
  createdAt: string;
  updatedAt: string;
  creator: { login: string } | null;
  content: GqlItemContent | null;
  fieldValues: { pageInfo: { hasNextPage: boolean }; nodes: (GqlFieldValue | null)[] | null };
}

export interface RepositoryProjectsResult {
  repository: { projectsV2: Connection<GqlProject> } | null;
  rateLimit: RateLimitInfo | null;
}

export interface ProjectFieldsResult {
  node: { __typename: string; fields?: Connection<GqlField> } | null;
  rateLimit: RateLimitInfo | null;
}

export interface ProjectItemsResult {
  node: { __typename: string; items?: Connection<GqlItem> } | null;
  rateLimit: RateLimitInfo | null;
}
