-- Where the audit log is forwarded to, and how far: the last row a receiver took, so that
-- rows written while it was away are sent when it is back.
CREATE TABLE audit_forwarding (
    destination TEXT PRIMARY KEY,
    last_id BIGINT NOT NULL,
    forwarded BIGINT NOT NULL DEFAULT 0,
    last_error TEXT,
    updated_at_ms BIGINT NOT NULL
);
