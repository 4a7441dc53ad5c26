-- Mail to people about themselves: an approval request they may decide, their own request
-- decided. A person gives their address and chooses the topics; an admin chooses the email
-- channel whose server sends such mail (its own recipients are left out of it).
ALTER TABLE users ADD COLUMN email TEXT;

CREATE TABLE notification_subscriptions (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    topic TEXT NOT NULL CHECK (topic IN ('approval_waiting', 'approval_decided')),
    PRIMARY KEY (user_id, topic)
);

-- One row at most: the channel mail to people goes through.
CREATE TABLE notification_personal_mail (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    channel_id BIGINT NOT NULL REFERENCES notification_channels (id)
);

-- A personal event's summary is its whole message; a personal delivery goes to one address.
ALTER TABLE notification_events ADD COLUMN topic TEXT;
ALTER TABLE notification_deliveries ADD COLUMN recipient TEXT;
