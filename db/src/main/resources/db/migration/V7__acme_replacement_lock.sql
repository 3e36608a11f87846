-- One row per certificate that an ACME order has asked to replace (RFC 9773 §5). New orders naming the same
-- certificate lock this row (SELECT ... FOR UPDATE) in their transaction, so "is another replacement in progress?"
-- and the insert of the new order happen one node and one request at a time: concurrent replacements of one
-- certificate are accepted once.
CREATE TABLE acme_replacement_lock (
    cert_id VARCHAR(200) NOT NULL PRIMARY KEY
);
