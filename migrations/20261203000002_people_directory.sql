-- The people directory: people from imported CSV rosters, and the history of imports.

CREATE TABLE directory_import (
    id                 UUID PRIMARY KEY,
    file_name          TEXT NOT NULL,
    file_sha256        TEXT NOT NULL,
    people_count       INTEGER NOT NULL,
    added              INTEGER NOT NULL,
    changed            INTEGER NOT NULL,
    removed            INTEGER NOT NULL,
    imported_by        UUID REFERENCES app_user(id),
    imported_by_label  TEXT NOT NULL,
    imported_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- What changed since the previous import: [{email, change, fields}], in email order.
    changes            JSONB NOT NULL
);
CREATE INDEX directory_import_imported_at ON directory_import (imported_at DESC);

-- A person is keyed by lower-cased email. People who disappear from the roster are kept
-- (decisions and links refer to them) with in_roster = false, and count as leavers.
CREATE TABLE person (
    id              UUID PRIMARY KEY,
    email           TEXT NOT NULL UNIQUE CHECK (email = lower(email)),
    name            TEXT NOT NULL,
    manager_id      UUID REFERENCES person(id),
    department      TEXT,
    title           TEXT,
    status          TEXT NOT NULL CHECK (status IN ('active', 'leaver')),
    end_date        DATE,
    employee_id     TEXT,
    in_roster       BOOLEAN NOT NULL DEFAULT true,
    first_import_id UUID NOT NULL REFERENCES directory_import(id),
    last_import_id  UUID NOT NULL REFERENCES directory_import(id),
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX person_manager_id ON person (manager_id);
CREATE INDEX person_employee_id ON person (employee_id);
