-- Authority core schema. Runs unchanged on H2 (2.x) and PostgreSQL; additive changes only from here on.
-- Serials are stored as lower-case hex of the positive integer, without leading zeros.

CREATE TABLE ca (
    name                VARCHAR(64)   NOT NULL PRIMARY KEY,
    parent_name         VARCHAR(64),
    subject             VARCHAR(1024) NOT NULL,
    key_alias           VARCHAR(128)  NOT NULL,
    key_type            VARCHAR(32)   NOT NULL,
    signature_algorithm VARCHAR(32)   NOT NULL,
    certificate_der     BYTEA         NOT NULL,
    serial              VARCHAR(42)   NOT NULL,
    not_before          TIMESTAMP WITH TIME ZONE NOT NULL,
    not_after           TIMESTAMP WITH TIME ZONE NOT NULL,
    created_at          TIMESTAMP WITH TIME ZONE NOT NULL
);

-- One row per serial ever reserved, written (with the ledger's "signing" entry) before the CA key signs.
-- state: SIGNING (intent committed; outcome unknown until ISSUED or ABORTED), ISSUED, ABORTED.
-- A row is never deleted, so a serial is never reused; revocation lives here so that an
-- "outcome unknown" serial is revocable and answerable too.
CREATE TABLE serial_number (
    issuer            VARCHAR(64)  NOT NULL,
    serial            VARCHAR(42)  NOT NULL,
    state             VARCHAR(16)  NOT NULL,
    tbs_sha256        VARCHAR(64)  NOT NULL,
    spki_sha256       VARCHAR(64)  NOT NULL,
    requester         VARCHAR(256) NOT NULL,
    profile           VARCHAR(64)  NOT NULL,
    profile_version   INTEGER      NOT NULL,
    not_after         TIMESTAMP WITH TIME ZONE NOT NULL,
    reserved_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    completed_at      TIMESTAMP WITH TIME ZONE,
    revoked_at        TIMESTAMP WITH TIME ZONE,
    revocation_reason VARCHAR(32),
    CONSTRAINT pk_serial_number PRIMARY KEY (issuer, serial)
);
CREATE INDEX ix_serial_state ON serial_number (state, reserved_at);
CREATE INDEX ix_serial_revoked ON serial_number (issuer, revoked_at);

CREATE TABLE certificate (
    issuer             VARCHAR(64)   NOT NULL,
    serial             VARCHAR(42)   NOT NULL,
    der                BYTEA         NOT NULL,
    sha256_fingerprint VARCHAR(64)   NOT NULL,
    subject            VARCHAR(1024) NOT NULL,
    spki_sha256        VARCHAR(64)   NOT NULL,
    not_before         TIMESTAMP WITH TIME ZONE NOT NULL,
    not_after          TIMESTAMP WITH TIME ZONE NOT NULL,
    profile            VARCHAR(64)   NOT NULL,
    profile_version    INTEGER       NOT NULL,
    requester          VARCHAR(256)  NOT NULL,
    provenance         VARCHAR(4000) NOT NULL,
    issued_at          TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT pk_certificate PRIMARY KEY (issuer, serial),
    CONSTRAINT fk_certificate_serial FOREIGN KEY (issuer, serial) REFERENCES serial_number (issuer, serial)
);
CREATE INDEX ix_certificate_not_after ON certificate (not_after);
CREATE INDEX ix_certificate_profile ON certificate (profile);
CREATE INDEX ix_certificate_spki ON certificate (spki_sha256);
CREATE UNIQUE INDEX ux_certificate_fingerprint ON certificate (sha256_fingerprint);

-- One row per subjectAltName entry, for search (type: dns, ip, email, uri).
CREATE TABLE certificate_san (
    issuer    VARCHAR(64)  NOT NULL,
    serial    VARCHAR(42)  NOT NULL,
    san_type  VARCHAR(8)   NOT NULL,
    san_value VARCHAR(512) NOT NULL,
    CONSTRAINT fk_san_certificate FOREIGN KEY (issuer, serial) REFERENCES certificate (issuer, serial)
);
CREATE INDEX ix_san_value ON certificate_san (san_value);
CREATE INDEX ix_san_cert ON certificate_san (issuer, serial);

-- Keys revoked for keyCompromise: never certified again by any CA here.
CREATE TABLE blocked_key (
    spki_sha256 VARCHAR(64) NOT NULL PRIMARY KEY,
    reason      VARCHAR(32) NOT NULL,
    issuer      VARCHAR(64) NOT NULL,
    serial      VARCHAR(42) NOT NULL,
    blocked_at  TIMESTAMP WITH TIME ZONE NOT NULL
);

-- Admin credentials: only a SHA-256 of the token is stored; the token is shown once.
CREATE TABLE admin_credential (
    id         VARCHAR(32)  NOT NULL PRIMARY KEY,
    name       VARCHAR(128) NOT NULL,
    role       VARCHAR(16)  NOT NULL,
    token_sha256 VARCHAR(64) NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL,
    revoked_at TIMESTAMP WITH TIME ZONE
);
CREATE UNIQUE INDEX ux_admin_credential_hash ON admin_credential (token_sha256);

-- The digest of each loaded configuration document (profiles, policy), so changes are audited once.
CREATE TABLE config_state (
    name       VARCHAR(64) NOT NULL PRIMARY KEY,
    sha256     VARCHAR(64) NOT NULL,
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL
);
