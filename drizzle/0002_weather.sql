CREATE TABLE "observations" (
	"page_id" text NOT NULL,
	"date" date NOT NULL,
	"minimum_temperature_c" double precision,
	"maximum_temperature_c" double precision,
	"rainfall_mm" double precision,
	"evaporation_mm" double precision,
	"sunshine_hours" double precision,
	"direction_of_maximum_wind_gust" text,
	"speed_of_maximum_wind_gust_km_h" double precision,
	"time_of_maximum_wind_gust" text,
	"9am_temperature_c" double precision,
	"9am_relative_humidity_percent" double precision,
	"9am_cloud_amount_oktas" double precision,
	"9am_wind_direction" text,
	"9am_wind_speed_km_h" double precision,
	"9am_msl_pressure_hpa" double precision,
	"3pm_temperature_c" double precision,
	"3pm_relative_humidity_percent" double precision,
	"3pm_cloud_amount_oktas" double precision,
	"3pm_wind_direction" text,
	"3pm_wind_speed_km_h" double precision,
	"3pm_msl_pressure_hpa" double precision,
	CONSTRAINT "observations_pkey" PRIMARY KEY("page_id","date")
);
--> statement-breakpoint
CREATE TABLE "state_catalogues" (
	"state" text PRIMARY KEY NOT NULL,
	"synced_at" timestamp with time zone NOT NULL,
	"station_count" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "station_months" (
	"page_id" text NOT NULL,
	"month" text NOT NULL,
	"fetched_at" timestamp with time zone NOT NULL,
	"complete" boolean NOT NULL,
	"row_count" integer NOT NULL,
	CONSTRAINT "station_months_pkey" PRIMARY KEY("page_id","month"),
	CONSTRAINT "station_months_month_check" CHECK ("station_months"."month" ~ '^[0-9]{4}-(0[1-9]|1[0-2])$')
);
--> statement-breakpoint
CREATE TABLE "stations" (
	"page_id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"state" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "stations_page_id_check" CHECK ("stations"."page_id" ~ '^IDCJDW[0-9]{4}$'),
	CONSTRAINT "stations_state_check" CHECK (state in ('ACT', 'NSW', 'VIC', 'QLD', 'SA', 'WA', 'TAS', 'NT'))
);
--> statement-breakpoint
ALTER TABLE "observations" ADD CONSTRAINT "observations_page_id_stations_page_id_fk" FOREIGN KEY ("page_id") REFERENCES "public"."stations"("page_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "station_months" ADD CONSTRAINT "station_months_page_id_stations_page_id_fk" FOREIGN KEY ("page_id") REFERENCES "public"."stations"("page_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "stations_state_name_idx" ON "stations" USING btree ("state",lower("name"));