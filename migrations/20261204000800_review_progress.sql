-- Progress per reviewer per campaign (items, decided, submitted), kept by the database as
-- review items are inserted and updated, so the top of a reviewer's queue and the launch's
-- assignment emails read one row per campaign instead of counting every item: a fallback
-- reviewer of a large org holds 57,000 items, and counting them took most of the queue's time.
--
-- Statement-level triggers with transition tables keep it, whatever statement changes the
-- items (a decision, a bulk decision, a submit, a reassignment, the close), so no code path
-- can forget it, and a bulk statement stays one update per (campaign, reviewer).
-- Limitation: every decision of one reviewer in one campaign updates the same row, so two
-- concurrent decisions of the same reviewer wait for each other's commit.

CREATE TABLE review_progress (
    campaign_id         UUID NOT NULL REFERENCES campaign(id),
    reviewer_person_id  UUID NOT NULL REFERENCES person(id),
    -- A reviewer whose items were all reassigned keeps a row of zeros. No CHECK relates the
    -- counts: the triggers add signed changes with INSERT … ON CONFLICT, and PostgreSQL
    -- checks the row proposed for insertion (a change, say one more decided and no more
    -- items) before it finds the conflict.
    items               BIGINT NOT NULL,
    decided             BIGINT NOT NULL,
    submitted           BIGINT NOT NULL,
    PRIMARY KEY (reviewer_person_id, campaign_id)
);
CREATE INDEX review_progress_campaign ON review_progress (campaign_id);

-- Adds the net change of one statement per (campaign, reviewer). Rows are upserted in key
-- order, so two statements touching the same reviewers lock their rows in the same order and
-- cannot deadlock on them.
CREATE FUNCTION review_progress_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO review_progress AS p (campaign_id, reviewer_person_id, items, decided,
                                          submitted)
        SELECT campaign_id, reviewer_person_id, count(*), count(decision), count(submitted_at)
        FROM inserted GROUP BY reviewer_person_id, campaign_id
        ORDER BY reviewer_person_id, campaign_id
        ON CONFLICT (reviewer_person_id, campaign_id) DO UPDATE
            SET items = p.items + EXCLUDED.items, decided = p.decided + EXCLUDED.decided,
                submitted = p.submitted + EXCLUDED.submitted;
    ELSE
        INSERT INTO review_progress AS p (campaign_id, reviewer_person_id, items, decided,
                                          submitted)
        SELECT campaign_id, reviewer_person_id, sum(items), sum(decided), sum(submitted)
        FROM (SELECT campaign_id, reviewer_person_id, 1 AS items,
                     (decision IS NOT NULL)::int AS decided,
                     (submitted_at IS NOT NULL)::int AS submitted
              FROM updated
              UNION ALL
              SELECT campaign_id, reviewer_person_id, -1, -(decision IS NOT NULL)::int,
                     -(submitted_at IS NOT NULL)::int
              FROM replaced) AS change
        GROUP BY reviewer_person_id, campaign_id
        HAVING sum(items) <> 0 OR sum(decided) <> 0 OR sum(submitted) <> 0
        ORDER BY reviewer_person_id, campaign_id
        ON CONFLICT (reviewer_person_id, campaign_id) DO UPDATE
            SET items = p.items + EXCLUDED.items, decided = p.decided + EXCLUDED.decided,
                submitted = p.submitted + EXCLUDED.submitted;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER review_progress_on_insert AFTER INSERT ON review_item
    REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION review_progress_apply();
CREATE TRIGGER review_progress_on_update AFTER UPDATE ON review_item
    REFERENCING OLD TABLE AS replaced NEW TABLE AS updated
    FOR EACH STATEMENT EXECUTE FUNCTION review_progress_apply();

-- The campaigns already launched.
INSERT INTO review_progress (campaign_id, reviewer_person_id, items, decided, submitted)
SELECT campaign_id, reviewer_person_id, count(*), count(decision), count(submitted_at)
FROM review_item GROUP BY campaign_id, reviewer_person_id;
