CREATE TABLE "tiers" (
	"name" text PRIMARY KEY NOT NULL,
	"monthly_quota" integer,
	"rate_limit_per_hour" integer NOT NULL,
	"max_api_keys" integer NOT NULL,
	CONSTRAINT "tiers_name_check" CHECK ("tiers"."name" in ('free', 'pro', 'enterprise')),
	CONSTRAINT "tiers_monthly_quota_check" CHECK ("tiers"."monthly_quota" is null or "tiers"."monthly_quota" >= 0),
	CONSTRAINT "tiers_rate_limit_check" CHECK ("tiers"."rate_limit_per_hour" > 0),
	CONSTRAINT "tiers_max_api_keys_check" CHECK ("tiers"."max_api_keys" >= 0)
);
--> statement-breakpoint
-- The tiers as launched; admins edit them afterwards (PUT /api/admin/tiers/:name).
INSERT INTO "tiers" ("name", "monthly_quota", "rate_limit_per_hour", "max_api_keys") VALUES
	('free', 100, 10, 10),
	('pro', 5000, 100, 10),
	('enterprise', NULL, 1000, 10)
ON CONFLICT ("name") DO NOTHING;
--> statement-breakpoint
CREATE TABLE "monthly_usage" (
	"user_id" integer NOT NULL,
	"month" text NOT NULL,
	"total_requests" integer DEFAULT 0 NOT NULL,
	"successful_requests" integer DEFAULT 0 NOT NULL,
	"failed_requests" integer DEFAULT 0 NOT NULL,
	"total_response_time_ms" double precision DEFAULT 0 NOT NULL,
	"last_updated" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "monthly_usage_month_check" CHECK ("monthly_usage"."month" ~ '^[0-9]{4}-(0[1-9]|1[0-2])$')
);
--> statement-breakpoint
CREATE TABLE "quota_leases" (
	"instance_id" uuid NOT NULL,
	"user_id" integer NOT NULL,
	"month" text NOT NULL,
	"granted" integer NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	CONSTRAINT "quota_leases_pkey" PRIMARY KEY("instance_id","user_id","month"),
	CONSTRAINT "quota_leases_granted_check" CHECK ("quota_leases"."granted" >= 0)
);
--> statement-breakpoint
CREATE TABLE "usage" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "usage_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"request_id" uuid NOT NULL,
	"user_id" integer NOT NULL,
	"api_key_id" integer,
	"endpoint" text NOT NULL,
	"location" text,
	"state" text,
	"date_from" date,
	"date_to" date,
	"response_time_ms" double precision NOT NULL,
	"status_code" smallint NOT NULL,
	"error_message" text,
	"ip_address" text,
	"user_agent" text,
	"timestamp" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "monthly_usage" ADD CONSTRAINT "monthly_usage_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "quota_leases" ADD CONSTRAINT "quota_leases_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "usage" ADD CONSTRAINT "usage_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "usage" ADD CONSTRAINT "usage_api_key_id_api_keys_id_fk" FOREIGN KEY ("api_key_id") REFERENCES "public"."api_keys"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "monthly_usage_user_month_key" ON "monthly_usage" USING btree ("user_id","month");--> statement-breakpoint
CREATE INDEX "quota_leases_user_month_idx" ON "quota_leases" USING btree ("user_id","month");--> statement-breakpoint
CREATE UNIQUE INDEX "usage_request_id_key" ON "usage" USING btree ("request_id");--> statement-breakpoint
CREATE INDEX "usage_user_timestamp_idx" ON "usage" USING btree ("user_id","timestamp" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "usage_api_key_idx" ON "usage" USING btree ("api_key_id");--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_tier_tiers_name_fk" FOREIGN KEY ("tier") REFERENCES "public"."tiers"("name") ON DELETE no action ON UPDATE no action;