/**
 * The Drizzle schema: the single source of truth for row types, migrations and API models.
 * Deviations from the seed design and their reasons: docs/schema-deviations.md.
 */
import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  boolean,
  check,
  customType,
  index,
  integer,
  jsonb,
  pgSequence,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";

/** GitHub database ids passed 2^31 long ago; `mode: "number"` is exact up to 2^53. */
const githubId = (name: string) => bigint(name, { mode: "number" });
const ts = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });
/**
 * A JSON document stored as `text`: reads parse it, writes stringify it. For webhook payloads, written on the hot
 * path (as raw text, by the receiver) and read back once: parsing ~10 KB into jsonb on insert cost Postgres more
 * than the rest of the insert. Query one with `payload::jsonb`.
 */
const jsonText = <T>(name: string) =>
  customType<{ data: T; driverData: string }>({
    dataType: () => "text",
    toDriver: (value) => JSON.stringify(value),
    fromDriver: (value) => JSON.parse(value) as T,
  })(name);
const createdAt = () => ts("created_at").notNull().defaultNow();

/** Local sync state of a mirrored row: `pending` while an outbox entry for it is unpushed. */
export const SYNC_STATES = ["synced", "pending", "conflicted", "failed"] as const;
export type SyncState = (typeof SYNC_STATES)[number];

/** Columns every mirrored entity carries: sync bookkeeping and the optimistic-concurrency version (ETag). */
const syncColumns = () => ({
  syncState: text("sync_state").$type<SyncState>().notNull().default("synced"),
  /** Increments on every local or remote change; exposed as the row's ETag for If-Match. */
  syncVersion: integer("sync_version").notNull().default(1),
  syncedAt: ts("synced_at").defaultNow(),
  /** Tombstone: set when GitHub confirms deletion (webhook, 404 or 410); rows are never hard-deleted. */
  deletedAt: ts("deleted_at"),
  metadata: jsonb("metadata").$type<Record<string, unknown>>().notNull().default({}),
});

export const repositories = pgTable(
  "repositories",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /** `owner/name`, lower-cased: GitHub treats names case-insensitively. */
    fullName: text("full_name").notNull(),
    owner: text("owner").notNull(),
    name: text("name").notNull(),
    githubId: githubId("github_id"),
    nodeId: text("node_id"),
    installationId: githubId("installation_id"),
    enabled: boolean("enabled").notNull().default(true),
    /** Fencing token: incremented on every lease grant; every write for the repository checks it. */
    leaseEpoch: bigint("lease_epoch", { mode: "number" }).notNull().default(0),
    leaseHolder: text("lease_holder"),
    leaseUntil: ts("lease_until"),
    /** High-water marks for incremental pulls (`since` = mark minus an overlap). */
    issuesSyncedThrough: ts("issues_synced_through"),
    milestonesSyncedThrough: ts("milestones_synced_through"),
    labelsSyncedAt: ts("labels_synced_at"),
    projectsSyncedAt: ts("projects_synced_at"),
    lastFullSyncAt: ts("last_full_sync_at"),
    lastReconcileAt: ts("last_reconcile_at"),
    /** Last sweep of failed webhook deliveries for this repository's hooks. */
    deliveriesSweptAt: ts("deliveries_swept_at"),
    createdAt: createdAt(),
    updatedAt: ts("updated_at").notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("repositories_full_name_key").on(t.fullName),
    uniqueIndex("repositories_github_id_key").on(t.githubId),
  ],
);

export const githubLabels = pgTable(
  "github_labels",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    githubId: githubId("github_id"),
    nodeId: text("node_id"),
    repositoryId: uuid("repository_id")
      .notNull()
      .references(() => repositories.id, { onDelete: "cascade" }),
    repositoryFullName: text("repository_full_name").notNull(),
    name: text("name").notNull(),
    /** Six hex digits without `#`, as GitHub stores it. */
    color: text("color").notNull(),
    description: text("description"),
    isDefault: boolean("is_default").notNull().default(false),
    ...syncColumns(),
  },
  (t) => [
    uniqueIndex("github_labels_github_id_key").on(t.githubId),
    uniqueIndex("github_labels_repo_name_key").on(t.repositoryId, t.name),
  ],
);

