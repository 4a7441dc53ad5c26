-- An approved change may wait for a maintenance window: it runs once, when the window begins,
-- and is failed unrun if the window ends first; until then it may be cancelled. SQLite cannot
-- change a CHECK constraint, so the table is rebuilt with its rows.
CREATE TABLE approval_requests_rebuilt (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    requester_id BIGINT NOT NULL REFERENCES users (id),
    requester TEXT NOT NULL,
    requester_role TEXT NOT NULL,
    action TEXT NOT NULL,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    body TEXT NOT NULL,
    array_name TEXT,
    target TEXT NOT NULL,
    parameters TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL,
    expires_at_ms BIGINT NOT NULL,
    state TEXT NOT NULL CHECK (
        state IN ('pending', 'running', 'executed', 'failed', 'rejected', 'expired', 'scheduled', 'cancelled')
    ),
    decided_by TEXT,
    decided_at_ms BIGINT,
    comment TEXT,
    outcome_status BIGINT,
    outcome_message TEXT,
    api_token_id BIGINT,
    window_starts_at_ms BIGINT,
    window_hours BIGINT,
    cancelled_by TEXT
);

INSERT INTO approval_requests_rebuilt (
    id, requester_id, requester, requester_role, action, method, path, body, array_name, target,
    parameters, reason, created_at_ms, expires_at_ms, state, decided_by, decided_at_ms, comment,
    outcome_status, outcome_message, api_token_id
)
SELECT
    id, requester_id, requester, requester_role, action, method, path, body, array_name, target,
    parameters, reason, created_at_ms, expires_at_ms, state, decided_by, decided_at_ms, comment,
    outcome_status, outcome_message, api_token_id
FROM approval_requests;

DROP TABLE approval_requests;
ALTER TABLE approval_requests_rebuilt RENAME TO approval_requests;
CREATE INDEX approval_requests_state ON approval_requests (state, id);
