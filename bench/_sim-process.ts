/**
 * The simulator in a process of its own for benchmarks: GitHub is remote, and in-process it would share the
 * event loop (and the RSS) of what is being measured. Driven through its HTTP control API.
 */
export interface SimProcess {
  url: string;
  control<T>(op: string, body: unknown): Promise<T>;
  counters(): Promise<{ requests: number; points: number }>;
  stop(): void;
}

export async function startSimProcess(): Promise<SimProcess> {
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const proc = Bun.spawn(
    ["bun", "run", new URL("../src/simulator/main.ts", import.meta.url).pathname, "--port", String(port)],
    {
      stdout: "ignore",
      stderr: "inherit",
    },
  );
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    const up = await fetch(`${url}/_sim/counters`)
      .then((r) => r.ok)
      .catch(() => false);
    if (up) break;
    if (i > 200) throw new Error("simulator did not start");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url,
    async control<T>(op: string, body: unknown) {
      const res = await fetch(`${url}/_sim/${op}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      if (!res.ok) throw new Error(`simulator ${op}: ${res.status} ${await res.text()}`);
      return (await res.json()) as T;
    },
    async counters() {
      const c = (await (await fetch(`${url}/_sim/counters`)).json()) as {
        requestsByRoute: Record<string, number>;
        ratePointsSpent: number;
      };
      return {
        requests: Object.values(c.requestsByRoute).reduce((a, b) => a + b, 0),
        points: c.ratePointsSpent,
      };
    },
    stop: () => proc.kill(),
  };
}
