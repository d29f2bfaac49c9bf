/**
 * POST /graphql: parse, validate against GitHub's schema, charge the computed cost, execute. GitHub answers
 * HTTP 200 for validation errors and for RATE_LIMITED (reference §1), with `errors[]` in its shape.
 */
import {
  type DocumentNode,
  execute,
  type GraphQLError,
  Kind,
  type OperationDefinitionNode,
  parse,
  validate,
  visit,
} from "graphql";
import { iso } from "../clock.ts";
import { HttpError } from "../errors.ts";
import type { Reply, RouteContext, Router } from "../router.ts";
import type { Credential } from "../types.ts";
import { queryCost } from "./cost.ts";
import { rootValue } from "./resolvers.ts";
import { githubSchema } from "./schema.ts";

const MAX_NODES = 500_000;

/** GitHub's wording for the most common validation failure differs from graphql-js's. */
function githubMessage(e: GraphQLError): { message: string; extensions?: Record<string, unknown> } {
  const m = /^Cannot query field "(\w+)" on type "(\w+)"\./.exec(e.message);
  if (m) {
    return {
      message: `Field '${m[1]}' doesn't exist on type '${m[2]}'`,
      extensions: { code: "undefinedField", typeName: m[2], fieldName: m[1] },
    };
  }
  return { message: e.message };
}

function formatError(e: GraphQLError): Record<string, unknown> {
  const original = e.originalError as (Error & { type?: string }) | undefined;
  const type = (e as GraphQLError & { type?: string }).type ?? original?.type;
  return {
    ...(type ? { type } : {}),
    ...(e.path ? { path: e.path } : {}),
    ...(e.locations ? { locations: e.locations } : {}),
    message: original && !(original as { locations?: unknown }).locations ? original.message : e.message,
  };
}

/**
 * GitHub checks a classic token's scopes before running the query: any Projects v2 field needs `read:project`
 * (or `project`), and the whole query is refused with INSUFFICIENT_SCOPES.
 */
function missingProjectScope(cred: Credential, doc: DocumentNode): Record<string, unknown> | null {
  const scopes = cred.scopes;
  if (!scopes || scopes.includes("project") || scopes.includes("read:project")) return null;
  let field: string | null = null;
  visit(doc, {
    Field(node) {
      if (field === null && /^projects?V2|ProjectV2/.test(node.name.value)) field = node.name.value;
    },
  });
  if (field === null) return null;
  return {
    type: "INSUFFICIENT_SCOPES",
    locations: [],
    message: `Your token has not been granted the required scopes to execute this query. The '${field}' field requires one of the following scopes: ['read:project'], but your token has only been granted the: [${scopes.map((s) => `'${s}'`).join(", ")}] scopes. Please modify your token's scopes at: https://github.com/settings/tokens.`,
  };
}

function ok(body: unknown): Reply {
  return { status: 200, body, charged: true };
}

async function handle(rc: RouteContext): Promise<Reply> {
  const { core, cred } = rc;
  if (!cred.user && cred.kind !== "installation") {
    throw new HttpError(401, {
      message: "This endpoint requires you to be authenticated.",
      documentation_url:
        "https://docs.github.com/graphql/guides/forming-calls-with-graphql#authenticating-with-graphql",
    });
  }
  const body = (await rc.json()) as { query?: unknown; variables?: unknown; operationName?: unknown };
  if (typeof body?.query !== "string") {
    return ok({ errors: [{ message: "A query attribute must be specified and must be a string." }] });
  }
  let doc: DocumentNode;
  try {
    doc = parse(body.query);
  } catch (e) {
    const ge = e as GraphQLError;
    return ok({ errors: [{ message: ge.message, locations: ge.locations ?? [] }] });
  }
  const schema = githubSchema();
  const errors = validate(schema, doc);
  if (errors.length) {
    return ok({
      errors: errors.map((e) => {
        const g = githubMessage(e);
        return {
          path: ["query"],
          ...(g.extensions ? { extensions: g.extensions } : {}),
          locations: e.locations,
          message: g.message,
        };
      }),
    });
  }
  const variables = (body.variables && typeof body.variables === "object" ? body.variables : {}) as Record<
    string,
    unknown
  >;
  const opName = typeof body.operationName === "string" ? body.operationName : null;
  const ops = doc.definitions.filter(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  const op = (opName ? ops.find((o) => o.name?.value === opName) : ops[0]) ?? ops[0];
  if (!op) return ok({ errors: [{ message: "No operation given" }] });
  const missing = missingProjectScope(cred, doc);
  if (missing) return ok({ errors: [missing] });
  const { cost, nodeCount } = queryCost(doc, op, variables);
  if (nodeCount > MAX_NODES) {
    return ok({
      errors: [
        {
          type: "MAX_NODE_LIMIT_EXCEEDED",
          message: `This query requests up to ${nodeCount} possible nodes which exceeds the maximum limit of ${MAX_NODES}.`,
        },
      ],
    });
  }
  const limiter = core.limiter;
  // Secondary limits: a query costs 1 point, a mutation 5, against 2,000 per minute.
  limiter.assertPoints(cred.key, "graphql", op.operation === "mutation" ? 5 : 1, true);
  const bucket = limiter.bucket(cred.key, "graphql");
  if (limiter.remaining(bucket) < cost) {
    const who =
      cred.kind === "installation" ? `installation ID ${cred.installationId}` : `user ID ${cred.user?.id}`;
    return ok({
      errors: [
        {
          type: "RATE_LIMITED",
          code: "graphql_rate_limit",
          message: `API rate limit already exceeded for ${who}.`,
        },
      ],
    });
  }
  limiter.charge(cred.key, "graphql", cost);
  core.counters.ratePointsSpent += cost;
  const viewerId = cred.user?.id ?? 0;
  const rate = {
    cost,
    nodeCount,
    limit: bucket.limit,
    remaining: limiter.remaining(bucket),
    used: bucket.used,
    resetAt: iso(bucket.resetAt),
  };
  const result = await execute({
    schema,
    document: doc,
    rootValue: rootValue(core.ctx, viewerId, rate),
    variableValues: variables,
    operationName: opName,
  });
  const out: Record<string, unknown> = { data: result.data ?? null };
  if (result.errors?.length) out.errors = result.errors.map(formatError);
  return ok(out);
}

export function registerGraphqlRoute(router: Router): void {
  router.add("POST", "/graphql", handle, { resource: "graphql" });
}
