-- Every entitlement written pays for every index on the table, and a snapshot of the `large`
-- org writes 357,000 at once (BENCHMARKS.md). `entitlement_principal (snapshot_id,
-- principal_key)` is a leading prefix of `entitlement_principal_order (snapshot_id,
-- principal_key, key)`, which answers every lookup it did, so it only cost writes.
DROP INDEX entitlement_principal;
