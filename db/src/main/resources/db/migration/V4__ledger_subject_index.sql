-- Finds the ledger entries about one subject (a certificate's issuance entry for its inclusion proof) without a scan.
CREATE INDEX ix_ledger_entry_subject ON ledger_entry (subject, event_type);
