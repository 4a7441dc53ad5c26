-- A change asked for with a personal API token runs, once approved, within that token's limits:
-- the token is remembered with the request (no foreign key: a revoked token stops the run).
ALTER TABLE approval_requests ADD COLUMN api_token_id BIGINT;
