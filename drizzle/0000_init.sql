CREATE TABLE "actor_snapshots" (
	"actor_id" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"repository_id" uuid,
	"parent_id" text,
	"machine_id" text NOT NULL,
	"machine_version" integer NOT NULL,
	"definition_hash" text NOT NULL,
	"xstate_version" text NOT NULL,
	"snapshot" jsonb NOT NULL,
	"state_value" text NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"seq" bigint DEFAULT 0 NOT NULL,
	"epoch" bigint DEFAULT 0 NOT NULL,
	"holder" text,
	"state_since" timestamp with time zone DEFAULT now() NOT NULL,
	"next_deadline" timestamp with time zone,
	"retry_count" integer DEFAULT 0 NOT NULL,
	"last_error" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "actor_transitions" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"actor_id" text NOT NULL,
	"seq" bigint NOT NULL,
	"event_type" text NOT NULL,
	"event_summary" jsonb,
	"from_state" text,
	"to_state" text NOT NULL,
	"epoch" bigint NOT NULL,
	"holder" text,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "github_issues" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"github_id" bigint,
	"node_id" text,
	"repository_id" uuid NOT NULL,
	"repository_full_name" text NOT NULL,
	"number" integer,
	"title" text NOT NULL,
	"body" text,
	"state" text DEFAULT 'open' NOT NULL,
	"state_reason" text,
	"user_login" text,
	"assignees" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"labels" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"milestone_github_id" bigint,
	"milestone_number" integer,
	"locked" boolean DEFAULT false NOT NULL,
	"comments" integer DEFAULT 0 NOT NULL,
	"html_url" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"closed_at" timestamp with time zone,
	"transferred_to" text,
	"sync_state" text DEFAULT 'synced' NOT NULL,
	"sync_version" integer DEFAULT 1 NOT NULL,
	"synced_at" timestamp with time zone DEFAULT now(),
	"deleted_at" timestamp with time zone,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	CONSTRAINT "github_issues_state_check" CHECK ("github_issues"."state" in ('open', 'closed'))
);
--> statement-breakpoint
CREATE TABLE "github_labels" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"github_id" bigint,
	"node_id" text,
	"repository_id" uuid NOT NULL,
	"repository_full_name" text NOT NULL,
	"name" text NOT NULL,
	"color" text NOT NULL,
	"description" text,
	"is_default" boolean DEFAULT false NOT NULL,
	"sync_state" text DEFAULT 'synced' NOT NULL,
	"sync_version" integer DEFAULT 1 NOT NULL,
	"synced_at" timestamp with time zone DEFAULT now(),
	"deleted_at" timestamp with time zone,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "github_milestones" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"github_id" bigint,
	"node_id" text,
	"repository_id" uuid NOT NULL,
	"repository_full_name" text NOT NULL,
	"number" integer,
	"title" text NOT NULL,
	"description" text,
	"state" text DEFAULT 'open' NOT NULL,
	"creator_login" text,
	"open_issues" integer DEFAULT 0 NOT NULL,
	"closed_issues" integer DEFAULT 0 NOT NULL,
	"due_on" timestamp with time zone,
	"html_url" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"closed_at" timestamp with time zone,
	"sync_state" text DEFAULT 'synced' NOT NULL,
	"sync_version" integer DEFAULT 1 NOT NULL,
	"synced_at" timestamp with time zone DEFAULT now(),
	"deleted_at" timestamp with time zone,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	CONSTRAINT "github_milestones_state_check" CHECK ("github_milestones"."state" in ('open', 'closed'))
);
--> statement-breakpoint
CREATE TABLE "github_project_fields" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"project_id" uuid NOT NULL,
	"node_id" text NOT NULL,
	"name" text NOT NULL,
	"data_type" text NOT NULL,
	"options" jsonb,
	"configuration" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "github_project_items" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"project_id" uuid NOT NULL,
	"node_id" text,
	"github_id" bigint,
	"content_type" text NOT NULL,
	"content_node_id" text,
	"issue_id" uuid,
	"title" text,
	"field_values" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"archived" boolean DEFAULT false NOT NULL,
	"creator_login" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sync_state" text DEFAULT 'synced' NOT NULL,
	"sync_version" integer DEFAULT 1 NOT NULL,
	"synced_at" timestamp with time zone DEFAULT now(),
	"deleted_at" timestamp with time zone,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "github_project_repositories" (
	"project_id" uuid NOT NULL,
	"repository_id" uuid NOT NULL,
	CONSTRAINT "github_project_repositories_project_id_repository_id_pk" PRIMARY KEY("project_id","repository_id")
);
--> statement-breakpoint
CREATE TABLE "github_projects" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"github_id" bigint,
	"node_id" text,
	"owner_login" text NOT NULL,
	"owner_type" text DEFAULT 'Organization' NOT NULL,
	"number" integer,
	"title" text NOT NULL,
	"short_description" text,
	"readme" text,
	"closed" boolean DEFAULT false NOT NULL,
	"public" boolean DEFAULT false NOT NULL,
	"creator_login" text,
	"url" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"closed_at" timestamp with time zone,
	"sync_state" text DEFAULT 'synced' NOT NULL,
	"sync_version" integer DEFAULT 1 NOT NULL,
	"synced_at" timestamp with time zone DEFAULT now(),
	"deleted_at" timestamp with time zone,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "outbox" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"idempotency_key" uuid DEFAULT gen_random_uuid() NOT NULL,
	"repository_id" uuid NOT NULL,
	"entity_type" text NOT NULL,
	"entity_id" uuid NOT NULL,
	"operation" text NOT NULL,
	"patch" jsonb NOT NULL,
	"base" jsonb,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"next_attempt_at" timestamp with time zone,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "repositories" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"full_name" text NOT NULL,
	"owner" text NOT NULL,
	"name" text NOT NULL,
	"github_id" bigint,
	"node_id" text,
	"installation_id" bigint,
	"enabled" boolean DEFAULT true NOT NULL,
	"lease_epoch" bigint DEFAULT 0 NOT NULL,
	"lease_holder" text,
	"lease_until" timestamp with time zone,
	"issues_synced_through" timestamp with time zone,
	"milestones_synced_through" timestamp with time zone,
	"labels_synced_at" timestamp with time zone,
	"projects_synced_at" timestamp with time zone,
	"last_full_sync_at" timestamp with time zone,
	"last_reconcile_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sync_conflicts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"repository_id" uuid,
	"entity_type" text NOT NULL,
	"entity_id" uuid NOT NULL,
	"outbox_id" bigint,
	"conflict_type" text NOT NULL,
	"field" text,
	"base_version" jsonb,
	"local_version" jsonb NOT NULL,
	"remote_version" jsonb NOT NULL,
	"resolution_strategy" text,
	"resolved_version" jsonb,
	"resolved_at" timestamp with time zone,
	"resolved_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sync_operations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"repository_id" uuid,
	"repository_full_name" text NOT NULL,
	"operation_type" text NOT NULL,
	"sync_type" text DEFAULT 'incremental' NOT NULL,
	"direction" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"started_at" timestamp with time zone DEFAULT now(),
	"completed_at" timestamp with time zone,
	"last_cursor" text,
	"pages_done" integer DEFAULT 0 NOT NULL,
	"pages_total" integer,
	"records_processed" integer DEFAULT 0 NOT NULL,
	"records_failed" integer DEFAULT 0 NOT NULL,
	"error_details" jsonb,
	"created_by" text DEFAULT 'system' NOT NULL,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sync_operations_direction_check" CHECK ("sync_operations"."direction" in ('from_github', 'to_github', 'bidirectional')),
	CONSTRAINT "sync_operations_status_check" CHECK ("sync_operations"."status" in ('pending', 'running', 'completed', 'failed', 'cancelled'))
);
--> statement-breakpoint
CREATE TABLE "webhook_events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"github_delivery_id" text NOT NULL,
	"hook_id" bigint,
	"event_type" text NOT NULL,
	"action" text,
	"repository_full_name" text,
	"repository_id" uuid,
	"installation_id" bigint,
	"payload" jsonb NOT NULL,
	"processing_status" text DEFAULT 'pending' NOT NULL,
	"error_message" text,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"processed_at" timestamp with time zone,
	"retry_count" integer DEFAULT 0 NOT NULL,
	"next_retry_at" timestamp with time zone,
	CONSTRAINT "webhook_events_status_check" CHECK ("webhook_events"."processing_status" in ('pending', 'processed', 'failed', 'ignored'))
);
--> statement-breakpoint
ALTER TABLE "actor_snapshots" ADD CONSTRAINT "actor_snapshots_repository_id_repositories_id_fk" FOREIGN KEY ("repository_id") REFERENCES "public"."repositories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "github_issues" ADD CONSTRAINT "github_issues_repository_id_repositories_id_fk" FOREIGN KEY ("repository_id") REFERENCES "public"."repositories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "github_labels" ADD CONSTRAINT "github_labels_repository_id_repositories_id_fk" FOREIGN KEY ("repository_id") REFERENCES "public"."repositories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "github_milestones" ADD CONSTRAINT "github_milestones_repository_id_repositories_id_fk" FOREIGN KEY ("repository_id") REFERENCES "public"."repositories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "github_project_fields" ADD CONSTRAINT "github_project_fields_project_id_github_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."github_projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "github_project_items" ADD CONSTRAINT "github_project_items_project_id_github_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."github_projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "github_project_items" ADD CONSTRAINT "github_project_items_issue_id_github_issues_id_fk" FOREIGN KEY ("issue_id") REFERENCES "public"."github_issues"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "github_project_repositories" ADD CONSTRAINT "github_project_repositories_project_id_github_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."github_projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "github_project_repositories" ADD CONSTRAINT "github_project_repositories_repository_id_repositories_id_fk" FOREIGN KEY ("repository_id") REFERENCES "public"."repositories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "outbox" ADD CONSTRAINT "outbox_repository_id_repositories_id_fk" FOREIGN KEY ("repository_id") REFERENCES "public"."repositories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sync_conflicts" ADD CONSTRAINT "sync_conflicts_repository_id_repositories_id_fk" FOREIGN KEY ("repository_id") REFERENCES "public"."repositories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sync_conflicts" ADD CONSTRAINT "sync_conflicts_outbox_id_outbox_id_fk" FOREIGN KEY ("outbox_id") REFERENCES "public"."outbox"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sync_operations" ADD CONSTRAINT "sync_operations_repository_id_repositories_id_fk" FOREIGN KEY ("repository_id") REFERENCES "public"."repositories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_events" ADD CONSTRAINT "webhook_events_repository_id_repositories_id_fk" FOREIGN KEY ("repository_id") REFERENCES "public"."repositories"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "idx_actor_snapshots_kind_state" ON "actor_snapshots" USING btree ("kind","state_value");--> statement-breakpoint
CREATE INDEX "idx_actor_snapshots_repository" ON "actor_snapshots" USING btree ("repository_id");--> statement-breakpoint
CREATE INDEX "idx_actor_snapshots_deadline" ON "actor_snapshots" USING btree ("next_deadline");--> statement-breakpoint
CREATE INDEX "idx_actor_transitions_actor" ON "actor_transitions" USING btree ("actor_id","id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "idx_actor_transitions_at" ON "actor_transitions" USING btree ("at");--> statement-breakpoint
CREATE UNIQUE INDEX "github_issues_github_id_key" ON "github_issues" USING btree ("github_id");--> statement-breakpoint
CREATE UNIQUE INDEX "github_issues_node_id_key" ON "github_issues" USING btree ("node_id");--> statement-breakpoint
CREATE UNIQUE INDEX "github_issues_repo_number_key" ON "github_issues" USING btree ("repository_id","number");--> statement-breakpoint
CREATE INDEX "idx_github_issues_repo_state" ON "github_issues" USING btree ("repository_full_name","state");--> statement-breakpoint
CREATE INDEX "idx_github_issues_updated" ON "github_issues" USING btree ("updated_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "idx_github_issues_assignees_gin" ON "github_issues" USING gin ("assignees");--> statement-breakpoint
CREATE INDEX "idx_github_issues_labels_gin" ON "github_issues" USING gin ("labels");--> statement-breakpoint
CREATE UNIQUE INDEX "github_labels_github_id_key" ON "github_labels" USING btree ("github_id");--> statement-breakpoint
CREATE UNIQUE INDEX "github_labels_repo_name_key" ON "github_labels" USING btree ("repository_id","name");--> statement-breakpoint
CREATE UNIQUE INDEX "github_milestones_github_id_key" ON "github_milestones" USING btree ("github_id");--> statement-breakpoint
CREATE UNIQUE INDEX "github_milestones_node_id_key" ON "github_milestones" USING btree ("node_id");--> statement-breakpoint
CREATE UNIQUE INDEX "github_milestones_repo_number_key" ON "github_milestones" USING btree ("repository_id","number");--> statement-breakpoint
CREATE INDEX "idx_github_milestones_repo_state" ON "github_milestones" USING btree ("repository_full_name","state");--> statement-breakpoint
CREATE UNIQUE INDEX "github_project_fields_node_id_key" ON "github_project_fields" USING btree ("node_id");--> statement-breakpoint
CREATE INDEX "idx_gpf_project" ON "github_project_fields" USING btree ("project_id");--> statement-breakpoint
CREATE UNIQUE INDEX "github_project_items_node_id_key" ON "github_project_items" USING btree ("node_id");--> statement-breakpoint
CREATE INDEX "idx_gpi_project" ON "github_project_items" USING btree ("project_id");--> statement-breakpoint
CREATE INDEX "idx_gpi_issue" ON "github_project_items" USING btree ("issue_id");--> statement-breakpoint
CREATE INDEX "idx_gpr_repository" ON "github_project_repositories" USING btree ("repository_id");--> statement-breakpoint
CREATE UNIQUE INDEX "github_projects_github_id_key" ON "github_projects" USING btree ("github_id");--> statement-breakpoint
CREATE UNIQUE INDEX "github_projects_node_id_key" ON "github_projects" USING btree ("node_id");--> statement-breakpoint
CREATE UNIQUE INDEX "github_projects_owner_number_key" ON "github_projects" USING btree ("owner_login","number");--> statement-breakpoint
CREATE INDEX "idx_github_projects_owner_closed" ON "github_projects" USING btree ("owner_login","closed");--> statement-breakpoint
CREATE INDEX "idx_github_projects_updated" ON "github_projects" USING btree ("updated_at" DESC NULLS LAST);--> statement-breakpoint
CREATE UNIQUE INDEX "outbox_idempotency_key" ON "outbox" USING btree ("idempotency_key");--> statement-breakpoint
CREATE INDEX "idx_outbox_repo_status" ON "outbox" USING btree ("repository_id","status","id");--> statement-breakpoint
CREATE INDEX "idx_outbox_entity" ON "outbox" USING btree ("entity_type","entity_id");--> statement-breakpoint
CREATE UNIQUE INDEX "repositories_full_name_key" ON "repositories" USING btree ("full_name");--> statement-breakpoint
CREATE UNIQUE INDEX "repositories_github_id_key" ON "repositories" USING btree ("github_id");--> statement-breakpoint
CREATE INDEX "idx_sync_conflicts_open" ON "sync_conflicts" USING btree ("repository_id","resolved_at");--> statement-breakpoint
CREATE INDEX "idx_sync_conflicts_entity" ON "sync_conflicts" USING btree ("entity_type","entity_id");--> statement-breakpoint
CREATE INDEX "idx_sync_operations_status_type" ON "sync_operations" USING btree ("status","operation_type");--> statement-breakpoint
CREATE INDEX "idx_sync_operations_repo_created" ON "sync_operations" USING btree ("repository_id","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE UNIQUE INDEX "webhook_events_delivery_key" ON "webhook_events" USING btree ("github_delivery_id");--> statement-breakpoint
CREATE INDEX "idx_webhook_events_status_received" ON "webhook_events" USING btree ("processing_status","received_at");--> statement-breakpoint
CREATE INDEX "idx_webhook_events_repo_received" ON "webhook_events" USING btree ("repository_id","received_at");