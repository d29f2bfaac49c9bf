/** Start `bun start` as a separate process, the way a user runs it, and stop it again. */
import type { Subprocess } from "bun";
import { waitFor } from "./wait.ts";

export const ROOT = new URL("../..", import.meta.url).pathname;

export interface ServiceProcess {
  url: string;
  proc: Subprocess<"ignore", "pipe", "pipe">;
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number>;
}

async function freePort(): Promise<number> {
  const probe = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response() });
  const port = probe.port as number;
  await probe.stop(true);
  return port;
}

export async function startServiceProcess(env: Record<string, string>): Promise<ServiceProcess> {
  const port = await freePort();
  const proc = Bun.spawn(["bun", "run", "src/main.ts"], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "/root",
      HOST: "127.0.0.1",
      PORT: String(port),
      ...env,
    },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  let log = "";
  const collect = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) log += decoder.decode(chunk);
  };
  void collect(proc.stdout);
  void collect(proc.stderr);
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => {
      if (proc.exitCode !== null) return "exited";
      const res = await fetch(`${url}/health`).catch(() => null);
      return res?.status === 200 && "up";
    },
    { timeoutMs: 20_000, what: "the service to answer /health" },
  );
  if (proc.exitCode !== null) throw new Error(`service exited with ${proc.exitCode}:\n${log}`);
  return {
    url,
    proc,
    output: () => log,
    async stop(signal = "SIGTERM") {
      proc.kill(signal);
      return proc.exited;
    },
  };
}
