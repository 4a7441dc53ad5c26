-- People may also ask for the rules' messages about the arrays in their scope. SQLite cannot
-- change a CHECK constraint, so the table is rebuilt with its rows.
CREATE TABLE notification_subscriptions_rebuilt (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    topic TEXT NOT NULL CHECK (topic IN ('approval_waiting', 'approval_decided', 'array_events')),
    PRIMARY KEY (user_id, topic)
);

INSERT INTO notification_subscriptions_rebuilt (user_id, topic)
SELECT user_id, topic FROM notification_subscriptions;

DROP TABLE notification_subscriptions;
ALTER TABLE notification_subscriptions_rebuilt RENAME TO notification_subscriptions;
