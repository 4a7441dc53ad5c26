-- Each sign-in attempt is recorded before its password is checked, under an id, so that a
-- throttled or successful attempt can take back its own rows.
ALTER TABLE login_failures ADD COLUMN attempt TEXT;

CREATE INDEX login_failures_attempt ON login_failures (attempt);
CREATE INDEX login_failures_at ON login_failures (at);
