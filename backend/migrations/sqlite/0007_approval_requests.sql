-- Changes waiting for a second person: the database is the queue, so requests outlive restarts
-- and every replica sees the same ones. A decision claims a pending row with a conditional
-- UPDATE, so two approvers at once run the change once.
CREATE TABLE approval_requests (
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
    state TEXT NOT NULL CHECK (state IN ('pending', 'running', 'executed', 'failed', 'rejected', 'expired')),
    decided_by TEXT,
    decided_at_ms BIGINT,
    comment TEXT,
    outcome_status BIGINT,
    outcome_message TEXT
);

CREATE INDEX approval_requests_state ON approval_requests (state, id);
