-- What the inventory's orphan, leaver and dormant filters ask of each principal of a snapshot,
-- kept per principal so that those filters are index lookups instead of a join of identity
-- links, people and usage for every entitlement (`app/src/backend/inventory/flags.rs`).
--
-- Derived, like identity_link: rebuilt with a snapshot's links (snapshot completed, roster
-- imported, mapping or settings changed) and after a usage harvest. Only the calendar-free
-- part of each rule is stored: "past the end date" and "unused for N days" are decided when
-- the inventory is read, from `end_date` and `last_used`. Deleting a snapshot's principals
-- takes their rows.
CREATE TABLE principal_flag (
    snapshot_id    UUID NOT NULL,
    principal_key  TEXT NOT NULL,
    -- The person behind the principal: its holder, else its owner. No foreign key: people
    -- are never deleted, and checking one row per principal doubled the cost of a refresh.
    person_id      UUID,
    -- That person's status is leaver or they are gone from the roster.
    marked_leaver  BOOLEAN NOT NULL,
    -- That person's end date; past it, they are a leaver too.
    end_date       DATE,
    -- A principal that stands for one holder and is linked to nobody.
    orphan         BOOLEAN NOT NULL,
    -- The later of Atlas's lastAuth and the newest kept usage; NULL: no usage data.
    last_used      TIMESTAMPTZ,
    PRIMARY KEY (snapshot_id, principal_key),
    FOREIGN KEY (snapshot_id, principal_key) REFERENCES principal (snapshot_id, key)
        ON DELETE CASCADE
);
CREATE INDEX principal_flag_orphan ON principal_flag (snapshot_id, principal_key) WHERE orphan;
CREATE INDEX principal_flag_leaver ON principal_flag (snapshot_id, principal_key)
    WHERE marked_leaver;
CREATE INDEX principal_flag_end_date ON principal_flag (snapshot_id, end_date)
    WHERE end_date IS NOT NULL;
CREATE INDEX principal_flag_last_used ON principal_flag (snapshot_id, last_used)
    WHERE last_used IS NOT NULL;

-- Databases that already hold snapshots: the newest complete snapshot of each org is the one
-- the inventory reads, so it gets its flags now. Older snapshots get none (the inventory never
-- reads them, and a snapshot without flags is searched the slow way anyway).
INSERT INTO principal_flag
    (snapshot_id, principal_key, person_id, marked_leaver, end_date, orphan, last_used)
SELECT p.snapshot_id, p.key, pe.id,
       coalesce(pe.status = 'leaver' OR NOT pe.in_roster, false), pe.end_date,
       pe.id IS NULL AND p.kind IN ('atlas_user', 'database_user', 'api_key', 'service_account'),
       greatest(p.last_auth, u.last_used_at)
FROM (SELECT DISTINCT ON (org_id) id, org_id FROM snapshot WHERE status = 'complete'
      ORDER BY org_id, finished_at DESC, id) AS s
JOIN principal p ON p.snapshot_id = s.id
LEFT JOIN identity_link lh ON lh.snapshot_id = p.snapshot_id AND lh.principal_key = p.key
                          AND lh.relation = 'holder'
LEFT JOIN identity_link lo ON lo.snapshot_id = p.snapshot_id AND lo.principal_key = p.key
                          AND lo.relation = 'owner'
LEFT JOIN person pe ON pe.id = coalesce(lh.person_id, lo.person_id)
LEFT JOIN principal_usage u ON u.org_id = s.org_id AND u.principal_key = p.key;
