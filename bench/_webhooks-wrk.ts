/**
 * wrk (C, event-driven: a few µs of CPU per request) as the load generator for bench/webhooks-throughput.ts,
 * so that on a 2-core machine the generator takes as little as possible from the servers it measures. Each
 * request is one of the signed example payloads, round-robin, with a fresh X-GitHub-Delivery. wrk runs for a
 * duration, not a count. Null when wrk is not installed (`apt-get install wrk`): the caller falls back to the
 * Bun generator.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface SignedPayload {
  event: string;
  body: string;
  signature: string;
}

export interface WrkResult {
  /** Responses received (wrk does not count the requests still in flight when the duration ends). */
  requests: number;
  ok: number;
  non2xx: number;
  errors: number;
  events_per_s: number;
  p50_ms: number;
  p99_ms: number;
  seconds: number;
  /** wrk's own CPU: it shares the machine with the server under test. */
  cpu_s: number;
}

// Delivery ids are unique per run (a nonce from the caller), per wrk thread and per request.
const SCRIPT = `
local payloads, counter, nonce, threads = {}, 0, "x", 0
function setup(thread)
  thread:set("thread_index", threads)
  threads = threads + 1
end
function init(args)
  nonce = args[1]
  local dir = args[2]
  for line in io.lines(dir .. "/index.txt") do
    local n, event, sig = line:match("(%d+) (%S+) (%S+)")
    local f = io.open(dir .. "/" .. n .. ".json", "rb")
    payloads[#payloads + 1] = { event = event, sig = sig, body = f:read("*a") }
    f:close()
  end
end
function request()
  counter = counter + 1
  local p = payloads[(counter % #payloads) + 1]
  return wrk.format("POST", nil, {
    ["Content-Type"] = "application/json",
    ["User-Agent"] = "GitHub-Hookshot/bench",
    ["X-GitHub-Event"] = p.event,
    ["X-GitHub-Delivery"] = string.format("%s-%d-%012x", nonce, thread_index, counter),
    ["X-GitHub-Hook-ID"] = "1",
    ["X-Hub-Signature-256"] = p.sig,
  }, p.body)
end
`;

export function wrkAvailable(): boolean {
  return Bun.which("wrk") !== null;
}

function toMs(value: string): number {
  const match = /^([\d.]+)(us|ms|s|m)$/.exec(value);
  if (!match) return Number.NaN;
  const n = Number(match[1]);
  return match[2] === "us" ? n / 1000 : match[2] === "ms" ? n : match[2] === "s" ? n * 1000 : n * 60_000;
}

export function parseWrkOutput(out: string): Omit<WrkResult, "cpu_s"> {
  const requests = Number(/(\d+) requests in ([\d.]+)(ms|s|m)/.exec(out)?.[1] ?? Number.NaN);
  const duration = /\d+ requests in ([\d.]+(?:ms|s|m))/.exec(out)?.[1];
  const seconds = duration ? toMs(duration) / 1000 : Number.NaN;
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const errors = socket ? socket.slice(1).reduce((n, v) => n + Number(v), 0) : 0;
  const percentile = (p: string) =>
    toMs(new RegExp(`\\s${p}%\\s+([\\d.]+(?:us|ms|s|m))`).exec(out)?.[1] ?? "");
  const ok = requests - non2xx;
  return {
    requests,
    ok,
    non2xx,
    errors,
    events_per_s: Math.round(ok / seconds),
    p50_ms: Number(percentile("50").toFixed(2)),
    p99_ms: Number(percentile("99").toFixed(2)),
    seconds: Number(seconds.toFixed(3)),
  };
}

/** Sends the payloads to `url` from `connections` keep-alive connections for `seconds`. */
export async function wrkLoad(
  url: string,
  payloads: readonly SignedPayload[],
  options: { connections: number; seconds: number; nonce: string },
): Promise<WrkResult> {
  const dir = mkdtempSync(join(tmpdir(), "gt-wrk-"));
  try {
    payloads.forEach((p, i) => {
      writeFileSync(join(dir, `${i}.json`), p.body);
    });
    writeFileSync(
      join(dir, "index.txt"),
      payloads.map((p, i) => `${i} ${p.event} ${p.signature}\n`).join(""),
    );
    writeFileSync(join(dir, "post.lua"), SCRIPT);
    const proc = Bun.spawn(
      [
        "wrk",
        "-t1",
        `-c${options.connections}`,
        `-d${options.seconds}s`,
        "--latency",
        "-s",
        join(dir, "post.lua"),
        url,
        "--",
        options.nonce,
        dir,
      ],
      { stdout: "pipe", stderr: "pipe" },
    );
    const out = await new Response(proc.stdout).text();
    if ((await proc.exited) !== 0) throw new Error(`wrk failed: ${await new Response(proc.stderr).text()}`);
    const usage = proc.resourceUsage();
    const cpu_s = usage ? Number(usage.cpuTime.total) / 1e6 : Number.NaN;
    return { ...parseWrkOutput(out), cpu_s: Number(cpu_s.toFixed(2)) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
