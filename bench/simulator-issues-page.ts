/**
 * A 100-issue page served at 100k stored issues: the simulator's hot path (an incremental poll,
 * `state=all&sort=updated&direction=asc&since=…&per_page=100`) plus the default listing and a deep page.
 * Prints one JSON line of figures; never pass/fail.
 */
import { createSimulator } from "../src/simulator/index.ts";
import { startSimulator } from "../src/simulator/server.ts";

const ISSUES = 100_000;
const ROUNDS = 400;

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return Number((s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0).toFixed(3));
}

const limits = {
  secondary: { restPointsPerMinute: Number.MAX_SAFE_INTEGER },
  primary: { core: { limit: 1e9, windowSeconds: 3600 } },
};
const sim = createSimulator({ baseUrl: "http://sim.bench", rateLimits: limits });
const seedStart = performance.now();
sim.control.seedRepository({ owner: "octo-org", name: "big", issues: ISSUES, milestones: 10, labels: 12 });
const seedMs = performance.now() - seedStart;
const repo = sim.state.findRepo("octo-org", "big")?.repo;
const updated = repo?.byUpdated ?? [];
const H = { authorization: "token sim-token" };

async function measure(
  makeUrl: (i: number) => string,
  base = "http://sim.bench",
  fetcher = (r: Request) => sim.fetch(r),
) {
  const times: number[] = [];
  for (let i = 0; i < 20; i++)
    await (await fetcher(new Request(`${base}${makeUrl(i)}`, { headers: H }))).arrayBuffer();
  const start = performance.now();
  for (let i = 0; i < ROUNDS; i++) {
    const t = performance.now();
    const res = await fetcher(new Request(`${base}${makeUrl(i)}`, { headers: H }));
    const body = (await res.json()) as unknown[];
    times.push(performance.now() - t);
    if (res.status !== 200 || body.length !== 100)
      throw new Error(`unexpected page: ${res.status} ${body.length}`);
  }
  const total = performance.now() - start;
  return { p50_ms: pct(times, 50), p99_ms: pct(times, 99), pages_per_s: Math.round((ROUNDS / total) * 1000) };
}

// A since taken at a random point of history, as an incremental poll would send.
const sinceAt = (i: number) => {
  const issue = updated[Math.floor((((i * 7919) % 97) / 100) * (updated.length - 200))];
  return new Date(issue?.updatedAt ?? 0).toISOString().replace(/\.\d{3}Z$/, "Z");
};
const poll = (i: number) =>
  `/repos/octo-org/big/issues?state=all&sort=updated&direction=asc&per_page=100&since=${sinceAt(i)}`;

const inProcessPoll = await measure(poll);
const inProcessDefault = await measure(() => "/repos/octo-org/big/issues?per_page=100");
const inProcessDeep = await measure(
  (i) => `/repos/octo-org/big/issues?state=all&per_page=100&page=${500 + (i % 400)}`,
);

const running = await startSimulator({ rateLimits: limits, port: 0 });
running.sim.control.seedRepository({
  owner: "octo-org",
  name: "big",
  issues: ISSUES,
  milestones: 10,
  labels: 12,
});
const httpPoll = await measure(poll, running.url, (r) => fetch(r));
await running.stop();

console.log(
  JSON.stringify({
    bench: "simulator-issues-page",
    stored_issues: ISSUES,
    page_size: 100,
    seed_ms: Math.round(seedMs),
    in_process_since_poll: inProcessPoll,
    in_process_default_listing: inProcessDefault,
    in_process_deep_page: inProcessDeep,
    http_since_poll: httpPoll,
  }),
);
