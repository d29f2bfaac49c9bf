/** Build identity for /version, resolved once at start. */
import { existsSync, readFileSync } from "node:fs";
import pkg from "../package.json" with { type: "json" };

export interface VersionInfo {
  name: string;
  version: string;
  commit: string | null;
  runtime: string;
}

/** GIT_COMMIT is baked in by the Dockerfile (no .git in the image); a checkout reads .git directly. */
function gitCommit(env: Record<string, string | undefined>): string | null {
  if (env.GIT_COMMIT) return env.GIT_COMMIT;
  try {
    const gitDir = new URL("../.git/", import.meta.url);
    const head = readFileSync(new URL("HEAD", gitDir), "utf8").trim();
    if (!head.startsWith("ref: ")) return head;
    const ref = head.slice(5);
    const refFile = new URL(ref, gitDir);
    if (existsSync(refFile)) return readFileSync(refFile, "utf8").trim();
    const packed = readFileSync(new URL("packed-refs", gitDir), "utf8");
    return (
      packed
        .split("\n")
        .find((line) => line.endsWith(` ${ref}`))
        ?.split(" ")[0] ?? null
    );
  } catch {
    return null;
  }
}

function runtime(): string {
  const bun = process.versions.bun;
  return bun ? `bun ${bun}` : `node ${process.versions.node}`;
}

export function readVersion(env: Record<string, string | undefined> = process.env): VersionInfo {
  return { name: pkg.name, version: pkg.version, commit: gitCommit(env), runtime: runtime() };
}