export const githubMilestones = pgTable(
  "github_milestones",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    githubId: githubId("github_id"),
    nodeId: text("node_id"),
    repositoryId: uuid("repository_id")
      .notNull()
      .references(() => repositories.id, { onDelete: "cascade" }),
    repositoryFullName: text("repository_full_name").notNull(),
    /** Null until a locally created milestone reaches GitHub. */
    number: integer("number"),
    title: text("title").notNull(),
    description: text("description"),
    state: text("state").$type<"open" | "closed">().notNull().default("open"),
    creatorLogin: text("creator_login"),
    openIssues: integer("open_issues").notNull().default(0),
    closedIssues: integer("closed_issues").notNull().default(0),
    dueOn: ts("due_on"),
    htmlUrl: text("html_url"),
    createdAt: createdAt(),
    updatedAt: ts("updated_at").notNull().defaultNow(),
    closedAt: ts("closed_at"),
    ...syncColumns(),
  },
  (t) => [
    uniqueIndex("github_milestones_github_id_key").on(t.githubId),
    uniqueIndex("github_milestones_node_id_key").on(t.nodeId),
    uniqueIndex("github_milestones_repo_number_key").on(t.repositoryId, t.number),
    index("idx_github_milestones_repo_state").on(t.repositoryFullName, t.state),
    check("github_milestones_state_check", sql`${t.state} in ('open', 'closed')`),
  ],
);

export const githubIssues = pgTable(
  "github_issues",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    githubId: githubId("github_id"),
    nodeId: text("node_id"),
    repositoryId: uuid("repository_id")
      .notNull()
      .references(() => repositories.id, { onDelete: "cascade" }),
    repositoryFullName: text("repository_full_name").notNull(),
    /** Null until a locally created issue reaches GitHub. */
    number: integer("number"),
    title: text("title").notNull(),
    body: text("body"),
    state: text("state").$type<"open" | "closed">().notNull().default("open"),
    stateReason: text("state_reason").$type<"completed" | "not_planned" | "duplicate" | "reopened">(),
    userLogin: text("user_login"),
    /** Logins, sorted: replaced as a set on every update so a removed assignee disappears. */
    assignees: jsonb("assignees").$type<string[]>().notNull().default([]),
    /** Label names, sorted: replaced as a set on every update so a removed label disappears. */
    labels: jsonb("labels").$type<string[]>().notNull().default([]),
    milestoneGithubId: githubId("milestone_github_id"),
    milestoneNumber: integer("milestone_number"),
    locked: boolean("locked").notNull().default(false),
    comments: integer("comments").notNull().default(0),
    htmlUrl: text("html_url"),
    createdAt: createdAt(),
    updatedAt: ts("updated_at").notNull().defaultNow(),
    closedAt: ts("closed_at"),
    /** Set when GitHub answers 301 for the issue or sends issues.transferred: `owner/name#number`. */
    transferredTo: text("transferred_to"),
    ...syncColumns(),
  },
  (t) => [
    uniqueIndex("github_issues_github_id_key").on(t.githubId),
    uniqueIndex("github_issues_node_id_key").on(t.nodeId),
    uniqueIndex("github_issues_repo_number_key").on(t.repositoryId, t.number),
    index("idx_github_issues_repo_state").on(t.repositoryFullName, t.state),
    index("idx_github_issues_updated").on(t.updatedAt.desc()),
    index("idx_github_issues_assignees_gin").using("gin", t.assignees),
    index("idx_github_issues_labels_gin").using("gin", t.labels),
    check("github_issues_state_check", sql`${t.state} in ('open', 'closed')`),
  ],
);

/**
 * Projects v2. Owner-level (organization or user), not repository-level: classic projects were removed in
 * August 2024. A project links to any number of repositories (github_project_repositories).
 */
export const githubProjects = pgTable(
  "github_projects",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    githubId: githubId("github_id"),
    /** `PVT_…`; null until a locally created project reaches GitHub. */
    nodeId: text("node_id"),
    ownerLogin: text("owner_login").notNull(),
    ownerType: text("owner_type").$type<"Organization" | "User">().notNull().default("Organization"),
    number: integer("number"),
    title: text("title").notNull(),
    shortDescription: text("short_description"),
    readme: text("readme"),
    closed: boolean("closed").notNull().default(false),
    public: boolean("public").notNull().default(false),
    creatorLogin: text("creator_login"),
    url: text("url"),
    createdAt: createdAt(),
    updatedAt: ts("updated_at").notNull().defaultNow(),
    closedAt: ts("closed_at"),
    ...syncColumns(),
  },
  (t) => [
    uniqueIndex("github_projects_github_id_key").on(t.githubId),
    uniqueIndex("github_projects_node_id_key").on(t.nodeId),
    uniqueIndex("github_projects_owner_number_key").on(t.ownerLogin, t.number),
    index("idx_github_projects_owner_closed").on(t.ownerLogin, t.closed),
    index("idx_github_projects_updated").on(t.updatedAt.desc()),
  ],
);

