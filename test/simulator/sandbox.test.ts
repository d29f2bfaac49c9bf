/** The sandbox seeding used by `bun start` without GitHub credentials, and a standalone-style black-box check. */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { verify } from "@octokit/webhooks-methods";
import { type RunningSimulator, seedSandbox, startSimulator } from "../../src/simulator/index.ts";
import { type Listener, startListener } from "./support/listener.ts";

let s: RunningSimulator;
let listener: Listener;

beforeAll(async () => {
  listener = startListener();
  s = await startSimulator({ seed: 7 });
});

afterAll(async () => {
  await s.stop();
  await listener.stop();
});

test("seedSandbox: octo-org/sandbox with issues, milestones, labels, a project with fields and items, and hooks", async () => {
  const info = seedSandbox(s.sim, { webhookUrl: listener.url, webhookSecret: "sandbox-secret" });
  expect(info.fullName).toBe("octo-org/sandbox");
  const repo = s.sim.state.findRepo("octo-org", "sandbox")?.repo;
  expect(repo?.issues.size).toBe(300);
  expect(repo?.milestones.size).toBe(5);
  expect(repo?.labels.size).toBe(10);
  const project = s.sim.state.projects.get(info.project?.id ?? 0);
  expect(project?.fields.map((f) => f.dataType)).toEqual(
    expect.arrayContaining(["TEXT", "NUMBER", "DATE", "SINGLE_SELECT", "ITERATION"]),
  );
  expect(project?.items.size).toBe(62);
  // Seeding itself delivers nothing: it is pre-existing state.
  await s.sim.flushWebhooks();
  expect(listener.received.length).toBe(0);

  // A change through the control API over HTTP arrives signed at the listener.
  const res = await fetch(`${s.url}/_sim/editIssue`, {
    method: "POST",
    body: JSON.stringify({ owner: "octo-org", repo: "sandbox", number: 1, title: "Edited on github.com" }),
  });
  expect(res.status).toBe(200);
  await s.sim.flushWebhooks();
  const [delivery] = listener.received;
  expect(delivery?.headers["x-github-event"]).toBe("issues");
  expect(delivery?.headers["x-github-hook-id"]).toBe(String(info.repositoryHookId));
  expect(
    await verify("sandbox-secret", delivery?.body ?? "", delivery?.headers["x-hub-signature-256"] ?? ""),
  ).toBe(true);
  expect(JSON.parse(delivery?.body ?? "{}")).toMatchObject({
    action: "edited",
    changes: { title: {} },
    sender: { login: "hubot" },
  });
});

test("the same seed yields the same data", () => {
  const a = startSimulator({ seed: 7 });
  return a.then(async (other) => {
    seedSandbox(other.sim, { webhookUrl: listener.url, webhookSecret: "x" });
    const titles = (sim: RunningSimulator) =>
      [...(sim.sim.state.findRepo("octo-org", "sandbox")?.repo.issues.values() ?? [])]
        .slice(1, 50)
        .map((i) => [i.title, i.state, i.labelIds.length]);
    expect(titles(other)).toEqual(titles(s));
    await other.stop();
  });
});
