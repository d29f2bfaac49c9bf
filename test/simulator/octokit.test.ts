/** Real Octokit clients work against the simulator unchanged, pointed at its base URL. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { App } from "@octokit/app";
import { Octokit } from "@octokit/core";
import { paginateRest } from "@octokit/plugin-paginate-rest";
import { type RunningSimulator, startSimulator } from "../../src/simulator/index.ts";
import { generateAppKeys } from "./support/app-keys.ts";

const PaginatingOctokit = Octokit.plugin(paginateRest);
let s: RunningSimulator;
let privateKey = "";

beforeAll(async () => {
  const keys = await generateAppKeys();
  privateKey = keys.privateKeyPem;
  s = await startSimulator({
    app: {
      id: 99,
      clientId: "Iv1.octo",
      slug: "octo-app",
      name: "Octo App",
      owner: "octo-org",
      publicKey: keys.publicKeyPem,
    },
  });
  s.sim.control.seedRepository({ owner: "octo-org", name: "sandbox", issues: 230, project: { items: 120 } });
  s.sim.control.installApp({ account: "octo-org" });
});

afterAll(() => s.stop());

describe("Octokit against the simulator", () => {
  test("@octokit/core with plugin-paginate-rest lists every issue through Link headers", async () => {
    const octokit = new PaginatingOctokit({ auth: "sim-token", baseUrl: s.url });
    const issues = await octokit.paginate("GET /repos/{owner}/{repo}/issues", {
      owner: "octo-org",
      repo: "sandbox",
      state: "all",
      per_page: 100,
    });
    expect(issues.length).toBe(230);
    const created = await octokit.request("POST /repos/{owner}/{repo}/issues", {
      owner: "octo-org",
      repo: "sandbox",
      title: "From Octokit",
      labels: ["bug"],
    });
    expect(created.status).toBe(201);
    const updated = await octokit.request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", {
      owner: "octo-org",
      repo: "sandbox",
      issue_number: created.data.number,
      state: "closed",
      state_reason: "not_planned",
    });
    expect(updated.data.state_reason).toBe("not_planned");
    const error = await octokit
      .request("GET /repos/{owner}/{repo}/issues/{issue_number}", {
        owner: "octo-org",
        repo: "sandbox",
        issue_number: 99999,
      })
      .catch((e: { status: number }) => e);
    expect((error as { status: number }).status).toBe(404);
  });

  test("octokit.graphql pages through a project's items with cursors", async () => {
    const octokit = new Octokit({ auth: "sim-token", baseUrl: s.url });
    type Page = {
      organization: {
        projectV2: {
          items: {
            pageInfo: { hasNextPage: boolean; endCursor: string | null };
            nodes: Array<{ id: string; content: { __typename: string } | null }>;
          };
        };
      };
    };
    const ids: string[] = [];
    let after: string | null = null;
    do {
      const page: Page = await octokit.graphql(
        `query($after: String) { organization(login: "octo-org") { projectV2(number: 1) {
          items(first: 50, after: $after) { pageInfo { hasNextPage endCursor } nodes { id content { __typename } } } } } }`,
        { after },
      );
      ids.push(...page.organization.projectV2.items.nodes.map((n) => n.id));
      after = page.organization.projectV2.items.pageInfo.hasNextPage
        ? page.organization.projectV2.items.pageInfo.endCursor
        : null;
    } while (after);
    expect(ids.length).toBe(122);
    expect(new Set(ids).size).toBe(122);
  });

  test("@octokit/app: JWT → installation token → installation Octokit", async () => {
    const app = new App({ appId: 99, privateKey, Octokit: Octokit.defaults({ baseUrl: s.url }) });
    const { data: installations } = await app.octokit.request("GET /app/installations");
    expect(installations.length).toBe(1);
    const installationOctokit = await app.getInstallationOctokit(installations[0]?.id ?? 0);
    const { data } = await installationOctokit.request("GET /installation/repositories");
    expect(data.repositories.map((r) => r.full_name)).toContain("octo-org/sandbox");
    const issue = await installationOctokit.request("GET /repos/{owner}/{repo}/issues/{issue_number}", {
      owner: "octo-org",
      repo: "sandbox",
      issue_number: 1,
    });
    expect(issue.status).toBe(200);
  });
});
