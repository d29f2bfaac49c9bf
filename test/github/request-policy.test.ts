import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createGitHubClient } from "../../src/github/client.ts";
import { type RunningSimulator, startSimulator } from "../../src/simulator/index.ts";

describe("request policy", () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({ port: 0, hostname: "127.0.0.1" });
    sim.sim.control.seedRepository({ owner: "octo-org", name: "slow", issues: 3 });
  });
  afterAll(() => sim.stop());

  test("a request slower than the timeout is aborted (so a successor never races a request still in flight)", async () => {
    const client = createGitHubClient({
      baseUrl: sim.url,
      auth: { kind: "token", token: "sim-token" },
      requestTimeoutMs: 100,
      policy: { retries: 0 },
    });
    await expect(client.request("GET /repos/octo-org/slow")).resolves.toMatchObject({ status: 200 });
    sim.sim.control.injectFault({ route: "GET /repos/{owner}/{repo}", latencyMs: 1_000, times: 1 });
    const failure = await client.request("GET /repos/octo-org/slow").then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).not.toBeNull();
    expect(String((failure as Error).message)).toMatch(/abort|timeout|timed out/i);
  });

  test("reads failing with 502 are retried; writes never are", async () => {
    const client = createGitHubClient({
      baseUrl: sim.url,
      auth: { kind: "token", token: "sim-token" },
      policy: { retries: 2, retryBaseMs: 1 },
    });
    sim.sim.control.injectFault({
      route: "GET /repos/{owner}/{repo}",
      errorRate: 1,
      errorStatus: 502,
      times: 2,
    });
    await expect(client.request("GET /repos/octo-org/slow")).resolves.toMatchObject({ status: 200 });
    sim.sim.control.injectFault({
      route: "POST /repos/{owner}/{repo}/issues",
      errorRate: 1,
      errorStatus: 502,
      times: 1,
    });
    const before = sim.sim.control.counters().requestsByRoute["POST /repos/{owner}/{repo}/issues"] ?? 0;
    await expect(client.request("POST /repos/octo-org/slow/issues", { title: "once" })).rejects.toMatchObject(
      {
        status: 502,
      },
    );
    const after = sim.sim.control.counters().requestsByRoute["POST /repos/{owner}/{repo}/issues"] ?? 0;
    expect(after - before).toBe(1);
  });
});