/** Which tracked repositories a project is linked to (`repository.projectsV2` on GitHub). */
export const githubProjectRepositories = pgTable(
  "github_project_repositories",
  {
    projectId: uuid("project_id")
      .notNull()
      .references(() => githubProjects.id, { onDelete: "cascade" }),
    repositoryId: uuid("repository_id")
      .notNull()
      .references(() => repositories.id, { onDelete: "cascade" }),
  },
  (t) => [
    primaryKey({ columns: [t.projectId, t.repositoryId] }),
    index("idx_gpr_repository").on(t.repositoryId),
  ],
);

export const PROJECT_FIELD_TYPES = [
  "ASSIGNEES",
  "DATE",
  "ISSUE_TYPE",
  "ITERATION",
  "LABELS",
  "LINKED_PULL_REQUESTS",
  "MILESTONE",
  "NUMBER",
  "PARENT_ISSUE",
  "REPOSITORY",
  "REVIEWERS",
  "SINGLE_SELECT",
  "SUB_ISSUES_PROGRESS",
  "TEXT",
  "TITLE",
  "TRACKS",
  "TRACKED_BY",
] as const;
export type ProjectFieldType = (typeof PROJECT_FIELD_TYPES)[number];

export interface SingleSelectOption {
  id: string;
  name: string;
  color?: string;
  description?: string;
}
export interface Iteration {
  id: string;
  title: string;
  startDate: string;
  duration: number;
}
export interface IterationConfiguration {
  duration: number;
  startDay: number;
  iterations: Iteration[];
  completedIterations: Iteration[];
}

export const githubProjectFields = pgTable(
  "github_project_fields",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    projectId: uuid("project_id")
      .notNull()
      .references(() => githubProjects.id, { onDelete: "cascade" }),
    /** `PVTF_…`, `PVTSSF_…` or `PVTIF_…`. */
    nodeId: text("node_id").notNull(),
    name: text("name").notNull(),
    dataType: text("data_type").$type<ProjectFieldType>().notNull(),
    /** Single-select fields only. */
    options: jsonb("options").$type<SingleSelectOption[]>(),
    /** Iteration fields only. */
    configuration: jsonb("configuration").$type<IterationConfiguration>(),
    createdAt: createdAt(),
    updatedAt: ts("updated_at").notNull().defaultNow(),
    deletedAt: ts("deleted_at"),
  },
  (t) => [
    uniqueIndex("github_project_fields_node_id_key").on(t.nodeId),
    index("idx_gpf_project").on(t.projectId),
  ],
);

/** One field value of a project item, keyed by field node id in `field_values`. */
export type ProjectFieldValue =
  | { type: "TEXT"; text: string }
  | { type: "NUMBER"; number: number }
  | { type: "DATE"; date: string }
  | { type: "SINGLE_SELECT"; optionId: string; name: string }
  | { type: "ITERATION"; iterationId: string; title: string; startDate: string; duration: number }
  | { type: "LABELS"; labels: string[] }
  | { type: "MILESTONE"; milestone: string | null }
  | { type: "ASSIGNEES"; assignees: string[] }
  | { type: "OTHER"; value: unknown };

/**
 * Write order of project items, clock-free (replicas' clocks may disagree): every write takes nextval. An item
 * listing draws a mark before its first page; at its last page, items not written since the mark are gone.
 */
export const projectItemSyncSeq = pgSequence("github_project_items_sync_seq");

export const PROJECT_CONTENT_TYPES = ["Issue", "PullRequest", "DraftIssue", "Redacted"] as const;
export type ProjectContentType = (typeof PROJECT_CONTENT_TYPES)[number];

