-- Inventory search: the explorer's text filters ("contains", ILIKE '%…%') are looked up in the
-- people, principals and projects first, then entitlements are read by principal key or
-- project id (`app/src/backend/inventory/query.rs`). Trigram indexes make those lookups index
-- scans instead of reading every row. pg_trgm ships with PostgreSQL and is a trusted extension,
-- so the database owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE INDEX person_name_trgm ON person USING gin (name gin_trgm_ops);
CREATE INDEX person_email_trgm ON person USING gin (email gin_trgm_ops);
CREATE INDEX principal_username_trgm ON principal USING gin (username gin_trgm_ops);
CREATE INDEX principal_display_name_trgm ON principal USING gin (display_name gin_trgm_ops);
CREATE INDEX snapshot_project_name_trgm ON snapshot_project USING gin (name gin_trgm_ops);
