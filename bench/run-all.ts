/**
 * `bun run bench`: runs every benchmark in bench/ one after another (they share two cores; in parallel they
 * would measure each other). Each prints one JSON line of figures; this runner only relays them.
 */
import { readdirSync } from "node:fs";

const dir = new URL(".", import.meta.url).pathname;
const only = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".ts") && f !== "run-all.ts" && !f.startsWith("_"))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();

let failed = 0;
for (const file of files) {
  const proc = Bun.spawn(["bun", "run", `${dir}${file}`], {
    stdout: "inherit",
    stderr: "inherit",
    env: process.env,
  });
  const code = await proc.exited;
  if (code !== 0) {
    failed++;
    console.error(JSON.stringify({ bench: file, error: `exited with ${code}` }));
  }
}
process.exit(failed > 0 ? 1 : 0);
