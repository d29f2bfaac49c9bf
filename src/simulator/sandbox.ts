/** The sandbox: `octo-org/sandbox` seeded with a few hundred issues, labels, milestones and a project, hooked to the service. */
import type { SeedResult } from "./seed.ts";
import type { Simulator } from "./simulator.ts";

export interface SandboxOptions {
  /** Where webhook deliveries go (the service's webhook endpoint). */
  webhookUrl: string;
  webhookSecret: string;
  /** Default 300. */
  issues?: number;
}

export interface SandboxInfo extends SeedResult {
  owner: string;
  repo: string;
  repositoryHookId: number;
  organizationHookId: number;
}

export function seedSandbox(sim: Simulator, o: SandboxOptions): SandboxInfo {
  const seeded = sim.control.seedRepository({
    owner: "octo-org",
    name: "sandbox",
    issues: o.issues ?? 300,
    milestones: 5,
    labels: 10,
    project: { title: "Sandbox roadmap", items: 60 },
  });
  // Issues, labels and milestones come through the repository hook. Projects v2 events exist only for
  // organization (and app) hooks on GitHub, so a second, organization hook carries those.
  const repoHook = sim.control.addHook({
    owner: "octo-org",
    repo: "sandbox",
    url: o.webhookUrl,
    secret: o.webhookSecret,
    events: ["issues", "label", "milestone"],
  });
  const orgHook = sim.control.addHook({
    org: "octo-org",
    url: o.webhookUrl,
    secret: o.webhookSecret,
    events: ["projects_v2", "projects_v2_item"],
  });
  return {
    ...seeded,
    owner: "octo-org",
    repo: "sandbox",
    repositoryHookId: repoHook.id,
    organizationHookId: orgHook.id,
  };
}
