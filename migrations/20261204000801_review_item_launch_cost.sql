-- Launching a campaign over a large org inserts one review item per entitlement in one
-- statement (356,938 for the simulator's `large` org). Each foreign key on review_item is a
-- row-level trigger that looks up, and locks, the referenced row once per inserted item: seven
-- of them made about 2.5 million lookups and took most of the launch. The references below
-- are kept by other means, stated here, so their per-row checks go.
--
-- campaign_id: items are inserted only while their campaign is a draft, which the insert
-- guard (replaced below) checks once per statement and which a missing campaign now fails
-- too. A launched campaign is never deleted: its campaign_snapshot rows (append-only, at least
-- one per launch) and review_progress rows reference it.
ALTER TABLE review_item DROP CONSTRAINT review_item_campaign_id_fkey;
-- snapshot_id: every item comes from a snapshot the same launch records in campaign_snapshot,
-- whose foreign key keeps the snapshot (and retention skips it).
ALTER TABLE review_item DROP CONSTRAINT review_item_snapshot_id_fkey;
-- entitlement_id: entitlements of a complete snapshot never change, and the trigger below
-- refuses deleting those of a snapshot a campaign froze. (The foreign key also made every
-- entitlement deleted by retention search review_item, which has no index on this column.)
ALTER TABLE review_item DROP CONSTRAINT review_item_entitlement_id_fkey;
-- The people an item names (subject, owner, reviewer, decider): statement-level guards below
-- check that each is in the directory, when items are inserted and whenever they are
-- updated, and people are never deleted (the directory keeps leavers and those who left the
-- roster, marked so), which a trigger now refuses. Even a NULL reference cost a trigger call
-- per inserted item: decided_by_person_id, empty at launch, took over a second.
ALTER TABLE review_item DROP CONSTRAINT review_item_subject_person_id_fkey;
ALTER TABLE review_item DROP CONSTRAINT review_item_owner_person_id_fkey;
ALTER TABLE review_item DROP CONSTRAINT review_item_reviewer_person_id_fkey;
ALTER TABLE review_item DROP CONSTRAINT review_item_decided_by_person_id_fkey;

-- Two of the five indexes the launch fills go. (reviewer_person_id, campaign_id) is served by
-- review_item_reviewer_queue_order, which starts with the reviewer. (campaign_id,
-- entitlement_key), about 200 bytes an entry, served only the match against the previous
-- campaign, which reads all of that campaign's items at once and joins them by hash.
DROP INDEX review_item_reviewer;
DROP INDEX review_item_campaign_key;

CREATE OR REPLACE FUNCTION review_item_insert_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM inserted i LEFT JOIN campaign c ON c.id = i.campaign_id
               WHERE c.status IS DISTINCT FROM 'draft') THEN
        RAISE EXCEPTION 'review items can be added only while a campaign is launched'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF EXISTS (SELECT 1 FROM inserted i
               WHERE NOT EXISTS (SELECT 1 FROM person p WHERE p.id = i.reviewer_person_id)
                  OR (i.subject_person_id IS NOT NULL AND NOT EXISTS (
                          SELECT 1 FROM person p WHERE p.id = i.subject_person_id))
                  OR (i.owner_person_id IS NOT NULL AND NOT EXISTS (
                          SELECT 1 FROM person p WHERE p.id = i.owner_person_id))
                  OR (i.decided_by_person_id IS NOT NULL AND NOT EXISTS (
                          SELECT 1 FROM person p WHERE p.id = i.decided_by_person_id))) THEN
        RAISE EXCEPTION 'a review item names a person who is not in the directory'
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END;
$$;

-- After a launch only the reviewer (a reassignment or forward) and the decider change.
CREATE FUNCTION review_item_update_people_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM updated i
               WHERE NOT EXISTS (SELECT 1 FROM person p WHERE p.id = i.reviewer_person_id)
                  OR (i.decided_by_person_id IS NOT NULL AND NOT EXISTS (
                          SELECT 1 FROM person p WHERE p.id = i.decided_by_person_id))) THEN
        RAISE EXCEPTION 'a review item names a person who is not in the directory'
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER review_item_update_people_guard AFTER UPDATE ON review_item
    REFERENCING NEW TABLE AS updated
    FOR EACH STATEMENT EXECUTE FUNCTION review_item_update_people_guard();

-- People are never deleted: review items, decisions and history name them.
CREATE FUNCTION person_no_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'person % cannot be deleted; the directory marks leavers instead', OLD.id
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER person_no_delete BEFORE DELETE ON person
    FOR EACH ROW EXECUTE FUNCTION person_no_delete();

-- The entitlements a campaign froze stay, even inside retention's audited deletion.
CREATE FUNCTION entitlement_keep_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM campaign_snapshot WHERE snapshot_id = OLD.snapshot_id) THEN
        RAISE EXCEPTION 'entitlement % belongs to snapshot %, which a campaign froze', OLD.id,
            OLD.snapshot_id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN OLD;
END;
$$;

CREATE TRIGGER entitlement_keep_frozen BEFORE DELETE ON entitlement
    FOR EACH ROW EXECUTE FUNCTION entitlement_keep_frozen();
