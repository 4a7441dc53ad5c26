-- Notifications. A channel's receiver (a webhook's address, or an email channel's server, account
-- and addresses) and signing secret are sealed like array credentials.
-- The outbox: an event and its deliveries are written in the transaction that records the
-- condition raised or cleared (notification_conditions), so a condition is announced once
-- however many replicas watch; the job queue then carries each delivery, keyed by its id.
CREATE TABLE notification_channels (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('webhook', 'slack', 'teams', 'email')),
    host TEXT NOT NULL,
    sealed_receiver TEXT NOT NULL,
    sealed_signing_secret TEXT,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE notification_rules (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    condition TEXT NOT NULL,
    arrays TEXT,
    channels TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE notification_events (
    id BIGSERIAL PRIMARY KEY,
    rule_id BIGINT NOT NULL,
    rule_name TEXT NOT NULL,
    array_name TEXT NOT NULL,
    resolved BIGINT NOT NULL,
    summary TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL
);

-- What is raised now: one row per rule, array and subject (an alert rule's alert code; empty
-- for the others) while its condition holds.
CREATE TABLE notification_conditions (
    rule_id BIGINT NOT NULL REFERENCES notification_rules (id) ON DELETE CASCADE,
    array_name TEXT NOT NULL,
    subject TEXT NOT NULL,
    event_id BIGINT NOT NULL,
    PRIMARY KEY (rule_id, array_name, subject)
);

CREATE TABLE notification_deliveries (
    id BIGSERIAL PRIMARY KEY,
    event_id BIGINT NOT NULL REFERENCES notification_events (id),
    channel_id BIGINT NOT NULL,
    channel_name TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
    queued BIGINT NOT NULL DEFAULT 0,
    attempts BIGINT NOT NULL DEFAULT 0,
    last_error TEXT,
    delivered_at_ms BIGINT
);

CREATE INDEX notification_deliveries_unqueued ON notification_deliveries (queued, id);
