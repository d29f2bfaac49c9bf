/**
 * Projects v2 → rows, for the GraphQL pull and the projects_v2 / projects_v2_item webhooks. Pure functions, so
 * both paths write exactly the same thing.
 */
import type {
  IterationConfiguration,
  NewProject,
  ProjectContentType,
  ProjectFieldType,
  ProjectFieldValue,
  SingleSelectOption,
} from "../../db/schema.ts";
import type { GqlField, GqlFieldValue, GqlItem, GqlItemContent, GqlProject } from "../projects/queries.ts";

/** A github_project_fields row without its project (the write path adds it). */
export interface ProjectFieldRow {
  nodeId: string;
  name: string;
  dataType: ProjectFieldType;
  options: SingleSelectOption[] | null;
  configuration: IterationConfiguration | null;
  createdAt: Date;
  updatedAt: Date;
}

/** What GitHub says about an item apart from its field values (all a projects_v2_item webhook carries). */
export interface ProjectItemHeader {
  nodeId: string;
  githubId: number | null;
  contentType: ProjectContentType;
  contentNodeId: string | null;
  archived: boolean;
  creatorLogin: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A complete github_project_items row without its project; `issueId` is linked by the write path. */
export interface ProjectItemRow extends ProjectItemHeader {
  title: string | null;
  /** Keyed by field node id; a cleared value is absent. */
  fieldValues: Record<string, ProjectFieldValue>;
}

const date = (s: string) => new Date(s);
const dateOrNull = (s: string | null | undefined) => (s ? new Date(s) : null);

export function mapProject(node: GqlProject): NewProject {
  return {
    githubId: node.databaseId,
    nodeId: node.id,
    ownerLogin: node.owner.login ?? "",
    ownerType: node.owner.__typename === "User" ? "User" : "Organization",
    number: node.number,
    title: node.title,
    shortDescription: node.shortDescription,
    readme: node.readme,
    closed: node.closed,
    public: node.public,
    creatorLogin: node.creator?.login ?? null,
    url: node.url,
    createdAt: date(node.createdAt),
    updatedAt: date(node.updatedAt),
    closedAt: dateOrNull(node.closedAt),
  };
}

export function mapProjectField(node: GqlField): ProjectFieldRow {
  const configuration = node.configuration
    ? {
        duration: node.configuration.duration,
        startDay: node.configuration.startDay,
        iterations: node.configuration.iterations.map(iteration),
        completedIterations: node.configuration.completedIterations.map(iteration),
      }
    : null;
  return {
    nodeId: node.id,
    name: node.name,
    // Kept as GitHub sent it: a field type added after PROJECT_FIELD_TYPES was written must not break the pull.
    dataType: node.dataType as ProjectFieldType,
    options: node.options ? node.options.map((o) => ({ ...o })) : null,
    configuration,
    createdAt: date(node.createdAt),
    updatedAt: date(node.updatedAt),
  };
}

function iteration(it: { id: string; title: string; startDate: string; duration: number }) {
  return { id: it.id, title: it.title, startDate: it.startDate, duration: it.duration };
}

const CONTENT_TYPES: Record<GqlItem["type"], ProjectContentType> = {
  ISSUE: "Issue",
  PULL_REQUEST: "PullRequest",
  DRAFT_ISSUE: "DraftIssue",
  REDACTED: "Redacted",
};

export interface MappedItem {
  row: ProjectItemRow;
  /** True when GitHub had more field values than one page: the row is then incomplete and counted as failed. */
  truncated: boolean;
}

export function mapProjectItem(node: GqlItem): MappedItem {
  const content = node.content;
  const fieldValues: Record<string, ProjectFieldValue> = {};
  for (const value of node.fieldValues.nodes ?? []) {
    if (!value || !("field" in value)) continue;
    const fieldId = value.field?.id;
    const mapped = fieldId ? mapFieldValue(value, content) : null;
    if (fieldId && mapped) fieldValues[fieldId] = mapped;
  }
  return {
    row: {
      nodeId: node.id,
      githubId: node.databaseId,
      contentType: CONTENT_TYPES[node.type] ?? "Redacted",
      contentNodeId: content?.id ?? null,
      title: content?.title ?? null,
      fieldValues,
      archived: node.isArchived,
      creatorLogin: node.creator?.login ?? null,
      createdAt: date(node.createdAt),
      updatedAt: date(node.updatedAt),
    },
    truncated: node.fieldValues.pageInfo.hasNextPage,
  };
}

const logins = (c: GqlItemContent | null) =>
  (c?.assignees?.nodes ?? []).flatMap((u) => (u ? [u.login] : [])).sort();
const labelNames = (c: GqlItemContent | null) =>
  (c && "labels" in c ? (c.labels?.nodes ?? []) : []).flatMap((l) => (l ? [l.name] : [])).sort();

/** One GraphQL field value → the stored shape; labels and assignees come from the content (see queries.ts). */
export function mapFieldValue(
  value: GqlFieldValue,
  content: GqlItemContent | null,
): ProjectFieldValue | null {
  switch (value.__typename) {
    case "ProjectV2ItemFieldTextValue":
      return value.text === null ? null : { type: "TEXT", text: value.text };
    case "ProjectV2ItemFieldNumberValue":
      return value.number === null ? null : { type: "NUMBER", number: value.number };
    case "ProjectV2ItemFieldDateValue":
      return value.date === null ? null : { type: "DATE", date: value.date };
    case "ProjectV2ItemFieldSingleSelectValue":
      return value.optionId === null
        ? null
        : { type: "SINGLE_SELECT", optionId: value.optionId, name: value.name ?? "" };
    case "ProjectV2ItemFieldIterationValue":
      return {
        type: "ITERATION",
        iterationId: value.iterationId,
        title: value.title,
        startDate: value.startDate,
        duration: value.duration,
      };
    case "ProjectV2ItemFieldLabelValue":
      return { type: "LABELS", labels: labelNames(content) };
    case "ProjectV2ItemFieldUserValue":
      return { type: "ASSIGNEES", assignees: logins(content) };
    case "ProjectV2ItemFieldMilestoneValue":
      return { type: "MILESTONE", milestone: value.milestone?.title ?? null };
    case "ProjectV2ItemFieldRepositoryValue":
      return { type: "OTHER", value: { repository: value.repository?.nameWithOwner ?? null } };
    default:
      return null;
  }
}

// ---- Webhook payloads (projects_v2, projects_v2_item) ----

export interface WebhookProjectV2 {
  id: number;
  node_id: string;
  number: number;
  title: string;
  short_description: string | null;
  /** The project's README. */
  description: string | null;
  public: boolean;
  closed_at: string | null;
  created_at: string;
  updated_at: string;
  owner: { login: string; type?: string };
  creator?: { login: string } | null;
}

/** A projects_v2 payload → a project row. The payload has no URL: the write path keeps the stored one. */
export function mapWebhookProject(p: WebhookProjectV2): NewProject {
  return {
    githubId: p.id,
    nodeId: p.node_id,
    ownerLogin: p.owner.login,
    ownerType: p.owner.type === "User" ? "User" : "Organization",
    number: p.number,
    title: p.title,
    shortDescription: p.short_description,
    readme: p.description,
    closed: p.closed_at !== null,
    public: p.public,
    creatorLogin: p.creator?.login ?? null,
    url: null,
    createdAt: date(p.created_at),
    updatedAt: date(p.updated_at),
    closedAt: dateOrNull(p.closed_at),
  };
}

export interface WebhookProjectV2Item {
  id: number;
  node_id: string;
  project_node_id: string;
  content_node_id: string;
  content_type: string;
  creator?: { login: string } | null;
  created_at: string;
  updated_at: string;
  archived_at: string | null;
}

/** A projects_v2_item payload → the item's header (webhooks carry no field values; see mapWebhookFieldValue). */
export function mapWebhookProjectItem(
  item: WebhookProjectV2Item,
): ProjectItemHeader & { projectNodeId: string } {
  const known: readonly string[] = ["Issue", "PullRequest", "DraftIssue"];
  return {
    projectNodeId: item.project_node_id,
    nodeId: item.node_id,
    githubId: item.id,
    contentType: known.includes(item.content_type) ? (item.content_type as ProjectContentType) : "Redacted",
    contentNodeId: item.content_node_id || null,
    archived: item.archived_at !== null,
    creatorLogin: item.creator?.login ?? null,
    createdAt: date(item.created_at),
    updatedAt: date(item.updated_at),
  };
}

export interface WebhookFieldValueChange {
  field_node_id: string;
  field_type: string;
  /** Absent or null when the value was cleared. */
  to?: unknown;
}

/** `changes.field_value` of projects_v2_item.edited → the new value for `fieldNodeId` (null: cleared). */
export function mapWebhookFieldValue(change: WebhookFieldValueChange): {
  fieldNodeId: string;
  value: ProjectFieldValue | null;
} {
  const to = change.to as Record<string, unknown> | string | number | null | undefined;
  const value = ((): ProjectFieldValue | null => {
    if (to === null || to === undefined) return null;
    switch (change.field_type) {
      case "text":
        return { type: "TEXT", text: String(to) };
      case "number":
        return { type: "NUMBER", number: Number(to) };
      case "date":
        // GitHub sends a timestamp; the GraphQL value (and the stored one) is the date part.
        return { type: "DATE", date: String(to).slice(0, 10) };
      case "single_select":
        return typeof to === "object"
          ? { type: "SINGLE_SELECT", optionId: String(to.id), name: String(to.name ?? "") }
          : null;
      case "iteration":
        return typeof to === "object"
          ? {
              type: "ITERATION",
              iterationId: String(to.id),
              title: String(to.title ?? ""),
              startDate: String(to.start_date ?? ""),
              duration: Number(to.duration ?? 0),
            }
          : null;
      default:
        return { type: "OTHER", value: to };
    }
  })();
  return { fieldNodeId: change.field_node_id, value };
}
