/**
 * Request bodies of the write endpoints, with GitHub's REST field names and limits, and the responses every
 * write may answer with (for Swagger).
 */
import { t } from "elysia";
import { ProblemModel, RepositoryName } from "./common.ts";

const Title = t.String({ minLength: 1, maxLength: 256, description: "1–256 characters" });
/** GitHub refuses issue and milestone bodies over 65,536 characters. */
const LongText = t.String({ maxLength: 65_536 });
const Labels = t.Array(t.String({ minLength: 1, maxLength: 50 }), {
  maxItems: 100,
  description: "Label names; replaces the set",
});
const Assignees = t.Array(t.String({ minLength: 1, maxLength: 39 }), {
  maxItems: 10,
  description: "Logins; replaces the set (GitHub allows 10)",
});
const MilestoneNumber = t.Nullable(
  t.Integer({ minimum: 1, description: "Milestone number in the repository; null removes it" }),
);
const OpenClosed = t.Union([t.Literal("open"), t.Literal("closed")]);
export const StateReason = t.Union(
  [t.Literal("completed"), t.Literal("not_planned"), t.Literal("duplicate"), t.Literal("reopened")],
  { description: "Only with state: reopened with open; completed, not_planned or duplicate with closed" },
);
/** No schema default: Elysia would fill it into the body and hide whether the query gave one. */
export const CloseReason = t.Union([t.Literal("completed"), t.Literal("not_planned")], {
  description: "completed when not given",
});

export const IssueCreateBody = t.Object({
  repository: RepositoryName,
  title: Title,
  body: t.Optional(LongText),
  labels: t.Optional(Labels),
  assignees: t.Optional(Assignees),
  milestone: t.Optional(MilestoneNumber),
});
export type IssueCreateInput = typeof IssueCreateBody.static;

export const IssueUpdateBody = t.Object({
  title: t.Optional(Title),
  body: t.Optional(t.Nullable(LongText)),
  state: t.Optional(OpenClosed),
  state_reason: t.Optional(StateReason),
  labels: t.Optional(Labels),
  assignees: t.Optional(Assignees),
  milestone: t.Optional(MilestoneNumber),
});
export type IssueUpdateInput = typeof IssueUpdateBody.static;

export const IssueCloseBody = t.Object({ state_reason: t.Optional(CloseReason) });
export const IssueCloseQuery = t.Object({ state_reason: t.Optional(CloseReason) });

const DueOn = t.Nullable(
  t.String({ format: "date-time", description: "ISO 8601 date-time; null removes the due date" }),
);

export const MilestoneCreateBody = t.Object({
  repository: RepositoryName,
  title: Title,
  description: t.Optional(t.Nullable(LongText)),
  due_on: t.Optional(DueOn),
  state: t.Optional(OpenClosed),
});
export type MilestoneCreateInput = typeof MilestoneCreateBody.static;

export const MilestoneUpdateBody = t.Object({
  title: t.Optional(Title),
  description: t.Optional(t.Nullable(LongText)),
  due_on: t.Optional(DueOn),
  state: t.Optional(OpenClosed),
});
export type MilestoneUpdateInput = typeof MilestoneUpdateBody.static;

/** GitHub's limits: names up to 50 characters, colours six hex digits (no #), descriptions up to 100. */
const LabelName = t.String({
  minLength: 1,
  maxLength: 50,
  description: "1–50 characters, unique per repository",
});
const LabelColor = t.String({
  pattern: "^[0-9a-fA-F]{6}$",
  description: "Six hex digits without #, e.g. d73a4a",
});
const LabelDescription = t.Nullable(t.String({ maxLength: 100, description: "Up to 100 characters" }));

export const LabelCreateBody = t.Object({
  repository: RepositoryName,
  name: LabelName,
  color: t.Optional(LabelColor),
  description: t.Optional(LabelDescription),
});
export type LabelCreateInput = typeof LabelCreateBody.static;

export const LabelUpdateBody = t.Object({
  name: t.Optional(LabelName),
  color: t.Optional(LabelColor),
  description: t.Optional(LabelDescription),
});
export type LabelUpdateInput = typeof LabelUpdateBody.static;

const Login = t.String({
  pattern: "^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$",
  description: "Organization or user login",
});

export const ProjectCreateBody = t.Object({
  owner: Login,
  title: Title,
  repository: t.Optional(RepositoryName),
});
export type ProjectCreateInput = typeof ProjectCreateBody.static;

export const ProjectUpdateBody = t.Object({
  title: t.Optional(Title),
  short_description: t.Optional(t.Nullable(t.String({ maxLength: 256 }))),
  readme: t.Optional(t.Nullable(LongText)),
  public: t.Optional(t.Boolean()),
  closed: t.Optional(t.Boolean()),
});
export type ProjectUpdateInput = typeof ProjectUpdateBody.static;

export const ProjectItemCreateBody = t.Object({
  issue_id: t.String({ format: "uuid", description: "A mirrored issue (it must already be on GitHub)" }),
});

/**
 * A value as a client sends it. Checked by hand against the field's type (src/api/writes/field-values.ts) so
 * the error names the field and says what its type takes, which a schema union cannot.
 */
export const FieldValueInput = t.Unknown({
  description:
    'TEXT: "text"; NUMBER: 3.5; DATE: "YYYY-MM-DD"; SINGLE_SELECT: {"option": "<name or id>"}; ' +
    'ITERATION: {"iteration": "<title or id>"}; null clears the value',
});

export const ProjectItemUpdateBody = t.Object({
  field_values: t.Record(t.String({ minLength: 1 }), FieldValueInput, {
    description: "Keyed by field node id or field name",
    examples: [{ Status: { option: "Done" }, Estimate: 3, "Due date": "2024-02-01", Notes: null }],
  }),
});

export const ItemParams = t.Object({
  id: t.String({ format: "uuid", description: "The project's id in this mirror" }),
  itemId: t.String({ format: "uuid", description: "The item's id in this mirror" }),
});

/** Every write answers 202 with the row, or one of these. */
export const writeErrors = {
  400: t.Object(ProblemModel.properties, { description: "Malformed JSON" }),
  401: t.Object(ProblemModel.properties, { description: "No or wrong bearer token" }),
  404: t.Object(ProblemModel.properties, { description: "Unknown id" }),
  409: t.Object(ProblemModel.properties, { description: "The row was deleted on GitHub" }),
  412: t.Object(ProblemModel.properties, { description: "If-Match does not match the row's ETag" }),
  413: t.Object(ProblemModel.properties, { description: "Body over 1 MB" }),
  422: t.Object(ProblemModel.properties, {
    description: "Invalid body field, or an untracked or disabled repository",
  }),
} as const;

/** Swagger: writes always need a token; reads only when API_TOKENS is set (hence the empty alternative). */
export const writeSecurity: Record<string, string[]>[] = [{ bearer: [] }];
export const readSecurity: Record<string, string[]>[] = [{ bearer: [] }, {}];

export const ifMatchDescription =
  'Optional If-Match: W/"<version>" (the ETag of the last GET); a stale one answers 412 and nothing is written.';
