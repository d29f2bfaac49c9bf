import { describe, expect, test } from "bun:test";
import { mergeEntity, mergeField, mergeSet } from "../../src/github/push/merge.ts";

describe("three-way merge", () => {
  test("a field changed on one side takes that side", () => {
    expect(mergeField("a", "b", "a")).toEqual({ kind: "push", value: "b" });
    expect(mergeField("a", "a", "c")).toEqual({ kind: "unchanged" });
    expect(mergeField("a", "b", "b")).toEqual({ kind: "unchanged" });
  });

  test("both sides changed: the policy decides, manual by default", () => {
    expect(mergeField("a", "b", "c")).toEqual({ kind: "conflict", base: "a", local: "b", remote: "c" });
    expect(mergeField("a", "b", "c", { policy: "local_wins" })).toEqual({ kind: "push", value: "b" });
    expect(mergeField("a", "b", "c", { policy: "remote_wins" })).toEqual({ kind: "unchanged" });
  });

  test("labels merge as set deltas from both sides", () => {
    expect(mergeSet(["bug", "ui"], ["bug", "p1"], ["bug", "ui", "docs"])).toEqual(["bug", "docs", "p1"]);
    expect(mergeField(["a"], ["a", "b"], ["a", "b"], { set: true })).toEqual({ kind: "unchanged" });
    expect(mergeField(["a", "b"], ["a"], ["a", "b", "c"], { set: true })).toEqual({
      kind: "push",
      value: ["a", "c"],
    });
  });

  test("an issue edit: local title, remote body — both kept; both titles — a conflict", () => {
    const base = { title: "Old", body: "Body" };
    const remote = { title: "Old", body: "Edited on github.com", state: "open" };
    expect(mergeEntity("issue", base, { title: "New" }, remote)).toEqual({
      push: { title: "New" },
      conflicts: [],
    });
    const clash = mergeEntity("issue", base, { title: "Mine" }, { ...remote, title: "Theirs" });
    expect(clash.push).toEqual({});
    expect(clash.conflicts).toEqual([{ field: "title", base: "Old", local: "Mine", remote: "Theirs" }]);
  });

  test("a deployment's policy overrides the default for that field only", () => {
    const base = { title: "Old", body: "Old body" };
    const remote = { title: "Theirs", body: "Their body" };
    const result = mergeEntity("issue", base, { title: "Mine", body: "My body" }, remote, {
      issue: { title: "local_wins" },
    });
    expect(result.push).toEqual({ title: "Mine" });
    expect(result.conflicts.map((c) => c.field)).toEqual(["body"]);
  });

  test("state_reason travels with state", () => {
    const result = mergeEntity(
      "issue",
      { state: "open", state_reason: null },
      { state: "closed", state_reason: "not_planned" },
      { state: "closed", state_reason: "completed" },
    );
    expect(result.push).toEqual({ state: "closed", state_reason: "not_planned" });
  });
});
