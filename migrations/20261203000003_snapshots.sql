-- Snapshots: connected Atlas organizations, each complete-or-failed pull of one, the evidence
-- of how it was read (request log and raw pages), and what it found (principals and
-- entitlements). A complete snapshot and everything in it is immutable.

-- An Atlas organization Attest reads. Credentials are not stored here.
CREATE TABLE atlas_org (
    id            TEXT PRIMARY KEY CHECK (id ~ '^[0-9a-f]{24}$'),
    name          TEXT NOT NULL,
    base_url      TEXT NOT NULL,
    connected_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE snapshot (
    id                UUID PRIMARY KEY,
    org_id            TEXT NOT NULL REFERENCES atlas_org(id),
    status            TEXT NOT NULL CHECK (status IN ('running', 'complete', 'failed')),
    started_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    finished_at       TIMESTAMPTZ,
    -- Who or what started it: an Attest user, or the command line or scheduler.
    started_by        UUID REFERENCES app_user(id),
    started_by_label  TEXT NOT NULL,
    -- Extraction parameters, for the auditor: where Atlas was, which credential read it (the
    -- client id or public key, never a secret), and which version of Attest did the reading.
    atlas_base_url    TEXT NOT NULL,
    credential_id     TEXT NOT NULL,
    app_version       TEXT NOT NULL,
    -- Set on failure: what went wrong and the Atlas request that caused it.
    error             TEXT,
    error_request     JSONB,
    -- Per-kind counts of what was stored, and Atlas's totalCount against the items received.
    counts            JSONB NOT NULL DEFAULT '{}',
    reconciliation    JSONB NOT NULL DEFAULT '[]',
    api_versions      TEXT[] NOT NULL DEFAULT '{}',
    -- SHA-256 over the normalized, sorted principals and entitlements; and over the page hashes.
    content_sha256    TEXT,
    pages_sha256      TEXT,
    CHECK ((status = 'running') = (finished_at IS NULL)),
    CHECK (status <> 'complete' OR content_sha256 IS NOT NULL),
    CHECK (status <> 'failed' OR error IS NOT NULL)
);
CREATE INDEX snapshot_org_started ON snapshot (org_id, started_at DESC);
-- The advisory lock keeps two pulls of one org apart; this index is the last line of defence.
CREATE UNIQUE INDEX snapshot_one_running_per_org ON snapshot (org_id) WHERE status = 'running';

-- Every HTTP attempt of a pull, retries included, in the order they were made.
CREATE TABLE snapshot_request (
    snapshot_id      UUID NOT NULL REFERENCES snapshot(id),
    seq              INTEGER NOT NULL,
    operation        TEXT NOT NULL,
    method           TEXT NOT NULL,
    path             TEXT NOT NULL,
    query            TEXT NOT NULL,
    api_version      TEXT NOT NULL,
    page             INTEGER,
    attempt          INTEGER NOT NULL,
    started_at       TIMESTAMPTZ NOT NULL,
    -- NULL when no response arrived.
    status           INTEGER,
    duration_ms      INTEGER NOT NULL,
    response_sha256  TEXT,
    PRIMARY KEY (snapshot_id, seq)
);

-- The raw body of each response, gzip-compressed; sha256 is of the uncompressed bytes.
CREATE TABLE snapshot_page (
    snapshot_id  UUID NOT NULL,
    request_seq  INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    size_bytes   INTEGER NOT NULL,
    body_gzip    BYTEA NOT NULL,
    PRIMARY KEY (snapshot_id, request_seq),
    FOREIGN KEY (snapshot_id, request_seq) REFERENCES snapshot_request (snapshot_id, seq)
);

-- The projects of the org at the time of the snapshot, for names and cluster counts.
CREATE TABLE snapshot_project (
    snapshot_id    UUID NOT NULL REFERENCES snapshot(id),
    project_id     TEXT NOT NULL,
    name           TEXT NOT NULL,
    cluster_count  BIGINT,
    PRIMARY KEY (snapshot_id, project_id)
);

-- Who holds access. `key` is stable across snapshots (`user:<id>`, `team:<id>`,
-- `dbuser:<groupId>/<authDb>/<username>`, `apikey:<id>`, `sa:<clientId>`, `idp_group:<id>`).
CREATE TABLE principal (
    id                 BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    snapshot_id        UUID NOT NULL REFERENCES snapshot(id),
    key                TEXT NOT NULL,
    kind               TEXT NOT NULL CHECK (kind IN ('atlas_user', 'database_user', 'team',
                           'api_key', 'service_account', 'idp_group')),
    atlas_id           TEXT NOT NULL,
    -- Database users belong to one project.
    project_id         TEXT,
    display_name       TEXT NOT NULL,
    username           TEXT,
    email              TEXT,
    auth_type          TEXT,
    membership_status  TEXT,
    last_auth          TIMESTAMPTZ,
    labels             JSONB NOT NULL DEFAULT '[]',
    UNIQUE (snapshot_id, key)
);
CREATE INDEX principal_kind ON principal (snapshot_id, kind);
CREATE INDEX principal_email ON principal (lower(email));

-- One grant. `key` is stable across snapshots, e.g.
-- `project:<groupId>/user:<userId>/role:GROUP_OWNER` or
-- `project:<groupId>/dbuser:admin/<username>/role:readWrite@sales.orders`.
CREATE TABLE entitlement (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    snapshot_id      UUID NOT NULL REFERENCES snapshot(id),
    key              TEXT NOT NULL,
    principal_key    TEXT NOT NULL,
    grant_path       TEXT NOT NULL CHECK (grant_path IN ('direct', 'team', 'implicit_org_role',
                         'federation_mapping', 'post_auth_grant')),
    scope            TEXT NOT NULL CHECK (scope IN ('org', 'project', 'cluster', 'database',
                         'collection')),
    org_id           TEXT NOT NULL,
    project_id       TEXT,
    -- Empty: every cluster, data lake and stream workspace of the project.
    cluster_names    TEXT[] NOT NULL DEFAULT '{}',
    database_name    TEXT,
    collection_name  TEXT,
    role             TEXT NOT NULL,
    tier             TEXT NOT NULL CHECK (tier IN ('admin', 'write', 'read')),
    via_team_id      TEXT,
    via_mapping_id   TEXT,
    via_org_role     TEXT,
    -- A custom role's privilege actions, inherited roles expanded.
    role_actions     TEXT[] NOT NULL DEFAULT '{}',
    UNIQUE (snapshot_id, key),
    FOREIGN KEY (snapshot_id, principal_key) REFERENCES principal (snapshot_id, key)
);
CREATE INDEX entitlement_principal ON entitlement (snapshot_id, principal_key);
CREATE INDEX entitlement_project ON entitlement (snapshot_id, project_id);

-- A finished snapshot never changes, and a complete one is never deleted.
-- Limitation: the retention job will need a sanctioned way to delete old complete snapshots
-- (and their rows); until it exists, complete snapshots are kept forever.
CREATE FUNCTION snapshot_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.status = 'complete' THEN
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

CREATE TRIGGER snapshot_immutable
    BEFORE UPDATE OR DELETE ON snapshot
    FOR EACH ROW EXECUTE FUNCTION snapshot_guard();

-- Rows of a snapshot may be added only while it runs, and those of a complete one never
-- change or go away. Inserts are checked once per statement (bulk writes stay bulk).
CREATE FUNCTION snapshot_content_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    parent_status TEXT;
BEGIN
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

CREATE FUNCTION snapshot_content_insert_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM inserted i LEFT JOIN snapshot s ON s.id = i.snapshot_id
               WHERE s.status IS DISTINCT FROM 'running') THEN
        RAISE EXCEPTION '% rows can be added only to a running snapshot', TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NULL;