export const githubProjectItems = pgTable(
  "github_project_items",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    projectId: uuid("project_id")
      .notNull()
      .references(() => githubProjects.id, { onDelete: "cascade" }),
    /** `PVTI_…`; null until a locally added item reaches GitHub. */
    nodeId: text("node_id"),
    githubId: githubId("github_id"),
    contentType: text("content_type").$type<ProjectContentType>().notNull(),
    /** Node id of the issue, pull request or draft issue. */
    contentNodeId: text("content_node_id"),
    /** The mirrored issue when the content is an issue of a tracked repository. */
    issueId: uuid("issue_id").references(() => githubIssues.id, { onDelete: "set null" }),
    /** Title of a draft issue, or of content outside the mirror. */
    title: text("title"),
    fieldValues: jsonb("field_values").$type<Record<string, ProjectFieldValue>>().notNull().default({}),
    archived: boolean("archived").notNull().default(false),
    creatorLogin: text("creator_login"),
    createdAt: createdAt(),
    updatedAt: ts("updated_at").notNull().defaultNow(),
    /** From github_project_items_sync_seq on every write (see projectItemSyncSeq). */
    syncSeq: bigint("sync_seq", { mode: "number" })
      .notNull()
      .default(sql`nextval('github_project_items_sync_seq')`),
    ...syncColumns(),
  },
  (t) => [
    uniqueIndex("github_project_items_node_id_key").on(t.nodeId),
    index("idx_gpi_project").on(t.projectId),
    index("idx_gpi_issue").on(t.issueId),
  ],
);

export const SYNC_DIRECTIONS = ["from_github", "to_github", "bidirectional"] as const;
export const SYNC_TYPES = ["full", "incremental", "reconcile"] as const;
export const OPERATION_STATUSES = ["pending", "running", "completed", "failed", "cancelled"] as const;

export const syncOperations = pgTable(
  "sync_operations",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    repositoryId: uuid("repository_id").references(() => repositories.id, { onDelete: "cascade" }),
    repositoryFullName: text("repository_full_name").notNull(),
    /** What is synced: issues, milestones, labels, projects, or all. */
    operationType: text("operation_type").notNull(),
    syncType: text("sync_type").$type<(typeof SYNC_TYPES)[number]>().notNull().default("incremental"),
    direction: text("direction").$type<(typeof SYNC_DIRECTIONS)[number]>().notNull(),
    status: text("status").$type<(typeof OPERATION_STATUSES)[number]>().notNull().default("pending"),
    startedAt: ts("started_at").defaultNow(),
    completedAt: ts("completed_at"),
    /** Resume point: a REST page URL or a GraphQL cursor. */
    lastCursor: text("last_cursor"),
    pagesDone: integer("pages_done").notNull().default(0),
    /** From Link rel="last" when GitHub gives it; drives percent and ETA. */
    pagesTotal: integer("pages_total"),
    recordsProcessed: integer("records_processed").notNull().default(0),
    recordsFailed: integer("records_failed").notNull().default(0),
    errorDetails: jsonb("error_details").$type<Record<string, unknown>>(),
    createdBy: text("created_by").notNull().default("system"),
    metadata: jsonb("metadata").$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
  },
  (t) => [
    index("idx_sync_operations_status_type").on(t.status, t.operationType),
    index("idx_sync_operations_repo_created").on(t.repositoryId, t.createdAt.desc()),
    check(
      "sync_operations_direction_check",
      sql`${t.direction} in ('from_github', 'to_github', 'bidirectional')`,
    ),
    check(
      "sync_operations_status_check",
      sql`${t.status} in ('pending', 'running', 'completed', 'failed', 'cancelled')`,
    ),
  ],
);

export const WEBHOOK_STATUSES = ["pending", "processed", "failed", "ignored"] as const;

export const webhookEvents = pgTable(
  "webhook_events",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /** X-GitHub-Delivery: unchanged on redelivery, so a duplicate is a no-op. */
    githubDeliveryId: text("github_delivery_id").notNull(),
    hookId: githubId("hook_id"),
    eventType: text("event_type").notNull(),
    action: text("action"),
    /** Null for events without a repository (projects_v2_item, installation). */
    repositoryFullName: text("repository_full_name"),
    repositoryId: uuid("repository_id").references(() => repositories.id, { onDelete: "set null" }),
    installationId: githubId("installation_id"),
    /**
     * The body as received (text, not jsonb: see jsonText; NUL and lone surrogates replaced, see
     * sanitize-payload.ts), compressed inline (migration 0004: storage main, lz4 where the server has it).
     */
    payload: jsonText<Record<string, unknown>>("payload").notNull(),
    processingStatus: text("processing_status")
      .$type<(typeof WEBHOOK_STATUSES)[number]>()
      .notNull()
      .default("pending"),
    errorMessage: text("error_message"),
    receivedAt: ts("received_at").notNull().defaultNow(),
    processedAt: ts("processed_at"),
    retryCount: integer("retry_count").notNull().default(0),
    nextRetryAt: ts("next_retry_at"),
  },
  (t) => [
    uniqueIndex("webhook_events_delivery_key").on(t.githubDeliveryId),
    index("idx_webhook_events_status_received").on(t.processingStatus, t.receivedAt),
    index("idx_webhook_events_repo_received").on(t.repositoryId, t.receivedAt),
    check(
      "webhook_events_status_check",
      sql`${t.processingStatus} in ('pending', 'processed', 'failed', 'ignored')`,
    ),
  ],
);

