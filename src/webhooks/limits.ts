/** The outside constraints webhook ingestion is built around (reference/github-api.md §6). */

/** GitHub does not deliver payloads over 25 MB, so anything larger is not GitHub and is refused unread. */
export const MAX_PAYLOAD_BYTES = 25 * 1024 * 1024;

/**
 * GitHub keeps failed deliveries redeliverable for 3 days; older ones cannot be asked for again, so the sweep
 * never looks further back (the incremental poll is the safety net beyond that).
 */
export const REDELIVERY_WINDOW_MS = 3 * 24 * 60 * 60 * 1000;

/** Events with no repository: applied per account (installation or organization), not by a repository actor. */
export const ACCOUNT_EVENTS = new Set([
  "installation",
  "installation_repositories",
  "projects_v2",
  "projects_v2_item",
]);

/** Events applied to a repository's mirror by its actor. */
export const REPOSITORY_EVENTS = new Set(["issues", "milestone", "label"]);

export const INSTALLATION_EVENTS = new Set(["installation", "installation_repositories"]);
export const PROJECT_EVENTS = new Set(["projects_v2", "projects_v2_item"]);