END;
$$;

CREATE FUNCTION snapshot_content_no_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% cannot be truncated: snapshots are evidence', TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER principal_immutable BEFORE UPDATE OR DELETE ON principal
    FOR EACH ROW EXECUTE FUNCTION snapshot_content_guard();
CREATE TRIGGER principal_insert_guard AFTER INSERT ON principal
    REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION snapshot_content_insert_guard();
CREATE TRIGGER entitlement_immutable BEFORE UPDATE OR DELETE ON entitlement
    FOR EACH ROW EXECUTE FUNCTION snapshot_content_guard();
CREATE TRIGGER entitlement_insert_guard AFTER INSERT ON entitlement
    REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION snapshot_content_insert_guard();
CREATE TRIGGER snapshot_project_immutable BEFORE UPDATE OR DELETE ON snapshot_project
    FOR EACH ROW EXECUTE FUNCTION snapshot_content_guard();
CREATE TRIGGER snapshot_project_insert_guard AFTER INSERT ON snapshot_project
    REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION snapshot_content_insert_guard();
CREATE TRIGGER snapshot_request_immutable BEFORE UPDATE OR DELETE ON snapshot_request
    FOR EACH ROW EXECUTE FUNCTION snapshot_content_guard();
CREATE TRIGGER snapshot_request_insert_guard AFTER INSERT ON snapshot_request
    REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION snapshot_content_insert_guard();
CREATE TRIGGER snapshot_page_immutable BEFORE UPDATE OR DELETE ON snapshot_page
    FOR EACH ROW EXECUTE FUNCTION snapshot_content_guard();
CREATE TRIGGER snapshot_page_insert_guard AFTER INSERT ON snapshot_page
    REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION snapshot_content_insert_guard();

CREATE TRIGGER principal_no_truncate BEFORE TRUNCATE ON principal
    FOR EACH STATEMENT EXECUTE FUNCTION snapshot_content_no_truncate();
CREATE TRIGGER entitlement_no_truncate BEFORE TRUNCATE ON entitlement
    FOR EACH STATEMENT EXECUTE FUNCTION snapshot_content_no_truncate();
CREATE TRIGGER snapshot_no_truncate BEFORE TRUNCATE ON snapshot
    FOR EACH STATEMENT EXECUTE FUNCTION snapshot_content_no_truncate();
