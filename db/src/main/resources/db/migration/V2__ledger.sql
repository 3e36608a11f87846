-- Audit ledger (RELIABILITY I10, N6): an append-only Merkle log (RFC 9162 section 2.1) with signed checkpoints.
-- Runs unchanged on H2 (2.x) and PostgreSQL. Rows are never updated except leaf_index (NULL -> assigned once).
--
-- Appends are one INSERT in the caller's transaction and never touch a shared row, so they do not serialise.
-- An integrator later gives committed entries contiguous leaf indices 0..n-1 under the ledger_head row lock.
-- The id comes from a sequence (not an identity column) because the leaf hash covers it and is computed before
-- the INSERT.
CREATE SEQUENCE ledger_entry_id_seq START WITH 1 INCREMENT BY 1;

CREATE TABLE ledger_entry (
    id          BIGINT        NOT NULL PRIMARY KEY,
    leaf_index  BIGINT,
    recorded_at TIMESTAMP WITH TIME ZONE NOT NULL,
    event_type  VARCHAR(64)   NOT NULL,
    actor       VARCHAR(256)  NOT NULL,
    subject     VARCHAR(1024) NOT NULL,
    details     VARCHAR(65536) NOT NULL,
    leaf_hash   BYTEA         NOT NULL,
    CONSTRAINT ux_ledger_entry_leaf UNIQUE (leaf_index)
);
-- Finds unintegrated entries (leaf_index IS NULL) in id order, and pages by leaf index.
CREATE INDEX ix_ledger_entry_pending ON ledger_entry (leaf_index, id);
CREATE INDEX ix_ledger_entry_recorded ON ledger_entry (recorded_at);

-- The single integration head (id = 1): the integrated tree size, its root and the compact range (the roots of
-- the perfect subtrees of the tree, left to right, concatenated 32-byte hashes). Integrators lock it FOR UPDATE.
-- root_hash and frontier are NULL while the tree is empty.
CREATE TABLE ledger_head (
    id         INTEGER NOT NULL PRIMARY KEY,
    tree_size  BIGINT  NOT NULL,
    root_hash  BYTEA,
    frontier   BYTEA,
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT ck_ledger_head_single CHECK (id = 1)
);
INSERT INTO ledger_head (id, tree_size, root_hash, frontier, updated_at) VALUES (1, 0, NULL, NULL, CURRENT_TIMESTAMP);

-- Signed tree heads. The signed body is "hallmark-ledger/v1\n<tree_size>\n<base64 root>\n<epoch millis>\n".
CREATE TABLE ledger_checkpoint (
    tree_size           BIGINT       NOT NULL PRIMARY KEY,
    root_hash           BYTEA        NOT NULL,
    signed_at           TIMESTAMP WITH TIME ZONE NOT NULL,
    key_alias           VARCHAR(128) NOT NULL,
    signature_algorithm VARCHAR(32)  NOT NULL,
    signature           BYTEA        NOT NULL
);