export const ENTITY_TYPES = ["issue", "milestone", "label", "project", "project_item"] as const;
export type EntityType = (typeof ENTITY_TYPES)[number];

export const OUTBOX_STATUSES = ["pending", "in_flight", "done", "failed", "conflicted", "cancelled"] as const;

/**
 * Local writes waiting to reach GitHub. Written in the same transaction as the local row; pushed serially by
 * the repository actor. The id orders pushes; `idempotency_key` keeps a retried create from creating twice.
 */
export const outbox = pgTable(
  "outbox",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    idempotencyKey: uuid("idempotency_key").notNull().defaultRandom(),
    repositoryId: uuid("repository_id")
      .notNull()
      .references(() => repositories.id, { onDelete: "cascade" }),
    entityType: text("entity_type").$type<EntityType>().notNull(),
    entityId: uuid("entity_id").notNull(),
    /** create, update, close, add_item, set_field_values, … */
    operation: text("operation").notNull(),
    patch: jsonb("patch").$type<Record<string, unknown>>().notNull(),
    /** The row's field values the patch was made against: the base of the three-way merge. */
    base: jsonb("base").$type<Record<string, unknown>>(),
    status: text("status").$type<(typeof OUTBOX_STATUSES)[number]>().notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
    nextAttemptAt: ts("next_attempt_at"),
    createdBy: text("created_by"),
    createdAt: createdAt(),
    completedAt: ts("completed_at"),
  },
  (t) => [
    uniqueIndex("outbox_idempotency_key").on(t.idempotencyKey),
    index("idx_outbox_repo_status").on(t.repositoryId, t.status, t.id),
    index("idx_outbox_entity").on(t.entityType, t.entityId),
  ],
);

export const syncConflicts = pgTable(
  "sync_conflicts",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    repositoryId: uuid("repository_id").references(() => repositories.id, { onDelete: "cascade" }),
    entityType: text("entity_type").$type<EntityType>().notNull(),
    entityId: uuid("entity_id").notNull(),
    outboxId: bigint("outbox_id", { mode: "number" }).references(() => outbox.id, { onDelete: "set null" }),
    /** concurrent_modification, field_mismatch, … */
    conflictType: text("conflict_type").notNull(),
    /** The conflicting field; null when the conflict is about the whole entity (e.g. deleted remotely). */
    field: text("field"),
    baseVersion: jsonb("base_version").$type<Record<string, unknown>>(),
    localVersion: jsonb("local_version").$type<Record<string, unknown>>().notNull(),
    remoteVersion: jsonb("remote_version").$type<Record<string, unknown>>().notNull(),
    resolutionStrategy: text("resolution_strategy").$type<
      "local_wins" | "remote_wins" | "manual" | "merged"
    >(),
    resolvedVersion: jsonb("resolved_version").$type<Record<string, unknown>>(),
    resolvedAt: ts("resolved_at"),
    resolvedBy: text("resolved_by"),
    createdAt: createdAt(),
    metadata: jsonb("metadata").$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [
    index("idx_sync_conflicts_open").on(t.repositoryId, t.resolvedAt),
    index("idx_sync_conflicts_entity").on(t.entityType, t.entityId),
  ],
);

export const ACTOR_KINDS = ["repository", "sync_operation"] as const;
export type ActorKind = (typeof ACTOR_KINDS)[number];

