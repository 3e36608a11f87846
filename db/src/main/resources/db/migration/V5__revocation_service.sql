-- Revocation service: OCSP change feed and CRLs. Runs unchanged on H2 (2.x) and PostgreSQL.

-- When a serial's revocation status last changed (revoked, or reason raised), by the revoking node's clock. OCSP
-- responders on every node poll it (with an overlap window) to replace cached responses; delta CRLs read it.
ALTER TABLE serial_number ADD COLUMN status_changed_at TIMESTAMP WITH TIME ZONE;
UPDATE serial_number SET status_changed_at = revoked_at WHERE revoked_at IS NOT NULL;
CREATE INDEX ix_serial_status_changed ON serial_number (status_changed_at);
-- OCSP pre-signing and CRL sweeps walk the serials that still matter.
CREATE INDEX ix_serial_not_after ON serial_number (issuer, not_after);

-- Every revoked, non-aborted serial in the few columns a CRL needs (times as epoch seconds, the reason as its
-- CRLReason code), written in the revocation's own transaction. CRLs stream from here: a narrow row reads several
-- times faster than a serial_number row, and a CRL of a million entries is one scan. serial_number stays the
-- authority; 'hallmark verify' checks the published CRLs against it.
CREATE TABLE revoked_serial (
    issuer       VARCHAR(64) NOT NULL,
    serial       VARCHAR(42) NOT NULL,
    not_after_s  BIGINT      NOT NULL,
    revoked_at_s BIGINT      NOT NULL,
    reason_code  INTEGER     NOT NULL,
    CONSTRAINT pk_revoked_serial PRIMARY KEY (issuer, serial)
);
INSERT INTO revoked_serial (issuer, serial, not_after_s, revoked_at_s, reason_code)
    SELECT issuer, serial, CAST(EXTRACT(EPOCH FROM not_after) AS BIGINT), CAST(EXTRACT(EPOCH FROM revoked_at) AS BIGINT),
           CASE revocation_reason WHEN 'KEY_COMPROMISE' THEN 1 WHEN 'CA_COMPROMISE' THEN 2
                WHEN 'AFFILIATION_CHANGED' THEN 3 WHEN 'SUPERSEDED' THEN 4 WHEN 'CESSATION_OF_OPERATION' THEN 5
                WHEN 'PRIVILEGE_WITHDRAWN' THEN 9 WHEN 'AA_COMPROMISE' THEN 10 ELSE 0 END
    FROM serial_number WHERE revoked_at IS NOT NULL AND state <> 'ABORTED';

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
