-- A sign-in under way at the identity provider is now kept, sealed, in a cookie of the browser
-- that began it, so that only that browser can finish it and nothing is stored before it does.
DROP TABLE oidc_logins;
