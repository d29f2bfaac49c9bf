/**
 * The load generator for bench/webhooks-throughput.ts, in its own process so it does not share an event loop
 * with the server it measures. Reads {url, payloads, connections, amount, rate?} as JSON from stdin and sends
 * `amount` signed payloads round-robin from `connections` concurrent keep-alive loops, each request with a
 * fresh X-GitHub-Delivery; with `rate`, requests start on a fixed schedule (open loop) instead of back to back.
 * Latency is measured per request with performance.now(). Prints one JSON line.
 */

export {};

interface Payload {
  event: string;
  body: string;
  signature: string;
}

const input = JSON.parse(await Bun.stdin.text()) as {
  url: string;
  payloads: Payload[];
  connections: number;
  amount: number;
  rate?: number;
};

const latencies: number[] = [];
let ok = 0;
let non2xx = 0;
let errors = 0;
let next = 0;
const started = performance.now();
const cpu0 = process.cpuUsage();

async function send(i: number): Promise<void> {
  const p = input.payloads[i % input.payloads.length]!;
  const t0 = performance.now();
  try {
    const res = await fetch(input.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "user-agent": "GitHub-Hookshot/bench",
        "x-github-event": p.event,
        "x-github-delivery": crypto.randomUUID(),
        "x-github-hook-id": "1",
        "x-hub-signature-256": p.signature,
      },
      body: p.body,
    });
    await res.arrayBuffer();
    if (res.status >= 200 && res.status < 300) ok++;
    else non2xx++;
  } catch {
    errors++;
  }
  latencies.push(performance.now() - t0);
}

async function connection(): Promise<void> {
  for (;;) {
    const i = next++;
    if (i >= input.amount) return;
    if (input.rate) {
      // Open loop: request i starts at its slot, however long earlier ones took.
      const due = started + (i * 1000) / input.rate;
      const wait = due - performance.now();
      if (wait > 0) await Bun.sleep(wait);
    }
    await send(i);
  }
}

await Promise.all(Array.from({ length: input.connections }, connection));
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpu0);
latencies.sort((a, b) => a - b);
const pct = (q: number) =>
  Number((latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0).toFixed(2));

console.log(
  JSON.stringify({
    requests: latencies.length,
    ok,
    non2xx,
    errors,
    seconds: Number(seconds.toFixed(3)),
    events_per_s: Math.round(ok / seconds),
    p50_ms: pct(0.5),
    p99_ms: pct(0.99),
    // The generator's own CPU: it shares the machine with the server under test.
    cpu_s: Number(((cpu.user + cpu.system) / 1e6).toFixed(2)),
  }),
);
