-- Arrays an admin registered in the portal. The whole registration, credentials included,
-- is sealed with the operator's secret key; only the name is in the clear.
CREATE TABLE registered_arrays (
    name TEXT PRIMARY KEY,
    sealed TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
