/**
 * Project item field values as clients send them, checked against the project's fields and turned into
 * (a) the stored shape (ProjectFieldValue) and (b) the normalised value of GitHub's
 * `updateProjectV2ItemFieldValue` input (`{text}`, `{number}`, `{date}`, `{singleSelectOptionId}`,
 * `{iterationId}`; null clears), which the outbox patch and base carry.
 */
import type { ProjectField, ProjectFieldType, ProjectFieldValue } from "../../db/schema.ts";
import { invalidField, ProblemError } from "../problem.ts";

export type NormalisedValue =
  | { text: string }
  | { number: number }
  | { date: string }
  | { singleSelectOptionId: string }
  | { iterationId: string }
  | null;

export interface ResolvedValue {
  field: ProjectField;
  /** null clears the value. */
  stored: ProjectFieldValue | null;
  normalised: NormalisedValue;
}

/** The only types `updateProjectV2ItemFieldValue` accepts; the rest are derived from the content on GitHub. */
const WRITABLE: ReadonlySet<ProjectFieldType> = new Set([
  "TEXT",
  "NUMBER",
  "DATE",
  "SINGLE_SELECT",
  "ITERATION",
]);

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function isCalendarDate(value: string): boolean {
  const match = DATE.exec(value);
  if (!match) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

/** The normalised form of a stored value: what the base of a field-value edit records. */
export function normalise(value: ProjectFieldValue | undefined): NormalisedValue {
  switch (value?.type) {
    case "TEXT":
      return { text: value.text };
    case "NUMBER":
      return { number: value.number };
    case "DATE":
      return { date: value.date };
    case "SINGLE_SELECT":
      return { singleSelectOptionId: value.optionId };
    case "ITERATION":
      return { iterationId: value.iterationId };
    default:
      return null;
  }
}

/** By node id first (unambiguous), then by exact name, then by name ignoring case when only one matches. */
function findField(fields: readonly ProjectField[], key: string): ProjectField | undefined {
  const byId = fields.find((f) => f.nodeId === key);
  if (byId) return byId;
  const exact = fields.filter((f) => f.name === key);
  if (exact.length === 1) return exact[0];
  const folded = fields.filter((f) => f.name.toLowerCase() === key.toLowerCase());
  return folded.length === 1 ? folded[0] : undefined;
}

function single(value: unknown, key: "option" | "iteration"): string | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const entries = Object.entries(value);
  if (entries.length !== 1 || entries[0]?.[0] !== key || typeof entries[0][1] !== "string") return undefined;
  return entries[0][1];
}

function resolveOne(field: ProjectField, value: unknown, path: string): ResolvedValue {
  if (!WRITABLE.has(field.dataType)) {
    throw invalidField(path, `GitHub does not allow setting ${field.dataType} through the API`);
  }
  if (value === null) return { field, stored: null, normalised: null };
  switch (field.dataType) {
    case "TEXT":
      if (typeof value !== "string") throw invalidField(path, "expected text (a string) for a TEXT field");
      return { field, stored: { type: "TEXT", text: value }, normalised: { text: value } };
    case "NUMBER":
      if (typeof value !== "number" || !Number.isFinite(value))
        throw invalidField(path, "expected a number for a NUMBER field");
      return { field, stored: { type: "NUMBER", number: value }, normalised: { number: value } };
    case "DATE":
      if (typeof value !== "string" || !isCalendarDate(value))
        throw invalidField(path, "expected a date YYYY-MM-DD for a DATE field");
      return { field, stored: { type: "DATE", date: value }, normalised: { date: value } };
    case "SINGLE_SELECT": {
      const wanted = single(value, "option");
      if (wanted === undefined)
        throw invalidField(path, 'expected {"option": "<option name or id>"} for a SINGLE_SELECT field');
      const options = field.options ?? [];
      const option = options.find((o) => o.id === wanted) ?? options.find((o) => o.name === wanted);
      if (!option) {
        const names = options.map((o) => o.name).join(", ");
        throw invalidField(path, `unknown option "${wanted}"; options: ${names || "none"}`);
      }
      return {
        field,
        stored: { type: "SINGLE_SELECT", optionId: option.id, name: option.name },
        normalised: { singleSelectOptionId: option.id },
      };
    }
    case "ITERATION": {
      const wanted = single(value, "iteration");
      if (wanted === undefined)
        throw invalidField(path, 'expected {"iteration": "<iteration title or id>"} for an ITERATION field');
      const config = field.configuration;
      const all = [...(config?.iterations ?? []), ...(config?.completedIterations ?? [])];
      const it = all.find((i) => i.id === wanted) ?? all.find((i) => i.title === wanted);
      if (!it) {
        const titles = all.map((i) => i.title).join(", ");
        throw invalidField(path, `unknown iteration "${wanted}"; iterations: ${titles || "none"}`);
      }
      return {
        field,
        stored: {
          type: "ITERATION",
          iterationId: it.id,
          title: it.title,
          startDate: it.startDate,
          duration: it.duration,
        },
        normalised: { iterationId: it.id },
      };
    }
    default:
      throw invalidField(path, `GitHub does not allow setting ${field.dataType} through the API`);
  }
}

/** Every entry resolved, or a 422 naming the first bad one (`field_values.<key>`). */
export function resolveFieldValues(fields: readonly ProjectField[], input: Record<string, unknown>) {
  const entries = Object.entries(input);
  if (entries.length === 0) throw invalidField("field_values", "at least one field value is required");
  const resolved: ResolvedValue[] = [];
  const seen = new Map<string, string>();
  for (const [key, value] of entries) {
    const path = `field_values.${key}`;
    const field = findField(fields, key);
    if (!field) {
      const names = fields.map((f) => f.name).join(", ");
      throw invalidField(path, `unknown field; this project has: ${names || "no fields"}`);
    }
    const earlier = seen.get(field.nodeId);
    if (earlier !== undefined) {
      throw new ProblemError(422, `field_values names ${field.name} twice (${earlier} and ${key})`, {
        errors: [{ field: path, message: `same field as ${earlier}` }],
      });
    }
    seen.set(field.nodeId, key);
    resolved.push(resolveOne(field, value, path));
  }
  return resolved;
}
