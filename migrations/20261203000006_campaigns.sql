-- Review campaigns: what is reviewed (scope, settings, the frozen snapshots), the review items
-- that freeze the population at launch, every decision and reassignment as history, and the
-- sign-off. Rules the database enforces as a second line of defence behind the application:
-- nobody is routed or decides their own access (judged by person), submitted decisions never
-- change, the population never changes after launch, and history is append-only.

CREATE TABLE campaign (
    id                                UUID PRIMARY KEY,
    name                              TEXT NOT NULL CHECK (btrim(name) <> ''),
    description                       TEXT NOT NULL DEFAULT '',
    -- Scope. An empty project list means every project of the orgs and their org-level roles.
    org_ids                           TEXT[] NOT NULL CHECK (cardinality(org_ids) > 0),
    project_ids                       TEXT[] NOT NULL DEFAULT '{}',
    principal_kinds                   TEXT[] NOT NULL CHECK (cardinality(principal_kinds) > 0
                                          AND principal_kinds <@ ARRAY['atlas_user',
                                          'database_user', 'team', 'api_key', 'service_account',
                                          'idp_group']),
    -- Filters. An empty tier list means every tier.
    tiers                             TEXT[] NOT NULL DEFAULT '{}'
                                          CHECK (tiers <@ ARRAY['admin', 'write', 'read']),
    only_new_since_last               BOOLEAN NOT NULL DEFAULT false,
    due_date                          DATE NOT NULL,
    -- Reviewer rules in the order they are tried; the fallback reviewers always come last.
    reviewer_rules                    TEXT[] NOT NULL DEFAULT '{manager,owner}'
                                          CHECK (reviewer_rules <@ ARRAY['manager', 'owner']),
    comment_required_on_revoke        BOOLEAN NOT NULL DEFAULT true,
    comment_required_on_privileged_approve BOOLEAN NOT NULL DEFAULT true,
    allow_forwarding                  BOOLEAN NOT NULL DEFAULT true,
    undecided_outcome                 TEXT NOT NULL DEFAULT 'keep'
                                          CHECK (undecided_outcome IN ('keep', 'revoke')),
    remediation_mode                  TEXT NOT NULL DEFAULT 'after_approval'
                                          CHECK (remediation_mode IN ('automatic',
                                          'after_approval', 'manual')),
    -- Launch refuses a snapshot that finished longer ago than this.
    max_snapshot_age_hours            INTEGER NOT NULL DEFAULT 72
                                          CHECK (max_snapshot_age_hours > 0),
    dormant_after_days                INTEGER NOT NULL DEFAULT 90
                                          CHECK (dormant_after_days > 0),
    status                            TEXT NOT NULL DEFAULT 'draft'
                                          CHECK (status IN ('draft', 'active', 'closed',
                                          'signed_off')),
    -- The campaign whose decisions are this one's baseline ("new since last campaign").
    previous_campaign_id              UUID REFERENCES campaign(id),
    created_at                        TIMESTAMPTZ NOT NULL DEFAULT now(),
    created_by                        UUID REFERENCES app_user(id),
    created_by_label                  TEXT NOT NULL,
    launched_at                       TIMESTAMPTZ,
    launched_by                       UUID REFERENCES app_user(id),
    closed_at                         TIMESTAMPTZ,
    closed_by                         UUID REFERENCES app_user(id),
    CHECK ((status = 'draft') = (launched_at IS NULL)),
    CHECK ((status IN ('draft', 'active')) = (closed_at IS NULL))
);
CREATE INDEX campaign_created_at ON campaign (created_at DESC);

-- Who reviews what no rule could route, in order of preference.
CREATE TABLE campaign_fallback_reviewer (
    campaign_id  UUID NOT NULL REFERENCES campaign(id),
    position     INTEGER NOT NULL,
    person_id    UUID NOT NULL REFERENCES person(id),
    PRIMARY KEY (campaign_id, position),
    UNIQUE (campaign_id, person_id)
);

-- The snapshot each org's population was frozen from, and the reconciliation. The foreign
-- key is what keeps snapshot retention from ever deleting a snapshot a campaign used.
CREATE TABLE campaign_snapshot (
    campaign_id            UUID NOT NULL REFERENCES campaign(id),
    org_id                 TEXT NOT NULL,
    snapshot_id            UUID NOT NULL REFERENCES snapshot(id),
    content_sha256         TEXT NOT NULL,
    snapshot_finished_at   TIMESTAMPTZ NOT NULL,
    entitlements_in_scope  BIGINT NOT NULL,
    items_created          BIGINT NOT NULL,
    PRIMARY KEY (campaign_id, org_id),
    CHECK (entitlements_in_scope = items_created)
);
CREATE INDEX campaign_snapshot_snapshot ON campaign_snapshot (snapshot_id);

