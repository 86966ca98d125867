-- One call decides a quota lease grant, so that a grant costs one round trip instead of a
-- transaction of six. It runs as the grant transaction did: the user's monthly counter row is
-- locked first, which serialises every instance's decision for that user and month, and each
-- statement after the lock takes a fresh snapshot (a volatile function under READ COMMITTED),
-- so it sees every lease another instance committed before the lock was granted.
-- Answers the block granted (0: nothing left) and what was held before it: counted requests
-- plus the live leases of every instance, this one's included.
CREATE FUNCTION "grant_quota_lease"(
  p_instance uuid, p_user integer, p_month text, p_quota integer,
  p_max_block integer, p_divisor integer, p_now timestamptz, p_expires_at timestamptz
) RETURNS TABLE ("granted" integer, "held" integer) LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  counted integer;
  others integer;
  mine integer;
  available integer;
  block integer;
BEGIN
  INSERT INTO "monthly_usage" ("user_id", "month", "last_updated") VALUES (p_user, p_month, p_now) ON CONFLICT DO NOTHING;
  SELECT m."total_requests" INTO counted FROM "monthly_usage" m WHERE m."user_id" = p_user AND m."month" = p_month FOR UPDATE;
  SELECT coalesce(sum(q."granted"), 0)::integer INTO others FROM "quota_leases" q
    WHERE q."user_id" = p_user AND q."month" = p_month AND q."expires_at" > p_now AND q."instance_id" <> p_instance;
  SELECT q."granted" INTO mine FROM "quota_leases" q
    WHERE q."instance_id" = p_instance AND q."user_id" = p_user AND q."month" = p_month;
  held := counted + others + coalesce(mine, 0);
  available := p_quota - held;
  IF available <= 0 THEN
    granted := 0;
    RETURN NEXT;
    RETURN;
  END IF;
  block := least(available, p_max_block, greatest(1, available / p_divisor));
  INSERT INTO "quota_leases" ("instance_id", "user_id", "month", "granted", "expires_at")
    VALUES (p_instance, p_user, p_month, block, p_expires_at)
    ON CONFLICT ("instance_id", "user_id", "month") DO UPDATE
    SET "granted" = "quota_leases"."granted" + block, "expires_at" = p_expires_at;
  granted := block;
  RETURN NEXT;
END
$$;
