-- A rule may tell again every so many hours while its condition holds, and hold messages made
-- in its quiet hours until they end.
ALTER TABLE notification_rules ADD COLUMN repeat_hours BIGINT;
ALTER TABLE notification_rules ADD COLUMN quiet_hours TEXT;

-- When a raised condition was last told: the guard that makes a reminder go once.
ALTER TABLE notification_conditions ADD COLUMN told_at_ms BIGINT;
UPDATE notification_conditions SET told_at_ms = (
    SELECT created_at_ms FROM notification_events WHERE notification_events.id = notification_conditions.event_id
);

-- A message made in quiet hours is queued to go when they end.
ALTER TABLE notification_deliveries ADD COLUMN not_before_ms BIGINT;
