/**
 * GraphQL mutations are writes to the request policy: spaced like REST writes (GitHub's one-second rule for
 * content creation), never retried; GraphQL queries are reads and are not spaced. Through a real Octokit, so
 * the options the hook sees are the ones @octokit/graphql builds.
 */
import { expect, test } from "bun:test";
import { Octokit } from "@octokit/core";
import { createRequestPolicy } from "../../src/github/request-policy.ts";

test("mutations wait for the write spacing, queries do not", async () => {
  let clock = 10_000;
  const waits: number[] = [];
  const policy = createRequestPolicy({
    writeSpacingMs: 1000,
    now: () => clock,
    sleep: async (ms) => {
      waits.push(ms);
      clock += ms;
    },
  });
  const client = new Octokit({
    request: { fetch: async () => Response.json({ data: { ok: true } }) },
  });
  client.hook.wrap("request", (request, options) =>
    policy(async (o) => request(o as Parameters<typeof request>[0]), options),
  );
  await client.graphql("mutation First { a: __typename }");
  await client.graphql("mutation Second { a: __typename }");
  expect(waits).toEqual([1000]);
  await client.graphql("query Read { __typename }");
  await client.graphql("query Read { __typename }");
  expect(waits).toEqual([1000]);
  clock += 400;
  await client.graphql("mutation Third { a: __typename }");
  expect(waits).toEqual([1000, 600]);
});