/** The persisted snapshot of one actor, in a versioned envelope (machine id, version, definition hash). */
export const actorSnapshots = pgTable(
  "actor_snapshots",
  {
    /** `repository:<uuid>` or `sync_operation:<uuid>`. */
    actorId: text("actor_id").primaryKey(),
    kind: text("kind").$type<ActorKind>().notNull(),
    repositoryId: uuid("repository_id").references(() => repositories.id, { onDelete: "cascade" }),
    parentId: text("parent_id"),
    machineId: text("machine_id").notNull(),
    machineVersion: integer("machine_version").notNull(),
    definitionHash: text("definition_hash").notNull(),
    xstateVersion: text("xstate_version").notNull(),
    snapshot: jsonb("snapshot").$type<Record<string, unknown>>().notNull(),
    /** Denormalised from the snapshot so the API can filter without parsing it. */
    stateValue: text("state_value").notNull(),
    status: text("status").$type<"active" | "done" | "error" | "stopped">().notNull().default("active"),
    /** Transition sequence number: every persisted transition increments it. */
    seq: bigint("seq", { mode: "number" }).notNull().default(0),
    epoch: bigint("epoch", { mode: "number" }).notNull().default(0),
    holder: text("holder"),
    stateSince: ts("state_since").notNull().defaultNow(),
    nextDeadline: ts("next_deadline"),
    retryCount: integer("retry_count").notNull().default(0),
    lastError: jsonb("last_error").$type<{ message: string; stack?: string; at: string }>(),
    createdAt: createdAt(),
    updatedAt: ts("updated_at").notNull().defaultNow(),
  },
  (t) => [
    index("idx_actor_snapshots_kind_state").on(t.kind, t.stateValue),
    index("idx_actor_snapshots_repository").on(t.repositoryId),
    index("idx_actor_snapshots_deadline").on(t.nextDeadline),
  ],
);

/** Every persisted transition; kept after a run finishes (retention is a setting), read by the inspector. */
export const actorTransitions = pgTable(
  "actor_transitions",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    actorId: text("actor_id").notNull(),
    seq: bigint("seq", { mode: "number" }).notNull(),
    eventType: text("event_type").notNull(),
    eventSummary: jsonb("event_summary").$type<Record<string, unknown>>(),
    fromState: text("from_state"),
    toState: text("to_state").notNull(),
    epoch: bigint("epoch", { mode: "number" }).notNull(),
    holder: text("holder"),
    at: ts("at").notNull().defaultNow(),
  },
  (t) => [
    index("idx_actor_transitions_actor").on(t.actorId, t.id.desc()),
    index("idx_actor_transitions_at").on(t.at),
  ],
);

export type Repository = typeof repositories.$inferSelect;
export type NewRepository = typeof repositories.$inferInsert;
export type Issue = typeof githubIssues.$inferSelect;
export type NewIssue = typeof githubIssues.$inferInsert;
export type Milestone = typeof githubMilestones.$inferSelect;
export type NewMilestone = typeof githubMilestones.$inferInsert;
export type Label = typeof githubLabels.$inferSelect;
export type NewLabel = typeof githubLabels.$inferInsert;
export type Project = typeof githubProjects.$inferSelect;
export type NewProject = typeof githubProjects.$inferInsert;
export type ProjectField = typeof githubProjectFields.$inferSelect;
export type ProjectItem = typeof githubProjectItems.$inferSelect;
export type SyncOperation = typeof syncOperations.$inferSelect;
export type WebhookEvent = typeof webhookEvents.$inferSelect;
export type OutboxEntry = typeof outbox.$inferSelect;
export type SyncConflict = typeof syncConflicts.$inferSelect;
export type ActorSnapshotRow = typeof actorSnapshots.$inferSelect;
export type ActorTransitionRow = typeof actorTransitions.$inferSelect;

/**
 * Conditional-request cache: the validators of the last 200 per URL. A 304 costs no rate limit. ETags differ
 * per token on GitHub, so the credential that earned the ETag is kept: after an installation token rotates,
 * If-Modified-Since is sent instead. `link` keeps pagination working through a 304.
 */
export const githubHttpCache = pgTable("github_http_cache", {
  key: text("key").primaryKey(),
  etag: text("etag"),
  lastModified: text("last_modified"),
  credential: text("credential").notNull(),
  link: text("link"),
  updatedAt: ts("updated_at").notNull().defaultNow(),
});

/** The last rate-limit figures GitHub reported, per credential and resource (core, graphql, …). */
export const githubRateLimits = pgTable(
  "github_rate_limits",
  {
    credential: text("credential").notNull(),
    resource: text("resource").notNull(),
    limit: integer("limit").notNull(),
    remaining: integer("remaining").notNull(),
    used: integer("used").notNull().default(0),
    resetAt: ts("reset_at").notNull(),
    updatedAt: ts("updated_at").notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.credential, t.resource] })],
);
