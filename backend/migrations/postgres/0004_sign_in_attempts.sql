-- Each sign-in attempt is recorded before its password is checked, under an id, so that
-- parallel attempts are counted as they arrive: `failed` is 0 while it runs, 1 once its
-- password was wrong; a successful attempt deletes its rows.
ALTER TABLE login_failures ADD COLUMN attempt TEXT;
ALTER TABLE login_failures ADD COLUMN failed BIGINT NOT NULL DEFAULT 1;

CREATE INDEX login_failures_attempt ON login_failures (attempt);
CREATE INDEX login_failures_at ON login_failures (at);
