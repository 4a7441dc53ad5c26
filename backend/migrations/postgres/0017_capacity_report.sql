-- One row at most: when the capacity and protection report goes out, and through which
-- channel. `last_due_at_ms` is the due time last sent for: claiming the next one in the
-- transaction that writes its event makes it go once whichever replica leads.
CREATE TABLE notification_report (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    channel_id BIGINT NOT NULL REFERENCES notification_channels (id),
    weekday BIGINT NOT NULL,
    hour BIGINT NOT NULL,
    utc_offset_minutes BIGINT NOT NULL,
    last_due_at_ms BIGINT NOT NULL,
    last_sent_at_ms BIGINT
);

-- A report's event carries the report itself (JSON), from which its mail is written.
ALTER TABLE notification_events ADD COLUMN report TEXT;
