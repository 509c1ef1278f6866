//! The explorer's current view as CSV, streamed in chunks while the rows are read, with every
//! cell made safe to open in a spreadsheet.

use bytes::Bytes;
use futures_util::TryStreamExt;
use sqlx::PgPool;
use tokio::sync::mpsc::Sender;

use super::InventoryError;
use super::query::{Narrowed, Scope, ValidFilter, rows_query};
use super::row::RowRecord;
use crate::backend::evidence::csv_safe;
use crate::model::inventory::{InventoryFilter, InventoryRow, kind_label, link_label};

/// Rows written between two chunks sent to the client.
const ROWS_PER_CHUNK: usize = 500;

/// The CSV header, in column order.
pub const HEADER: [&str; 18] = [
    "organization",
    "principal",
    "kind",
    "username",
    "person",
    "person email",
    "linked by",
    "leaver",
    "project id",
    "project",
    "resource",
    "role",
    "tier",
    "grant path",
    "granted via",
    "last used",
    "dormant",
    "entitlement key",
];

fn cells(row: &InventoryRow) -> [String; 18] {
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    [
        row.org_id.clone(),
        row.principal_name.clone(),
        kind_label(&row.principal_kind).to_owned(),
        opt(&row.username),
        opt(&row.person_name),
        opt(&row.person_email),
        match (&row.link_relation, &row.link_method) {
            (Some(relation), Some(method)) => link_label(relation, method),
            _ if row.linkable => "orphan".to_owned(),
            _ => String::new(),
        },
        if row.is_leaver { "yes" } else { "no" }.to_owned(),
        opt(&row.project_id),
        opt(&row.project_name),
        row.resource.clone(),
        row.role.clone(),
        row.tier.clone(),
        row.grant_path.clone(),
        opt(&row.granted_via),
        row.last_used
            .clone()
            .unwrap_or_else(|| "no usage data".to_owned()),
        if row.dormant { "yes" } else { "no" }.to_owned(),
        row.entitlement_key.clone(),
    ]
}

/// Checks `filter` before anything is sent, so a bad filter is answered with an error page
/// rather than a broken download.
pub fn check_filter(filter: &InventoryFilter) -> Result<(), InventoryError> {
    ValidFilter::new(filter).map(|_| ())
}

fn new_writer() -> csv::Writer<Vec<u8>> {
    csv::Writer::from_writer(Vec::new())
}

/// The CSV written so far, leaving `writer` empty for the next chunk.
fn flush(writer: &mut csv::Writer<Vec<u8>>) -> Result<Bytes, InventoryError> {
    std::mem::replace(writer, new_writer())
        .into_inner()
        .map(Bytes::from)
        .map_err(|e| InventoryError::Invalid(format!("writing CSV: {e}")))
}

fn write_row(writer: &mut csv::Writer<Vec<u8>>, cells: &[String]) -> Result<(), InventoryError> {
    writer
        .write_record(cells.iter().map(|c| csv_safe(c).into_owned()))
        .map_err(|e| InventoryError::Invalid(format!("writing CSV: {e}")))
}

/// Writes every row matching `filter` (all pages) as CSV into `sink`, one chunk per
/// [`ROWS_PER_CHUNK`] rows. Returns how many rows were written; stops early, without error,
/// when the receiver has gone away (the download was cancelled).
// Limitation: an error after the first chunk cannot change the response status any more; the
// download then ends early and the error is in the server log.
pub async fn export_csv(
    pool: &PgPool,
    filter: &InventoryFilter,
    sink: &Sender<Bytes>,
) -> Result<u64, InventoryError> {
    let filter = ValidFilter::new(filter)?;
    let mut conn = pool.acquire().await?;
    let scope = Scope::current(&mut conn).await?;
    let mut writer = new_writer();
    write_row(&mut writer, &HEADER.map(str::to_owned))?;
    let mut written = 0_u64;
    if !scope.snapshots.is_empty() {
        let narrowed = Narrowed::lookup(&mut conn, &filter, &scope).await?;
        let mut qb = rows_query(&filter, &scope, &narrowed);
        let mut rows = qb.build_query_as::<RowRecord>().fetch(&mut *conn);
        let mut in_chunk = 0;
        while let Some(record) = rows.try_next().await? {
            write_row(&mut writer, &cells(&record.into_row(scope.dormant_days)))?;
            written += 1;
            in_chunk += 1;
            if in_chunk == ROWS_PER_CHUNK {
                in_chunk = 0;
                if sink.send(flush(&mut writer)?).await.is_err() {
                    return Ok(written);
                }
            }
        }
    }
    let _ = sink.send(flush(&mut writer)?).await;
    Ok(written)
}
