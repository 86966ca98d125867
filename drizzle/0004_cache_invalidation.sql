-- Rows that instances cache in memory announce their changes on the channel "fetcha_cache", so
-- that every instance drops its copy at once, whoever made the change (another instance, a
-- script, an operator in psql). The payload is "<topic>:<id>[:<id>]", built from the trigger's
-- arguments: the topic, then the columns that identify what changed. PostgreSQL folds identical
-- notifications of one transaction into one, so a bulk change costs one message per topic.
CREATE FUNCTION "notify_cache_change"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  changed jsonb;
  payload text;
  i integer;
BEGIN
  FOREACH changed IN ARRAY CASE TG_OP
    WHEN 'INSERT' THEN ARRAY[to_jsonb(NEW)]
    WHEN 'DELETE' THEN ARRAY[to_jsonb(OLD)]
    ELSE ARRAY[to_jsonb(OLD), to_jsonb(NEW)]
  END LOOP
    payload := TG_ARGV[0];
    FOR i IN 1 .. TG_NARGS - 1 LOOP
      payload := payload || ':' || coalesce(changed ->> TG_ARGV[i], '');
    END LOOP;
    PERFORM pg_notify('fetcha_cache', payload);
  END LOOP;
  RETURN NULL;
END
$$;
--> statement-breakpoint
-- Key lookups: only the columns that decide whether a key works (not last_used, written often).
CREATE TRIGGER "api_keys_cache_change" AFTER UPDATE OF "key_hash", "user_id", "is_active", "expires_at", "deleted_at" OR DELETE ON "api_keys"
  FOR EACH ROW EXECUTE FUNCTION "notify_cache_change"('key', 'id');
--> statement-breakpoint
-- Key lookups carry the owner: whether the account is active and its tier (not login counters).
CREATE TRIGGER "users_cache_change" AFTER UPDATE OF "is_active", "tier" OR DELETE ON "users"
  FOR EACH ROW EXECUTE FUNCTION "notify_cache_change"('user', 'id');
--> statement-breakpoint
CREATE TRIGGER "tiers_cache_change" AFTER UPDATE OR DELETE ON "tiers"
  FOR EACH ROW EXECUTE FUNCTION "notify_cache_change"('tier', 'name');
--> statement-breakpoint
CREATE TRIGGER "stations_cache_change" AFTER INSERT OR UPDATE OR DELETE ON "stations"
  FOR EACH ROW EXECUTE FUNCTION "notify_cache_change"('state', 'state');
--> statement-breakpoint
CREATE TRIGGER "state_catalogues_cache_change" AFTER INSERT OR UPDATE OR DELETE ON "state_catalogues"
  FOR EACH ROW EXECUTE FUNCTION "notify_cache_change"('state', 'state');
--> statement-breakpoint
-- Observations of a station-month are always written together with its station_months row.
CREATE TRIGGER "station_months_cache_change" AFTER INSERT OR UPDATE OR DELETE ON "station_months"
  FOR EACH ROW EXECUTE FUNCTION "notify_cache_change"('month', 'page_id', 'month');
