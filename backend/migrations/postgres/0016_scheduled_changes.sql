-- An approved change may wait for a maintenance window: it runs once, when the window begins,
-- and is failed unrun if the window ends first; until then it may be cancelled.
ALTER TABLE approval_requests DROP CONSTRAINT approval_requests_state_check;
ALTER TABLE approval_requests ADD CONSTRAINT approval_requests_state_check CHECK (
    state IN ('pending', 'running', 'executed', 'failed', 'rejected', 'expired', 'scheduled', 'cancelled')
);
ALTER TABLE approval_requests ADD COLUMN window_starts_at_ms BIGINT;
ALTER TABLE approval_requests ADD COLUMN window_hours BIGINT;
ALTER TABLE approval_requests ADD COLUMN cancelled_by TEXT;
