CREATE TABLE "github_http_cache" (
	"key" text PRIMARY KEY NOT NULL,
	"etag" text,
	"last_modified" text,
	"credential" text NOT NULL,
	"link" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "github_rate_limits" (
	"credential" text NOT NULL,
	"resource" text NOT NULL,
	"limit" integer NOT NULL,
	"remaining" integer NOT NULL,
	"used" integer DEFAULT 0 NOT NULL,
	"reset_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "github_rate_limits_credential_resource_pk" PRIMARY KEY("credential","resource")
);
