-- Silences: while one is in force, nothing is told for its rule (on its array, when it names
-- one); what still holds when it ends is told then.
CREATE TABLE notification_silences (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    rule_id BIGINT NOT NULL REFERENCES notification_rules (id) ON DELETE CASCADE,
    array_name TEXT,
    reason TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL,
    until_ms BIGINT NOT NULL
);

CREATE INDEX notification_silences_until ON notification_silences (until_ms);
