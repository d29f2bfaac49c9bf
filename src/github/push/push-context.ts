import type { Fence } from "../../actors/fence.ts";
import type { Database } from "../../db/client.ts";
import type { GitHubApi } from "../github-api.ts";
import type { PolicyOverrides } from "./merge.ts";

export interface PushContext {
  db: Database;
  api: GitHubApi;
  fence: Fence;
  signal: AbortSignal;
  now: () => number;
  /** The login behind our credential (to recognise issues we created). */
  login(): Promise<string>;
  /** Field policies set for this deployment (SYNC_FIELD_POLICIES), over the defaults. */
  policies?: PolicyOverrides;
}
