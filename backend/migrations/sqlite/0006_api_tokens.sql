-- Personal API tokens: only a SHA-256 of each is stored, as for sessions. A token works with
-- at most its user's role and arrays; revoking one deletes its row.
CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
    arrays TEXT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    last_used_at BIGINT,
    last_used_from TEXT,
    UNIQUE (user_id, name)
);

-- A session opened with a token (a script's REST login through the portal) keeps its limits.
ALTER TABLE sessions ADD COLUMN api_token_id BIGINT REFERENCES api_tokens (id) ON DELETE CASCADE;

-- The token a change came with; NULL for the browser.
ALTER TABLE audit_log ADD COLUMN token_name TEXT;
