-- The usage log becomes partitioned by UTC month of "timestamp". PostgreSQL cannot partition a
-- table in place, so the rows move into a new table of the same name, inside this migration's
-- transaction: a failure leaves the old table as it was. Indexes are built after the copy, which
-- is several times faster than maintaining them row by row.
ALTER TABLE "usage" DROP CONSTRAINT "usage_pkey";--> statement-breakpoint
DROP INDEX "usage_request_id_key";--> statement-breakpoint
DROP INDEX "usage_user_timestamp_idx";--> statement-breakpoint
DROP INDEX "usage_api_key_idx";--> statement-breakpoint
ALTER TABLE "usage" RENAME TO "usage_unpartitioned";--> statement-breakpoint
ALTER SEQUENCE "usage_id_seq" RENAME TO "usage_unpartitioned_id_seq";--> statement-breakpoint
CREATE TABLE "usage" (
	"id" bigint GENERATED ALWAYS AS IDENTITY (sequence name "usage_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1) NOT NULL,
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
) PARTITION BY RANGE ("timestamp");--> statement-breakpoint
-- Catches rows of a month that has no partition yet, so that an insert never fails for want of one.
CREATE TABLE "usage_default" PARTITION OF "usage" DEFAULT;--> statement-breakpoint
-- Makes the partition of the UTC month holding `month_start` (named usage_YYYY_MM) unless it
-- exists; answers whether it made it. Rows the default partition caught for that month move into
-- it. Attaching takes a weaker lock on "usage" than CREATE TABLE … PARTITION OF, so inserts go on
-- meanwhile; instances doing this together take turns on an advisory lock.
CREATE OR REPLACE FUNCTION "usage_create_partition"(month_start timestamptz) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
  first_day date := date_trunc('month', month_start AT TIME ZONE 'UTC')::date;
  partition_name text := 'usage_' || to_char(first_day, 'YYYY_MM');
  lower_bound text := to_char(first_day, 'YYYY-MM-DD') || ' 00:00:00+00';
  upper_bound text := to_char((first_day + interval '1 month')::date, 'YYYY-MM-DD') || ' 00:00:00+00';
BEGIN
  PERFORM pg_advisory_xact_lock(7305118202);
  IF to_regclass(format('public.%I', partition_name)) IS NOT NULL THEN
    RETURN false;
  END IF;
  EXECUTE format('CREATE TABLE public.%I (LIKE public.usage)', partition_name);
  EXECUTE format(
    'WITH moved AS (DELETE FROM public.usage_default WHERE "timestamp" >= %L AND "timestamp" < %L RETURNING *) INSERT INTO public.%I SELECT * FROM moved',
    lower_bound, upper_bound, partition_name);
  EXECUTE format('ALTER TABLE public.usage ATTACH PARTITION public.%I FOR VALUES FROM (%L) TO (%L)', partition_name, lower_bound, upper_bound);
  RETURN true;
END
$$;--> statement-breakpoint
-- A partition for every month that holds rows, and for this month and the next three.
SELECT "usage_create_partition"(m) FROM (
	SELECT DISTINCT date_trunc('month', "timestamp" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS m FROM "usage_unpartitioned"
	UNION
	SELECT date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' + n * interval '1 month' FROM generate_series(0, 3) AS n
) AS months ORDER BY m;--> statement-breakpoint
INSERT INTO "usage" ("id", "request_id", "user_id", "api_key_id", "endpoint", "location", "state", "date_from", "date_to", "response_time_ms", "status_code", "error_message", "ip_address", "user_agent", "timestamp")
	OVERRIDING SYSTEM VALUE
	SELECT "id", "request_id", "user_id", "api_key_id", "endpoint", "location", "state", "date_from", "date_to", "response_time_ms", "status_code", "error_message", "ip_address", "user_agent", "timestamp"
	FROM "usage_unpartitioned";--> statement-breakpoint
-- New ids continue where the old table's sequence stood.
SELECT setval('"usage_id_seq"', s.last_value, s.is_called) FROM "usage_unpartitioned_id_seq" AS s;--> statement-breakpoint
DROP TABLE "usage_unpartitioned";--> statement-breakpoint
ALTER TABLE "usage" ADD CONSTRAINT "usage_pkey" PRIMARY KEY("id","timestamp");--> statement-breakpoint
CREATE UNIQUE INDEX "usage_request_id_timestamp_key" ON "usage" USING btree ("request_id","timestamp");--> statement-breakpoint
CREATE INDEX "usage_user_timestamp_idx" ON "usage" USING btree ("user_id","timestamp" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "usage_api_key_idx" ON "usage" USING btree ("api_key_id");--> statement-breakpoint
ALTER TABLE "usage" ADD CONSTRAINT "usage_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "usage" ADD CONSTRAINT "usage_api_key_id_api_keys_id_fk" FOREIGN KEY ("api_key_id") REFERENCES "public"."api_keys"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE TABLE "pruned_usage_months" (
	"month" text PRIMARY KEY NOT NULL,
	"rows" bigint NOT NULL,
	"pruned_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "usage_daily" (
	"user_id" integer NOT NULL,
	"day" date NOT NULL,
	"endpoint" text NOT NULL,
	"status_class" smallint NOT NULL,
	"requests" integer NOT NULL,
	"total_response_time_ms" double precision NOT NULL,
	"min_response_time_ms" double precision NOT NULL,
	"max_response_time_ms" double precision NOT NULL,
	CONSTRAINT "usage_daily_pkey" PRIMARY KEY("user_id","day","endpoint","status_class")
);
--> statement-breakpoint
ALTER TABLE "usage_daily" ADD CONSTRAINT "usage_daily_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
-- The rollups of the rows already stored.
INSERT INTO "usage_daily" ("user_id", "day", "endpoint", "status_class", "requests", "total_response_time_ms", "min_response_time_ms", "max_response_time_ms")
	SELECT "user_id", ("timestamp" AT TIME ZONE 'UTC')::date, "endpoint", ("status_code" / 100)::smallint, count(*)::int,
		sum("response_time_ms"), min("response_time_ms"), max("response_time_ms")
	FROM "usage" GROUP BY 1, 2, 3, 4;
