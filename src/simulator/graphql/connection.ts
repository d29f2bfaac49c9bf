/** Relay connections with GitHub's pagination rules: `first`/`last` required, 1–100 (reference §1, §4). */
import { GraphQLError } from "graphql";

export interface ConnectionArgs {
  first?: number | null;
  last?: number | null;
  after?: string | null;
  before?: string | null;
}

export class TypedGraphQLError extends GraphQLError {
  constructor(
    message: string,
    readonly type: string,
  ) {
    super(message);
  }
}

function encode(i: number): string {
  return btoa(`cursor:v2:${i}`).replace(/=+$/, "");
}

function decode(c: string, what: string): number {
  let s = "";
  try {
    s = atob(c);
  } catch {
    s = "";
  }
  const m = /^cursor:v2:(\d+)$/.exec(s);
  if (!m)
    throw new TypedGraphQLError(`\`${c}\` does not appear to be a valid cursor.`, "INVALID_CURSOR_ARGUMENTS");
  void what;
  return Number(m[1]);
}

export function connection<T>(all: readonly T[], args: ConnectionArgs, name: string, map: (t: T) => unknown) {
  const { first, last } = args;
  if ((first === undefined || first === null) && (last === undefined || last === null)) {
    throw new TypedGraphQLError(
      `You must provide a \`first\` or \`last\` value to properly paginate the \`${name}\` connection.`,
      "MISSING_PAGINATION_BOUNDARIES",
    );
  }
  for (const [k, v] of [
    ["first", first],
    ["last", last],
  ] as const) {
    if (v === undefined || v === null) continue;
    if (v < 0 || v > 100) {
      throw new TypedGraphQLError(
        `Requesting ${v} records on the \`${name}\` connection exceeds the \`${k}\` limit of 100 records.`,
        "EXCESSIVE_PAGINATION",
      );
    }
  }
  let start = 0;
  let end = all.length;
  if (args.after) start = Math.min(all.length, decode(args.after, name) + 1);
  if (args.before) end = Math.max(start, Math.min(end, decode(args.before, name)));
  if (first !== undefined && first !== null) end = Math.min(end, start + first);
  if (last !== undefined && last !== null) start = Math.max(start, end - last);
  const slice = all.slice(start, end).map((t, i) => ({ cursor: encode(start + i), node: map(t) }));
  return {
    totalCount: all.length,
    nodes: slice.map((e) => e.node),
    edges: slice,
    pageInfo: {
      hasNextPage: end < all.length,
      hasPreviousPage: start > 0,
      startCursor: slice[0]?.cursor ?? null,
      endCursor: slice.at(-1)?.cursor ?? null,
    },
  };
}
