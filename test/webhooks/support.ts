/** Shared pieces of the webhook tests: an app with secrets, signing, and GitHub's published example payloads. */
import { sign } from "@octokit/webhooks-methods";
import type { Runtime } from "../../src/actors/runtime.ts";
import { createApp } from "../../src/api/app.ts";
import type { DatabaseHandle } from "../../src/db/client.ts";
import { silentLogger } from "../../src/logger.ts";
import { readVersion } from "../../src/version.ts";
import { testConfig } from "../support/app.ts";

export const SECRET = "It's a Secret to Everybody";
export const OLD_SECRET = "the secret before rotation";

export interface Example {
  event: string;
  index: number;
  payload: Record<string, unknown>;
}

const EXAMPLES = new URL(
  "../../node_modules/@octokit/webhooks-examples/api.github.com/index.json",
  import.meta.url,
).pathname;

/** Every example GitHub published for these event types (@octokit/webhooks-examples). */
export async function examples(events: string[]): Promise<Example[]> {
  const index = (await Bun.file(EXAMPLES).json()) as { name: string; examples: Record<string, unknown>[] }[];
  return index
    .filter((e) => events.includes(e.name))
    .flatMap((e) => e.examples.map((payload, i) => ({ event: e.name, index: i, payload })));
}

export function webhookApp(
  database: DatabaseHandle,
  options: { env?: Record<string, string>; runtime?: Pick<Runtime, "wake"> } = {},
) {
  const config = testConfig({ GITHUB_WEBHOOK_SECRET: `${SECRET},${OLD_SECRET}`, ...options.env });
  return createApp(
    {
      db: database.db,
      database,
      config,
      log: silentLogger,
      ...(options.runtime ? { runtime: options.runtime as Runtime } : {}),
    },
    readVersion(),
  );
}

export interface Delivery {
  event: string;
  body: string;
  delivery?: string;
  secret?: string | null;
  headers?: Record<string, string>;
}

export async function deliveryRequest(url: string, d: Delivery): Promise<Request> {
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "user-agent": "GitHub-Hookshot/test",
    "x-github-event": d.event,
    "x-github-delivery": d.delivery ?? crypto.randomUUID(),
    "x-github-hook-id": "1",
  };
  if (d.secret !== null) headers["x-hub-signature-256"] = await sign(d.secret ?? SECRET, d.body);
  return new Request(url, { method: "POST", headers: { ...headers, ...d.headers }, body: d.body });
}

export const RECEIVER = "http://localhost/api/v1/webhooks/github";
