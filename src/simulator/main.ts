/**
 * Standalone simulator: `bun run sim --port N --repos owner/a,owner/b --issues N --token T --seed S [--no-project]`.
 * Prints its base URL; the control API is under /_sim (docs/simulator.md).
 */
import { parseArgs } from "node:util";
import { startSimulator } from "./server.ts";

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    port: { type: "string", default: process.env.SIM_PORT ?? "4010" },
    host: { type: "string", default: "127.0.0.1" },
    repos: { type: "string", default: "octo-org/sandbox" },
    issues: { type: "string", default: "300" },
    token: { type: "string", multiple: true },
    seed: { type: "string", default: "1" },
    "no-project": { type: "boolean", default: false },
  },
  strict: true,
});

const tokens: Record<string, string> = {};
for (const t of values.token?.length ? values.token : ["sim-token"]) {
  // `--token T` or `--token T:login` to name the user behind it.
  const [token = "", login = "octocat"] = t.split(":");
  tokens[token] = login;
}

const running = await startSimulator({
  port: Number(values.port),
  hostname: values.host,
  seed: Number(values.seed),
  tokens,
});
const issues = Number(values.issues);
for (const full of values.repos
  .split(",")
  .map((s) => s.trim())
  .filter(Boolean)) {
  const [owner = "", name = ""] = full.split("/");
  running.sim.control.seedRepository({
    owner,
    name,
    issues,
    milestones: 5,
    labels: 10,
    project: !values["no-project"],
  });
}
console.log(running.url);
console.error(
  `github simulator listening on ${running.url} (repos: ${values.repos}; tokens: ${Object.keys(tokens).join(", ")}; control API: ${running.url}/_sim)`,
);

const shutdown = async () => {
  await running.stop();
  process.exit(0);
};
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
