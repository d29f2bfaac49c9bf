/** Folding a burst of local edits into one push: no field edit lost, each field merged against its first base. */
import { expect, test } from "bun:test";
import type { OutboxEntry } from "../../src/db/schema.ts";
import { fold } from "../../src/github/push/outbox-store.ts";

const entry = (id: number, patch: Record<string, unknown>, base: Record<string, unknown>): OutboxEntry => ({
  id,
  idempotencyKey: `00000000-0000-4000-8000-00000000000${id}`,
  repositoryId: "r",
  entityType: "project_item",
  entityId: "e",
  operation: "update",
  patch,
  base,
  status: "pending",
  attempts: 0,
  lastError: null,
  nextAttemptAt: null,
  createdBy: null,
  createdAt: new Date(0),
  completedAt: null,
});

test("project item field values fold per field, keeping the earliest base of each", () => {
  const first = entry(1, { field_values: { A: { text: "a1" } } }, { field_values: { A: null } });
  // The second edit names only B: under a key-by-key fold it would replace field_values and drop A's edit.
  const second = entry(2, { field_values: { B: { number: 2 } } }, { field_values: { B: { number: 1 } } });
  const folded = fold(first, [second]);
  expect(folded.patch).toEqual({ field_values: { A: { text: "a1" }, B: { number: 2 } } });
  expect(folded.base).toEqual({ field_values: { A: null, B: { number: 1 } } });
});

test("flat keys still fold as before: the last value, the first base", () => {
  const folded = fold(entry(1, { title: "x" }, { title: "o" }), [
    entry(2, { title: "y", body: "b" }, { title: "x", body: null }),
  ]);
  expect(folded.patch).toEqual({ title: "y", body: "b" });
  expect(folded.base).toEqual({ title: "o", body: null });
});
