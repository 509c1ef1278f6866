-- Remediation: every submitted revoke becomes a durable job holding the exact Atlas change,
-- created in the same transaction as the submission. Workers claim jobs with
-- FOR UPDATE SKIP LOCKED and a lease, act outside any transaction, and complete them under the
-- lease token (a fencing token), so a killed worker loses nothing and a stale one changes
-- nothing. Every attempt is kept with its request and response (secrets masked).

CREATE TABLE remediation_job (
    id                 BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    campaign_id        UUID NOT NULL REFERENCES campaign(id),
    review_item_id     BIGINT NOT NULL UNIQUE REFERENCES review_item(id),
    org_id             TEXT NOT NULL,
    entitlement_key    TEXT NOT NULL,
    -- The operation kind and its target (ids, role), see remediation::operation.
    operation          TEXT NOT NULL,
    target             JSONB NOT NULL,
    -- The identity-provider group to change, for access a federation mapping grants.
    idp_group          TEXT,
    status             TEXT NOT NULL CHECK (status IN ('awaiting_approval', 'pending', 'running',
                           'done', 'awaiting_snapshot', 'verified', 'needs_manual', 'failed',
                           'cancelled', 'dry_run', 'reopened')),
    -- Why the job waits or stopped, in words an admin can act on (Atlas's own for refusals).
    status_reason      TEXT,
    error_class        TEXT CHECK (error_class IN ('rate_limited', 'unavailable', 'refused',
                           'unauthorized', 'other')),
    -- Claims, and failures that count towards the dead letter (rate limits do not).
    attempts           INTEGER NOT NULL DEFAULT 0,
    failures           INTEGER NOT NULL DEFAULT 0,
    -- Manual mode: Attest never changes Atlas for this job, it only verifies.
    manual             BOOLEAN NOT NULL DEFAULT false,
    run_at             TIMESTAMPTZ NOT NULL DEFAULT now(),
    lease_owner        TEXT,
    lease_until        TIMESTAMPTZ,
    lease_token        UUID,
    -- The last Atlas request and response, secrets masked.
    last_request       JSONB,
    last_response      JSONB,
    -- What the pre-read found, and what the change was (possibly wider than the entitlement,
    -- when Atlas forces it: a last role means leaving).
    effect             TEXT,
    manual_note        TEXT,
    created_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    done_at            TIMESTAMPTZ,
    verified_at        TIMESTAMPTZ,
    CHECK ((status = 'running') = (lease_token IS NOT NULL))
);
CREATE INDEX remediation_job_due ON remediation_job (run_at)
    WHERE status IN ('pending', 'done', 'running');
CREATE INDEX remediation_job_campaign ON remediation_job (campaign_id, status);
CREATE INDEX remediation_job_entitlement ON remediation_job (org_id, entitlement_key)
    WHERE status = 'verified';

-- Every attempt of every job, in order; append-only evidence.
CREATE TABLE remediation_attempt (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    job_id        BIGINT NOT NULL REFERENCES remediation_job(id),
    attempt       INTEGER NOT NULL,
    worker        TEXT NOT NULL,
    outcome       TEXT NOT NULL,
    request       JSONB,
    response      JSONB,
    at            TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX remediation_attempt_job ON remediation_attempt (job_id, id);

-- Global switches, one row: the pause (an admin's, or the worker's own after Atlas refused
-- the credential), the dry run, and the share of a campaign's population that may be revoked
-- without an admin's confirmation.
CREATE TABLE remediation_control (
    id                 BOOLEAN PRIMARY KEY DEFAULT true CHECK (id),
    paused             BOOLEAN NOT NULL DEFAULT false,
    paused_reason      TEXT,
    dry_run            BOOLEAN NOT NULL DEFAULT false,
    max_revoke_share   NUMERIC NOT NULL DEFAULT 0.20 CHECK (max_revoke_share > 0
                           AND max_revoke_share <= 1),
    updated_at         TIMESTAMPTZ NOT NULL DEFAULT now()
);
INSERT INTO remediation_control DEFAULT VALUES;

-- Things an admin must look at: a credential Atlas refused, a revoked entitlement that came
-- back, a job that was dead-lettered.
CREATE TABLE remediation_alert (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind             TEXT NOT NULL CHECK (kind IN ('credential_refused', 'reappeared',
                         'dead_letter', 'share_exceeded')),
    job_id           BIGINT REFERENCES remediation_job(id),
    campaign_id      UUID REFERENCES campaign(id),
    message          TEXT NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    acknowledged_at  TIMESTAMPTZ
);

-- An admin's confirmation that a campaign may revoke more than the allowed share.
ALTER TABLE campaign ADD COLUMN remediation_share_confirmed_at TIMESTAMPTZ;

CREATE TRIGGER remediation_attempt_append_only BEFORE UPDATE OR DELETE ON remediation_attempt
    FOR EACH ROW EXECUTE FUNCTION campaign_history_reject_change();
