-- Access tokens name their session (the refresh-token family, claim "sid"), and every instance
-- keeps in memory which sessions are live. Revoking a session's tokens (logout, log out
-- everywhere, a password change or reset, a replayed refresh token, a deactivation) announces
-- the family on the cache channel, so its access tokens stop working at once on every instance.
CREATE TRIGGER "refresh_tokens_cache_change" AFTER UPDATE OF "revoked_at" OR DELETE ON "refresh_tokens"
  FOR EACH ROW EXECUTE FUNCTION "notify_cache_change"('session', 'family_id');