-- One entitlement of a frozen snapshot in one campaign, with a copy of everything the
-- reviewer needs, taken at launch, so what was reviewed never changes when the directory or
-- a later snapshot does.
CREATE TABLE review_item (
    id                    BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    campaign_id           UUID NOT NULL REFERENCES campaign(id),
    snapshot_id           UUID NOT NULL REFERENCES snapshot(id),
    entitlement_id        BIGINT NOT NULL REFERENCES entitlement(id),
    entitlement_key       TEXT NOT NULL,
    -- The resource and the grant.
    org_id                TEXT NOT NULL,
    project_id            TEXT,
    project_name          TEXT,
    scope                 TEXT NOT NULL,
    cluster_names         TEXT[] NOT NULL,
    database_name         TEXT,
    collection_name       TEXT,
    role                  TEXT NOT NULL,
    tier                  TEXT NOT NULL,
    grant_path            TEXT NOT NULL,
    via_team_id           TEXT,
    via_mapping_id        TEXT,
    via_org_role          TEXT,
    role_actions          TEXT[] NOT NULL,
    -- The principal.
    principal_key         TEXT NOT NULL,
    principal_kind        TEXT NOT NULL,
    principal_name        TEXT NOT NULL,
    principal_username    TEXT,
    auth_type             TEXT,
    last_used_at          TIMESTAMPTZ,
    -- The person whose access this is (NULL for an orphan or a credential nobody holds), and
    -- the owner of a non-human credential; how the link was made; the person as they were.
    subject_person_id     UUID REFERENCES person(id),
    owner_person_id       UUID REFERENCES person(id),
    link_method           TEXT,
    person_name           TEXT,
    person_email          TEXT,
    person_title          TEXT,
    person_department     TEXT,
    person_status         TEXT,
    -- Routing: who reviews it, which rule chose them and why.
    reviewer_person_id    UUID NOT NULL REFERENCES person(id),
    routing_rule          TEXT NOT NULL CHECK (routing_rule IN ('manager', 'owner', 'fallback',
                              'reassigned', 'forwarded')),
    routing_reason        TEXT NOT NULL,
    self_review_rerouted  BOOLEAN NOT NULL DEFAULT false,
    -- Risk flags, as of launch.
    is_leaver             BOOLEAN NOT NULL,
    is_orphan             BOOLEAN NOT NULL,
    is_privileged         BOOLEAN NOT NULL,
    is_dormant            BOOLEAN NOT NULL,
    is_new                BOOLEAN NOT NULL,
    -- The previous campaign's decision on the same entitlement key, and who made it.
    previous_decision     TEXT,
    previous_decider      TEXT,
    -- The current decision; every change is also a review_decision row.
    decision              TEXT CHECK (decision IN ('approve', 'revoke')),
    decision_comment      TEXT,
    decision_source       TEXT CHECK (decision_source IN ('reviewer', 'bulk', 'close_default')),
    decided_by_person_id  UUID REFERENCES person(id),
    decided_by_label      TEXT,
    decided_at            TIMESTAMPTZ,
    -- Set when the reviewer submits (or the campaign closes): the decision is final, and a
    -- submitted revoke is remediation work.
    submitted_at          TIMESTAMPTZ,
    UNIQUE (campaign_id, entitlement_id),
    CONSTRAINT review_item_no_self_review
        CHECK (reviewer_person_id <> subject_person_id),
    CONSTRAINT review_item_no_self_decision
        CHECK (decided_by_person_id <> subject_person_id),
    CHECK ((decision IS NULL) = (decided_at IS NULL)),
    CHECK (submitted_at IS NULL OR decision IS NOT NULL)
);
CREATE INDEX review_item_reviewer ON review_item (reviewer_person_id, campaign_id);
CREATE INDEX review_item_campaign_key ON review_item (campaign_id, entitlement_key);

