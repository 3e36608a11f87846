-- Revocation service: OCSP change feed and CRLs. Runs unchanged on H2 (2.x) and PostgreSQL.

-- When a serial's revocation status last changed (revoked, or reason raised), by the revoking node's clock. OCSP
-- responders on every node poll it (with an overlap window) to replace cached responses; delta CRLs read it.
ALTER TABLE serial_number ADD COLUMN status_changed_at TIMESTAMP WITH TIME ZONE;
UPDATE serial_number SET status_changed_at = revoked_at WHERE revoked_at IS NOT NULL;
CREATE INDEX ix_serial_status_changed ON serial_number (status_changed_at);
-- OCSP pre-signing and CRL sweeps walk the serials that still matter.
CREATE INDEX ix_serial_not_after ON serial_number (issuer, not_after);

-- One row per CA: the last CRL number handed out (complete, delta and shard CRLs share one strictly increasing
-- sequence, RFC 5280 5.2.3 and 5.2.4) and the builder lease. A builder takes the lease with one conditional
-- UPDATE, so at most one node builds a CA's CRLs at a time; a crashed builder's lease simply runs out.
CREATE TABLE crl_number (
    issuer       VARCHAR(64)  NOT NULL PRIMARY KEY,
    last_number  BIGINT       NOT NULL,
    lease_holder VARCHAR(128),
    lease_until  TIMESTAMP WITH TIME ZONE
);

-- Every CRL signed and published. kind: complete, shard, delta. shard: 0..n-1 for kind shard, else -1.
-- base_number: the complete CRL a delta CRL applies to. Old rows are pruned after they expire.
CREATE TABLE crl (
    issuer      VARCHAR(64)  NOT NULL,
    crl_number  BIGINT       NOT NULL,
    kind        VARCHAR(16)  NOT NULL,
    shard       INTEGER      NOT NULL,
    base_number BIGINT,
    this_update TIMESTAMP WITH TIME ZONE NOT NULL,
    next_update TIMESTAMP WITH TIME ZONE NOT NULL,
    entries     BIGINT       NOT NULL,
    der_length  BIGINT       NOT NULL,
    sha256      VARCHAR(64)  NOT NULL,
    der         BYTEA        NOT NULL,
    built_by    VARCHAR(128) NOT NULL,
    CONSTRAINT pk_crl PRIMARY KEY (issuer, crl_number)
);
CREATE INDEX ix_crl_latest ON crl (issuer, kind, shard, crl_number);
