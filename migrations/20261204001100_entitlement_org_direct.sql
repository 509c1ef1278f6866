-- Whether an Atlas user's direct org role is their only one (revoking it removes them from
-- the org, which a reviewer is told) is asked for every item a queue page shows. Through the
-- per-principal index that meant reading every entitlement of the user: over a thousand for
-- an org owner, 74 ms for one page of a large campaign. Org-level direct grants are about one
-- per Atlas user, so this index stays small and answers the question with one probe.
CREATE INDEX entitlement_org_direct ON entitlement (snapshot_id, principal_key)
    WHERE scope = 'org' AND grant_path = 'direct';
