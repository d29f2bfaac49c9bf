/**
 * GitHub's GraphQL cost: add up the requests each connection needs (assume `first`/`last` is full), divide by
 * 100 and round; at least 1. Also counts nodes for the 500,000-node limit (reference §1).
 */
import {
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from "graphql";

function argValue(v: ValueNode, variables: Record<string, unknown>): number | null {
  if (v.kind === Kind.INT) return Number(v.value);
  if (v.kind === Kind.VARIABLE) {
    const x = variables[v.name.value];
    return typeof x === "number" ? x : null;
  }
  return null;
}

export function queryCost(
  doc: DocumentNode,
  op: OperationDefinitionNode,
  variables: Record<string, unknown>,
): { cost: number; nodeCount: number } {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of doc.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  let requests = 0;
  let nodes = 0;
  const walk = (set: SelectionSetNode | undefined, multiplier: number, seen: Set<string>) => {
    if (!set) return;
    for (const s of set.selections) {
      if (s.kind === Kind.FRAGMENT_SPREAD) {
        const f = fragments.get(s.name.value);
        if (f && !seen.has(f.name.value)) walk(f.selectionSet, multiplier, new Set([...seen, f.name.value]));
        continue;
      }
      if (s.kind === Kind.INLINE_FRAGMENT) {
        walk(s.selectionSet, multiplier, seen);
        continue;
      }
      const field = s as FieldNode;
      let size: number | null = null;
      for (const a of field.arguments ?? []) {
        if (a.name.value === "first" || a.name.value === "last") size = argValue(a.value, variables);
      }
      if (size !== null) {
        requests += multiplier;
        nodes += multiplier * size;
        walk(field.selectionSet, multiplier * Math.max(1, size), seen);
      } else {
        walk(field.selectionSet, multiplier, seen);
      }
    }
  };
  walk(op.selectionSet, 1, new Set());
  if (op.operation === "mutation") return { cost: 1, nodeCount: nodes };
  return { cost: Math.max(1, Math.round(requests / 100)), nodeCount: nodes };
}
