-- Administrator credentials are bearer tokens or mutual-TLS client certificates. For both, token_sha256 holds a
-- SHA-256: of the token (never the token itself), or of the client certificate's DER (its fingerprint).
ALTER TABLE admin_credential ADD COLUMN kind VARCHAR(16) DEFAULT 'token' NOT NULL;
