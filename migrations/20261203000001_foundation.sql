-- Foundation: users and roles, server-side sessions, and the append-only audit log.

-- A person who has signed in to Attest. Identified by the identity provider's (issuer, subject),
-- never by email: emails change and get reassigned.
CREATE TABLE app_user (
    id            UUID PRIMARY KEY,
    issuer        TEXT NOT NULL,
    subject       TEXT NOT NULL,
    email         TEXT,
    display_name  TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_sign_in  TIMESTAMPTZ,
    disabled      BOOLEAN NOT NULL DEFAULT false,
    UNIQUE (issuer, subject)
);

-- Granted roles. Reviewer is not stored: anyone with assigned review items is a reviewer.
CREATE TABLE user_role (
    user_id     UUID NOT NULL REFERENCES app_user(id),
    role        TEXT NOT NULL CHECK (role IN ('admin', 'auditor')),
    granted_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    granted_by  UUID REFERENCES app_user(id),
    PRIMARY KEY (user_id, role)
);

-- Server-side sessions (the cookie carries only the opaque id).
CREATE TABLE web_session (
    id          TEXT PRIMARY KEY,
    data        BYTEA NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX web_session_expires_at ON web_session (expires_at);

-- The audit log. Each row's hash is SHA-256(previous row's hash || this row's canonical
-- content), so any edit, removal or reordering breaks the chain from that row on.
CREATE TABLE audit_event (
    seq          BIGINT PRIMARY KEY CHECK (seq > 0),
    occurred_at  TIMESTAMPTZ NOT NULL,
    actor_id     UUID,
    actor_label  TEXT NOT NULL,
    action       TEXT NOT NULL,
    object_kind  TEXT NOT NULL,
    object_id    TEXT NOT NULL,
    details      JSONB NOT NULL,
    prev_hash    BYTEA NOT NULL,
    hash         BYTEA NOT NULL UNIQUE
);
CREATE INDEX audit_event_occurred_at ON audit_event (occurred_at);
CREATE INDEX audit_event_action ON audit_event (action);
CREATE INDEX audit_event_object ON audit_event (object_kind, object_id);
CREATE INDEX audit_event_actor ON audit_event (actor_id);

CREATE FUNCTION audit_event_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_event is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER audit_event_no_update_delete
    BEFORE UPDATE OR DELETE ON audit_event
    FOR EACH ROW EXECUTE FUNCTION audit_event_reject_change();

CREATE TRIGGER audit_event_no_truncate
    BEFORE TRUNCATE ON audit_event
    FOR EACH STATEMENT EXECUTE FUNCTION audit_event_reject_change();
