/**
 * Swagger (OpenAPI JSON at /swagger/json, Scalar UI at /swagger). @elysiajs/swagger loads Scalar from a CDN by
 * default; here the bundle is served from the installed @scalar/api-reference package so the page works with no
 * network, and Scalar's web fonts and telemetry are turned off so the page contacts no other host.
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { swagger } from "@elysiajs/swagger";
import { Elysia } from "elysia";
import type { VersionInfo } from "../../version.ts";

export const SCALAR_ASSET_PATH = "/swagger/assets/scalar.js";

function scalarBundlePath(): string {
  const require = createRequire(import.meta.url);
  const pkgJson = require.resolve("@scalar/api-reference/package.json");
  return join(dirname(pkgJson), "dist/browser/standalone.js");
}

export function docsRoutes(version: VersionInfo) {
  let bundle: Promise<Uint8Array<ArrayBuffer>> | null = null;
  return new Elysia()
    .use(
      swagger({
        path: "/swagger",
        scalarCDN: SCALAR_ASSET_PATH,
        // The AI agent and the developer toolbar call Scalar's hosted services; a self-hosted API page needs neither.
        scalarConfig: {
          withDefaultFonts: false,
          telemetry: false,
          showDeveloperTools: "never",
          agent: { disabled: true },
        } as Record<string, unknown>,
        exclude: [SCALAR_ASSET_PATH],
        documentation: {
          info: {
            title: "github-tracker API",
            version: version.version,
            description:
              "A Postgres mirror of GitHub issues, milestones, labels and Projects (v2), kept in two-way sync. " +
              "Reads are local; writes are queued and pushed to GitHub. Errors are application/problem+json.",
          },
          components: {
            securitySchemes: {
              bearer: {
                type: "http",
                scheme: "bearer",
                description:
                  "One of API_TOKENS. Every write needs it; reads too when API_TOKENS is set. In sandbox mode a token is generated and logged at start.",
              },
            },
          },
          tags: [
            { name: "issues", description: "Mirrored issues" },
            { name: "milestones", description: "Mirrored milestones" },
            { name: "labels", description: "Mirrored labels (read-only)" },
            { name: "projects", description: "Mirrored Projects (v2)" },
            { name: "repositories", description: "Tracked repositories and their leases" },
            { name: "health", description: "Health, readiness and version" },
          ],
        },
      }),
    )
    .get(
      SCALAR_ASSET_PATH,
      async () => {
        bundle ??= readFile(scalarBundlePath()).then((b) => new Uint8Array(b));
        return new Response(await bundle, {
          headers: {
            "content-type": "text/javascript; charset=utf-8",
            "cache-control": "public, max-age=86400",
          },
        });
      },
      { detail: { hide: true } },
    );
}
