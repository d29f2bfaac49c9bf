/**
 * Three-way merge per field: base (what the local edit was made against), local (the edit), remote (GitHub
 * now). A field changed on one side only takes that side; equal values agree; labels and assignees merge as
 * set deltas; anything else is a conflict, settled by the field's policy (manual by default for text a person
 * wrote: title, body, descriptions).
 */

export type Policy = "remote_wins" | "local_wins" | "manual";

export type FieldOutcome =
  | { kind: "unchanged" } // nothing to send: GitHub already has the merged value
  | { kind: "push"; value: unknown } // send this value
  | { kind: "conflict"; base: unknown; local: unknown; remote: unknown };

/** Order-insensitive equality for the JSON values fields hold. */
export function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) return (a ?? null) === (b ?? null);
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return false;
    const sa = [...a].map((x) => JSON.stringify(x)).sort();
    const sb = [...b].map((x) => JSON.stringify(x)).sort();
    return sa.every((x, i) => x === sb[i]);
  }
  if (typeof a === "object" && typeof b === "object") return JSON.stringify(a) === JSON.stringify(b);
  return false;
}

/** remote + (local − base) − (base − local): both sides' additions and removals survive. */
export function mergeSet(base: string[], local: string[], remote: string[]): string[] {
  const added = local.filter((x) => !base.includes(x));
  const removed = base.filter((x) => !local.includes(x));
  const merged = new Set(remote);
  for (const x of added) merged.add(x);
  for (const x of removed) merged.delete(x);
  return [...merged].sort();
}

export function mergeField(
  base: unknown,
  local: unknown,
  remote: unknown,
  options: { set?: boolean; policy?: Policy } = {},
): FieldOutcome {
  if (options.set) {
    const merged = mergeSet(asList(base), asList(local), asList(remote));
    return same(merged, remote) ? { kind: "unchanged" } : { kind: "push", value: merged };
  }
  if (same(local, remote)) return { kind: "unchanged" };
  if (same(local, base)) return { kind: "unchanged" }; // only GitHub changed it: keep GitHub's
  if (same(remote, base)) return { kind: "push", value: local }; // only we changed it
  const policy = options.policy ?? "manual";
  if (policy === "local_wins") return { kind: "push", value: local };
  if (policy === "remote_wins") return { kind: "unchanged" };
  return { kind: "conflict", base, local, remote };
}

function asList(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}

/** Default policies; text someone wrote is never overwritten silently. */
export const FIELD_POLICIES: Record<string, Record<string, Policy>> = {
  issue: {
    title: "manual",
    body: "manual",
    state: "local_wins",
    state_reason: "local_wins",
    milestone: "local_wins",
  },
  milestone: { title: "manual", description: "manual", due_on: "local_wins", state: "local_wins" },
  label: { name: "manual", description: "manual", color: "local_wins" },
  project: {
    title: "manual",
    short_description: "manual",
    readme: "manual",
    public: "local_wins",
    closed: "local_wins",
  },
};

export const SET_FIELDS = new Set(["labels", "assignees"]);

export interface MergeResult {
  /** Fields to send to GitHub with their merged values. */
  push: Record<string, unknown>;
  conflicts: { field: string; base: unknown; local: unknown; remote: unknown }[];
}

/** Per-deployment overrides of FIELD_POLICIES: `{ issue: { title: "local_wins" } }` (SYNC_FIELD_POLICIES). */
export type PolicyOverrides = Record<string, Record<string, Policy>>;

export function mergeEntity(
  entityType: string,
  base: Record<string, unknown> | null,
  patch: Record<string, unknown>,
  remote: Record<string, unknown>,
  overrides: PolicyOverrides = {},
): MergeResult {
  const result: MergeResult = { push: {}, conflicts: [] };
  const policies = { ...FIELD_POLICIES[entityType], ...overrides[entityType] };
  for (const [field, local] of Object.entries(patch)) {
    const outcome = mergeField(base?.[field] ?? null, local, remote[field] ?? null, {
      set: SET_FIELDS.has(field),
      policy: policies[field] ?? "local_wins",
    });
    if (outcome.kind === "push") result.push[field] = outcome.value;
    else if (outcome.kind === "conflict") {
      result.conflicts.push({ field, base: outcome.base, local: outcome.local, remote: outcome.remote });
    }
  }
  // GitHub ignores state_reason unless state changes in the same request: send them together.
  if ("state_reason" in result.push && !("state" in result.push) && "state" in patch)
    result.push.state = patch.state;
  return result;
}
