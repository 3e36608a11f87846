-- When an ACME order entered "processing" (finalize began issuing) and when a challenge did (its validation began).
-- One still processing long after that was left by a node that stopped mid-way: housekeeping settles it (an order
-- from the certificate the authority stored for it, or invalid; a challenge invalid), see StuckProcessing.
ALTER TABLE acme_order ADD COLUMN processing_since TIMESTAMP WITH TIME ZONE;
CREATE INDEX ix_acme_order_processing ON acme_order (status, processing_since);
ALTER TABLE acme_challenge ADD COLUMN processing_since TIMESTAMP WITH TIME ZONE;
CREATE INDEX ix_acme_challenge_processing ON acme_challenge (status, processing_since);
