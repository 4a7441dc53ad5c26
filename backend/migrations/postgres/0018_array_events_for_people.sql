-- People may also ask for the rules' messages about the arrays in their scope.
ALTER TABLE notification_subscriptions DROP CONSTRAINT notification_subscriptions_topic_check;
ALTER TABLE notification_subscriptions ADD CONSTRAINT notification_subscriptions_topic_check CHECK (
    topic IN ('approval_waiting', 'approval_decided', 'array_events')
);
