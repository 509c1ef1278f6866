-- Identity links: who is behind each principal of a snapshot, how that was decided, the
-- explicit mappings admins make, and the indexes the inventory explorer searches with.

-- Settings of linking and of the inventory. One row, changed only by admins (audited).
CREATE TABLE inventory_setting (
    id               BOOLEAN PRIMARY KEY DEFAULT true CHECK (id),
    -- Database users whose label with this key (compared case-insensitively) holds a person's
    -- email are linked to that person.
    owner_label_key  TEXT NOT NULL DEFAULT 'owner' CHECK (btrim(owner_label_key) <> ''),
    -- A principal whose last use is older than this many days is dormant.
    dormant_days     INTEGER NOT NULL DEFAULT 90 CHECK (dormant_days BETWEEN 1 AND 3650),
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_by_label TEXT NOT NULL DEFAULT 'system:default'
);
INSERT INTO inventory_setting DEFAULT VALUES;

-- An admin's statement that a person holds or owns a principal. Keyed by org, the principal's
-- stable key and the relation, so it holds in every later snapshot of the org. Made and removed
-- with an audit event; removing the row is the "unmap".
CREATE TABLE identity_mapping (
    org_id            TEXT NOT NULL REFERENCES atlas_org(id),
    principal_key     TEXT NOT NULL,
    -- 'holder': the access is the person's own (an Atlas user, a personal database user);
    -- 'owner': the person answers for a shared or non-human credential (API key, service
    -- account, a service's database user).
    relation          TEXT NOT NULL CHECK (relation IN ('holder', 'owner')),
    person_id         UUID NOT NULL REFERENCES person(id),
    mapped_by         UUID REFERENCES app_user(id),
    mapped_by_label   TEXT NOT NULL,
    mapped_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, principal_key, relation)
);
CREATE INDEX identity_mapping_person ON identity_mapping (person_id);

-- The materialized links of one principal of one snapshot: at most one holder and one owner.
-- Derived data, rebuilt set-based whenever its inputs change (snapshot completed, roster
-- imported, mapping or settings changed); a principal with no row is an orphan. Deleting a
-- snapshot's principals takes their links.
CREATE TABLE identity_link (
    snapshot_id    UUID NOT NULL,
    principal_key  TEXT NOT NULL,
    relation       TEXT NOT NULL CHECK (relation IN ('holder', 'owner')),
    person_id      UUID NOT NULL REFERENCES person(id),
    -- Holder: explicit_mapping > email (Atlas users) > username_email (database users).
    -- Owner: explicit_mapping > owner_label (database users).
    method         TEXT NOT NULL CHECK (method IN ('explicit_mapping', 'email', 'owner_label',
                       'username_email')),
    CHECK ((relation = 'holder' AND method IN ('explicit_mapping', 'email', 'username_email'))
        OR (relation = 'owner' AND method IN ('explicit_mapping', 'owner_label'))),
    -- What matched: the email, the label value, the username, or who mapped it.
    matched_on     TEXT,
    linked_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (snapshot_id, principal_key, relation),
    FOREIGN KEY (snapshot_id, principal_key) REFERENCES principal (snapshot_id, key)
        ON DELETE CASCADE
);
CREATE INDEX identity_link_person ON identity_link (person_id, snapshot_id);

-- Inventory explorer: entitlements listed in principal order, and the filters it offers.
CREATE INDEX entitlement_principal_order ON entitlement (snapshot_id, principal_key, key);
CREATE INDEX entitlement_tier ON entitlement (snapshot_id, tier);
CREATE INDEX entitlement_role ON entitlement (snapshot_id, role);
CREATE INDEX snapshot_org_complete ON snapshot (org_id, finished_at DESC) WHERE status = 'complete';
