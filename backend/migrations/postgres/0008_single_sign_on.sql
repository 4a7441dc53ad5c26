-- Users who sign in through the identity provider: its issuer and their subject there. Their
-- role, arrays and array username are set from the provider's claims at each sign-in, and they
-- have no password the portal would accept.
ALTER TABLE users ADD COLUMN sso_subject TEXT;

-- Sign-ins under way at the provider: the state sent (by its SHA-256), the nonce the ID token
-- must carry and the PKCE verifier, kept until the provider sends the browser back, once.
CREATE TABLE oidc_logins (
    state_hash TEXT PRIMARY KEY,
    nonce TEXT NOT NULL,
    verifier TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