-- Every decision ever made on an item, in order. Never updated or deleted.
CREATE TABLE review_decision (
    id                    BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    item_id               BIGINT NOT NULL REFERENCES review_item(id),
    decision              TEXT NOT NULL CHECK (decision IN ('approve', 'revoke')),
    comment               TEXT,
    source                TEXT NOT NULL CHECK (source IN ('reviewer', 'bulk', 'close_default')),
    decided_by_user       UUID REFERENCES app_user(id),
    decided_by_person_id  UUID REFERENCES person(id),
    decided_by_label      TEXT NOT NULL,
    decided_at            TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX review_decision_item ON review_decision (item_id, id);

-- Every change of an item's reviewer after launch: an admin's reassignment or a reviewer's
-- forward, always with a reason.
CREATE TABLE review_reassignment (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    item_id          BIGINT NOT NULL REFERENCES review_item(id),
    kind             TEXT NOT NULL CHECK (kind IN ('reassign', 'forward')),
    from_person_id   UUID NOT NULL REFERENCES person(id),
    to_person_id     UUID NOT NULL REFERENCES person(id),
    reason           TEXT NOT NULL CHECK (btrim(reason) <> ''),
    -- Whether a pending (unsubmitted) decision of the previous reviewer was cleared.
    cleared_decision TEXT,
    by_user          UUID REFERENCES app_user(id),
    by_label         TEXT NOT NULL,
    at               TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX review_reassignment_item ON review_reassignment (item_id, id);

-- The control owner's sign-off of a closed campaign.
CREATE TABLE campaign_signoff (
    campaign_id     UUID PRIMARY KEY REFERENCES campaign(id),
    attestation     TEXT NOT NULL CHECK (btrim(attestation) <> ''),
    signed_by       UUID REFERENCES app_user(id),
    signed_by_label TEXT NOT NULL,
    signed_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- SHA-256 over the campaign's items and decisions at sign-off (see campaign::signoff).
    state_sha256    TEXT NOT NULL
);

-- History tables are append-only.
CREATE FUNCTION campaign_history_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER review_decision_append_only BEFORE UPDATE OR DELETE ON review_decision
    FOR EACH ROW EXECUTE FUNCTION campaign_history_reject_change();
CREATE TRIGGER review_reassignment_append_only BEFORE UPDATE OR DELETE ON review_reassignment
    FOR EACH ROW EXECUTE FUNCTION campaign_history_reject_change();
CREATE TRIGGER campaign_signoff_append_only BEFORE UPDATE OR DELETE ON campaign_signoff
    FOR EACH ROW EXECUTE FUNCTION campaign_history_reject_change();
CREATE TRIGGER campaign_snapshot_append_only BEFORE UPDATE OR DELETE ON campaign_snapshot
    FOR EACH ROW EXECUTE FUNCTION campaign_history_reject_change();
CREATE TRIGGER review_item_no_delete BEFORE DELETE ON review_item
    FOR EACH ROW EXECUTE FUNCTION campaign_history_reject_change();

-- A decision by the item's subject person is refused (checked per statement, so a bulk
-- decision stays one statement).
CREATE FUNCTION review_decision_refuse_self() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM inserted d JOIN review_item i ON i.id = d.item_id
               WHERE d.decided_by_person_id = i.subject_person_id) THEN
        RAISE EXCEPTION 'a person cannot decide on their own access'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'review_decision_no_self_decision';
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER review_decision_no_self_decision AFTER INSERT ON review_decision
    REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION review_decision_refuse_self();

-- Items are added only to a draft campaign (the launch), their population never changes, and
-- a submitted decision is final.
CREATE FUNCTION review_item_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.campaign_id <> OLD.campaign_id OR NEW.entitlement_id <> OLD.entitlement_id
       OR NEW.entitlement_key <> OLD.entitlement_key OR NEW.snapshot_id <> OLD.snapshot_id THEN
        RAISE EXCEPTION 'review item % cannot change what it reviews', OLD.id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF OLD.submitted_at IS NOT NULL AND (NEW.decision IS DISTINCT FROM OLD.decision
       OR NEW.decision_comment IS DISTINCT FROM OLD.decision_comment
       OR NEW.reviewer_person_id IS DISTINCT FROM OLD.reviewer_person_id
       OR NEW.submitted_at IS DISTINCT FROM OLD.submitted_at) THEN
        RAISE EXCEPTION 'review item % was submitted; its decision is final', OLD.id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER review_item_guard BEFORE UPDATE ON review_item
    FOR EACH ROW EXECUTE FUNCTION review_item_guard();

CREATE FUNCTION review_item_insert_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM inserted i JOIN campaign c ON c.id = i.campaign_id
               WHERE c.status <> 'draft') THEN
        RAISE EXCEPTION 'review items can be added only while a campaign is launched'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER review_item_insert_guard AFTER INSERT ON review_item
    REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION review_item_insert_guard();
