/**
 * The GitHub simulator: a stateful GitHub for tests, benchmarks and the sandbox. Behaviour follows
 * ../shared/reference/github-api.md and is checked against @octokit/openapi and the webhook schemas.
 *
 * Exported API (stable names):
 * - `createSimulator(opts?: SimulatorOptions): Simulator` — in-process, web-standard:
 *     `sim.fetch(req: Request): Promise<Response>`; `sim.control` (same operations as `POST /_sim/{op}`:
 *     seedRepository, createIssue, editIssue, deleteIssue, transferIssue, create/edit/deleteLabel,
 *     create/edit/deleteMilestone, renameRepository, setIssuesEnabled, addProjectItem, setProjectFieldValue,
 *     archiveProjectItem, deleteProjectItem, editProject, setRateLimit, setSecondaryLimits, injectFault,
 *     clearFaults, setWebhookFaults, addHook, addToken, installApp, counters, resetCounters, reset);
 *     `sim.state` (read-only use: the Store); `sim.flushWebhooks(): Promise<void>`; `sim.setBaseUrl(url)`.
 * - `startSimulator(opts?: StartOptions): Promise<{ url: string; sim: Simulator; stop(): Promise<void> }>` —
 *     the same over HTTP (Bun.serve; port 0 by default).
 * - `seedSandbox(sim, { webhookUrl, webhookSecret, issues? }): SandboxInfo` — `octo-org/sandbox` with issues,
 *     milestones, labels, an organization project v2 with fields and items, and webhooks to the service.
 * - `manualClock(startMs?)` — an injectable clock for rate-limit windows and token expiry in tests.
 * - Default token `sim-token` (user `octocat`); control-API edits are made as `hubot` unless `as` is given.
 */

export type { AppConfig } from "./app-auth.ts";
export { type Clock, type ManualClock, manualClock, systemClock } from "./clock.ts";
export type { Control, ProjectRef, RepoRef } from "./control.ts";
export type { Counters, RouteFault, WebhookFaults } from "./faults.ts";
export { type SandboxInfo, type SandboxOptions, seedSandbox } from "./sandbox.ts";
export type { SeedRepositoryOptions, SeedResult } from "./seed.ts";
export { type RunningSimulator, type StartOptions, startSimulator } from "./server.ts";
export { createSimulator, type Simulator, type SimulatorOptions } from "./simulator.ts";
