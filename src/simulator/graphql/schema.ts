/** GitHub's public GraphQL schema from @octokit/graphql-schema, built once per process (about 100 ms). */
import { schema as published } from "@octokit/graphql-schema";
import { buildSchema, type GraphQLSchema } from "graphql";

let cached: GraphQLSchema | null = null;

export function githubSchema(): GraphQLSchema {
  // The published SDL repeats two EnterpriseOwnerInfo fields; GitHub's own server tolerates that, so we skip the
  // SDL validation step that rejects it (documents are still validated against the schema).
  cached ??= buildSchema(published.idl, { assumeValidSDL: true });
  return cached;
}
