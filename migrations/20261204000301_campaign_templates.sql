-- Scheduled campaigns: a template holds a campaign draft's scope, settings and reviewer rules
-- (as the draft's own JSON, its due date unused) and a schedule of every N months from a start
-- date. The leader-only scheduler creates the next draft when one is due, for an admin to
-- launch; each run is one row here, and its primary key makes a second draft for the same
-- date impossible whatever the replicas do.

CREATE TABLE campaign_template (
    id                UUID PRIMARY KEY,
    name              TEXT NOT NULL CHECK (btrim(name) <> ''),
    -- The CampaignDraft every scheduled draft is created from.
    draft             JSONB NOT NULL CHECK (jsonb_typeof(draft) = 'object'),
    every_months      INTEGER NOT NULL DEFAULT 3 CHECK (every_months BETWEEN 1 AND 24),
    starts_on         DATE NOT NULL,
    -- Each draft is due this many days after it is created.
    review_days       INTEGER NOT NULL DEFAULT 14 CHECK (review_days BETWEEN 1 AND 365),
    -- The next occurrence: starts_on plus a whole number of periods.
    next_run_on       DATE NOT NULL CHECK (next_run_on >= starts_on),
    paused            BOOLEAN NOT NULL DEFAULT false,
    -- Why the latest run created no draft (the template no longer passes the draft's checks).
    last_error        TEXT,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    created_by        UUID REFERENCES app_user(id),
    created_by_label  TEXT NOT NULL,
    -- Deleted templates are kept for the runs that refer to them, and never run again.
    deleted_at        TIMESTAMPTZ
);
CREATE INDEX campaign_template_due ON campaign_template (next_run_on)
    WHERE NOT paused AND deleted_at IS NULL;

CREATE TABLE campaign_template_run (
    template_id  UUID NOT NULL REFERENCES campaign_template(id),
    run_on       DATE NOT NULL,
    -- The draft created, or why none was.
    campaign_id  UUID REFERENCES campaign(id),
    error        TEXT,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (template_id, run_on),
    CHECK ((campaign_id IS NULL) <> (error IS NULL))
);
CREATE UNIQUE INDEX campaign_template_run_campaign ON campaign_template_run (campaign_id);

CREATE TRIGGER campaign_template_run_append_only BEFORE UPDATE OR DELETE ON campaign_template_run
    FOR EACH ROW EXECUTE FUNCTION campaign_history_reject_change();
