//! The entitlement write of a snapshot, streamed: the entitlements are derived one part at a
//! time (the org's own, then [`PROJECTS_PER_PART`] projects at a time, in key order), hashed
//! and counted, and sent to PostgreSQL through one `COPY` in pieces of about a megabyte. At no
//! point are all of a large org's entitlements in memory, nor their encoded copy. Runs inside
//! the snapshot's completing transaction, so a failure anywhere leaves nothing behind.
//!
//! The price is CPU: each part is one more pass over the pulled inventory (a dozen passes for
//! 1,000 projects), each building only its own rows.

use sqlx::PgConnection;
use sqlx::postgres::PgCopyIn;
use uuid::Uuid;

use super::copy::{COPY_ENTITLEMENTS, encode_entitlement};
use super::entitlement::{derive_part, parts};
use super::hash::ContentHasher;
use super::inventory::OrgInventory;
use super::model::{Counts, EntitlementRow};
use super::store::StoreError;

/// Encoded rows are sent once this many bytes have gathered.
const SEND_BYTES: usize = 1 << 20;

/// Projects derived together: about 36,000 entitlements a part in the simulator's `large` org
/// (357 per project), a few tens of megabytes.
pub const PROJECTS_PER_PART: usize = 100;

/// Where each entitlement goes, in ascending key order.
struct Sink<'c> {
    copy: PgCopyIn<&'c mut PgConnection>,
    snapshot_id: Uuid,
    buffer: String,
    last_key: Option<String>,
    hasher: &'c mut ContentHasher,
    counts: &'c mut Counts,
}

impl Sink<'_> {
    async fn push(&mut self, row: EntitlementRow) -> Result<(), StoreError> {
        // The hash relies on strictly ascending keys; a repeat or a step back would mean a
        // broken assumption about key shapes (parts that overlap), so the snapshot fails
        // instead of storing rows whose hash is not the one defined.
        if let Some(last) = &self.last_key
            && row.key <= *last
        {
            return Err(StoreError::OutOfOrder(row.key));
        }
        self.hasher.entitlement(&row);
        self.counts.add_entitlement(&row);
        encode_entitlement(&mut self.buffer, self.snapshot_id, &row);
        self.last_key = Some(row.key);
        if self.buffer.len() >= SEND_BYTES {
            self.copy.send(self.buffer.as_bytes()).await?;
            self.buffer.clear();
        }
        Ok(())
    }

    async fn finish(mut self) -> Result<u64, StoreError> {
        if !self.buffer.is_empty() {
            self.copy.send(self.buffer.as_bytes()).await?;
        }
        Ok(self.copy.finish().await?)
    }
}

/// Writes every entitlement of the snapshot derived from `inventory`, part by part, adding
/// each row to `hasher` and `counts`. Returns how many rows `COPY` stored.
pub async fn write_entitlements(
    conn: &mut PgConnection,
    snapshot_id: Uuid,
    inventory: &OrgInventory,
    hasher: &mut ContentHasher,
    counts: &mut Counts,
) -> Result<u64, StoreError> {
    let mut sink = Sink {
        copy: conn.copy_in_raw(COPY_ENTITLEMENTS).await?,
        snapshot_id,
        buffer: String::with_capacity(SEND_BYTES + 4096),
        last_key: None,
        hasher,
        counts,
    };
    match write_parts(&mut sink, inventory).await {
        Ok(()) => sink.finish().await,
        Err(err) => {
            // Leaves the connection usable for the rollback; the error that matters is `err`.
            if let Err(abort) = sink.copy.abort("snapshot write failed").await {
                tracing::debug!(snapshot.id = %snapshot_id, error = %abort, "aborting the entitlement COPY");
            }
            Err(err)
        }
    }
}

async fn write_parts(sink: &mut Sink<'_>, inventory: &OrgInventory) -> Result<(), StoreError> {
    for part in parts(inventory, PROJECTS_PER_PART) {
        for row in derive_part(inventory, &part) {
            sink.push(row).await?;
        }
    }
    Ok(())
}
