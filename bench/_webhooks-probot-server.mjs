/**
 * The baseline receiver for bench/webhooks-throughput.ts: Probot's createNodeMiddleware with a no-op app on
 * node:http (loopback). It verifies the signature and answers; it stores nothing. Prints its URL, then serves
 * until killed. With BASELINE=octokit it runs @octokit/webhooks' createNodeMiddleware instead.
 *
 * Plain JavaScript so that Node, Probot's own runtime, runs it as well as Bun: the bench measures both.
 */
import { generateKeyPairSync } from "node:crypto";
import { createServer } from "node:http";
import { createNodeMiddleware as octokitMiddleware, Webhooks } from "@octokit/webhooks";

const secret = process.env.WEBHOOK_SECRET ?? "";
const kind = process.env.BASELINE ?? "probot";

async function probotHandler() {
  const { createNodeMiddleware, createProbot } = await import("probot");
  const { privateKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
  const probot = createProbot({ overrides: { appId: 1, privateKey, secret, logLevel: "fatal" } });
  return createNodeMiddleware(
    (app) => {
      app.onAny(async () => {});
    },
    { probot, webhooksPath: "/api/github/webhooks" },
  );
}

const middleware =
  kind === "probot"
    ? await probotHandler()
    : octokitMiddleware(new Webhooks({ secret }), { path: "/api/github/webhooks" });

const server = createServer((req, res) => {
  void middleware(req, res, () => {
    res.writeHead(404);
    res.end();
  });
});
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  console.log(`http://127.0.0.1:${port}/api/github/webhooks`);
});
