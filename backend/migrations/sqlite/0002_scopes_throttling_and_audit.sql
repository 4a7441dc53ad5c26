-- The arrays a user may act on, as names separated by commas; NULL: every array.
ALTER TABLE users ADD COLUMN arrays TEXT;
-- The array username the user acts as on arrays set up for per-user identity; NULL: the
-- portal username.
ALTER TABLE users ADD COLUMN array_username TEXT;

-- Failed sign-ins, by username and by client address, for throttling.
CREATE TABLE login_failures (
    subject TEXT NOT NULL,
    at BIGINT NOT NULL
);

CREATE INDEX login_failures_subject ON login_failures (subject, at);

-- One row per mutating request, written as 'pending' before anything reaches an array and
-- completed after, so that a crash leaves a pending row rather than no row.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at_ms BIGINT NOT NULL,
    username TEXT NOT NULL,
    array_name TEXT,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    parameters TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('pending', 'success', 'failure')),
    status BIGINT,
    message TEXT,
    duration_ms BIGINT,
    request_id TEXT NOT NULL
);

CREATE INDEX audit_log_started_at ON audit_log (started_at_ms);
