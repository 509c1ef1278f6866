-- Snapshot operations: usage kept beyond Atlas's retention, live progress of a running
-- snapshot, and the one sanctioned, audited way to delete old snapshots (retention).

-- When each principal last used its access, as harvested from Atlas: `lastAuth` of Atlas
-- users and the newest successful authentication in a cluster's database access history for
-- database users. Atlas keeps access history only for a short while; this table keeps the
-- newest sighting for as long as Attest runs. No row means Atlas had no usage data.
CREATE TABLE principal_usage (
    org_id         TEXT NOT NULL REFERENCES atlas_org(id),
    -- The principal's stable key, as in principal.key (`user:<id>`, `dbuser:<groupId>/...`).
    principal_key  TEXT NOT NULL,
    last_used_at   TIMESTAMPTZ NOT NULL,
    -- Where the newest sighting came from.
    source         TEXT NOT NULL CHECK (source IN ('atlas_last_auth', 'db_access_history')),
    -- When Attest last read it.
    observed_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (org_id, principal_key)
);

-- What a running snapshot has read so far, refreshed while it runs for the progress view.
-- Not evidence (the request log is): it is kept after the run only to show the last state.
CREATE TABLE snapshot_progress (
    snapshot_id    UUID PRIMARY KEY REFERENCES snapshot(id),
    step           TEXT NOT NULL,
    pages_fetched  INTEGER NOT NULL DEFAULT 0,
    -- Items received so far per kind, e.g. {"users": 120, "database_users": 40}.
    items          JSONB NOT NULL DEFAULT '{}',
    updated_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Retention never deletes a snapshot a campaign froze: the retention code skips snapshots named
-- in campaign_snapshot or review_item, and those tables' foreign keys (campaign migration,
-- no ON DELETE CASCADE) refuse the deletion even if the code forgot to look.

-- Retention: a complete snapshot may be deleted only inside a transaction that first set
-- `attest.deleting_snapshot` to its id (set_config(..., true): transaction-local) and wrote
-- its `snapshot.deleted` audit event. Anything else is refused as before, so the only way to
-- lose a complete snapshot is the audited one. The content rows follow the same setting.
CREATE OR REPLACE FUNCTION snapshot_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.status = 'complete' AND NOT (
            current_setting('attest.deleting_snapshot', true) = OLD.id::text
            AND EXISTS (SELECT 1 FROM audit_event
                        WHERE object_kind = 'snapshot' AND object_id = OLD.id::text
                          AND action = 'snapshot.deleted')
        ) THEN
            RAISE EXCEPTION 'snapshot % is complete and cannot be deleted', OLD.id
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.status <> 'running' THEN
        RAISE EXCEPTION 'snapshot % is % and can no longer change', OLD.id, OLD.status
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$;

CREATE OR REPLACE FUNCTION snapshot_content_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    parent_status TEXT;
BEGIN
    IF TG_OP = 'DELETE'
       AND current_setting('attest.deleting_snapshot', true) = OLD.snapshot_id::text THEN
        RETURN OLD;
    END IF;
    SELECT status INTO parent_status FROM snapshot WHERE id = OLD.snapshot_id;
    IF parent_status = 'complete' OR (TG_OP = 'UPDATE' AND parent_status = 'failed') THEN
        RAISE EXCEPTION '% rows of a % snapshot cannot be changed (%)', TG_TABLE_NAME,
            parent_status, TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$;
