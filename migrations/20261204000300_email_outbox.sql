-- Campaign email: an outbox row per email, written in the same transaction as the event that
-- causes it (a launch, a close) or by the periodic sweep (reminders before the due date,
-- escalations after it). A sender claims rows with FOR UPDATE SKIP LOCKED and a lease, sends
-- them over SMTP outside any transaction, and records the outcome.
--
-- Each kind of email goes at most once to each reviewer of each campaign: the unique
-- constraint, not the sweep's timing, is what keeps a reminder from being sent twice when two
-- replicas sweep at the same moment.

CREATE TABLE email_outbox (
    id                   BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind                 TEXT NOT NULL CHECK (kind IN ('assignment', 'reminder', 'escalation',
                             'closed')),
    campaign_id          UUID NOT NULL REFERENCES campaign(id),
    -- The reviewer the email is about; for an escalation the recipient is their manager.
    reviewer_person_id   UUID NOT NULL REFERENCES person(id),
    recipient_person_id  UUID NOT NULL REFERENCES person(id),
    recipient_email      TEXT NOT NULL,
    recipient_name       TEXT NOT NULL,
    -- The facts the email states, as of when it was queued: the reviewer's items, and those
    -- still open (not submitted; at close, those given the campaign's default outcome).
    item_count           BIGINT NOT NULL CHECK (item_count >= 0),
    open_count           BIGINT NOT NULL CHECK (open_count >= 0),
    status               TEXT NOT NULL DEFAULT 'pending'
                             CHECK (status IN ('pending', 'sending', 'sent', 'failed',
                             'skipped')),
    attempts             INTEGER NOT NULL DEFAULT 0,
    next_attempt_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    lease_until          TIMESTAMPTZ,
    last_error           TEXT,
    -- The subject line as sent.
    subject              TEXT,
    created_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
    sent_at              TIMESTAMPTZ,
    CONSTRAINT email_outbox_once_per_reviewer UNIQUE (campaign_id, kind, reviewer_person_id),
    CHECK ((status = 'sent') = (sent_at IS NOT NULL)),
    CHECK ((status = 'sending') = (lease_until IS NOT NULL))
);
-- What a sender claims next.
CREATE INDEX email_outbox_due ON email_outbox (next_attempt_at, id)
    WHERE status IN ('pending', 'sending');
