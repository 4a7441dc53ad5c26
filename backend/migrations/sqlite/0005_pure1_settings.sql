-- The portal's Pure1 connection (`connection`) and the key pair it generated for an admin to
-- register in Pure1 (`generated_key`), each sealed with the operator's secret key.
CREATE TABLE pure1_settings (
    name TEXT PRIMARY KEY,
    sealed TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
