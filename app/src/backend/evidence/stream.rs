//! Writing one evidence CSV: its rows are read from PostgreSQL as a stream and written through
//! the csv writer in chunks, so memory stays flat whatever the campaign's size.
//!
//! The dialect is the one the pack's manifest states: UTF-8, a header row, every field quoted,
//! CRLF line ends, and [`csv_safe`] on every text column.

use bytes::Bytes;
use chrono::{DateTime, Utc};
use futures_util::TryStreamExt;
use sqlx::{PgPool, Row};
use tokio::sync::mpsc::Sender;
use uuid::Uuid;

use super::EvidenceError;
use super::files::{EvidenceFile, Kind};
use super::formula::csv_safe;

/// Rows written between two chunks handed to the sink.
const ROWS_PER_CHUNK: usize = 500;

/// What a file's statement is bound to.
#[derive(Debug, Clone, Copy)]
pub enum Params {
    /// A campaign's files.
    Campaign(Uuid),
    /// The audit log from (inclusive) to (exclusive).
    Range(DateTime<Utc>, DateTime<Utc>),
}

/// Where the chunks of a CSV go: a download being streamed, or a buffer (a file of the pack).
pub enum CsvSink<'a> {
    Channel(&'a Sender<Bytes>),
    Buffer(&'a mut Vec<u8>),
}

impl CsvSink<'_> {
    /// Hands `chunk` on; `false` when the receiver has gone away (a cancelled download).
    async fn push(&mut self, chunk: Vec<u8>) -> bool {
        match self {
            CsvSink::Channel(sender) => sender.send(Bytes::from(chunk)).await.is_ok(),
            CsvSink::Buffer(buffer) => {
                buffer.extend_from_slice(&chunk);
                true
            }
        }
    }
}

fn new_writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .quote_style(csv::QuoteStyle::Always)
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new())
}

fn take(writer: &mut csv::Writer<Vec<u8>>, file: &str) -> Result<Vec<u8>, EvidenceError> {
    std::mem::replace(writer, new_writer())
        .into_inner()
        .map_err(|e| EvidenceError::write(file, e))
}

/// Writes `file` for `params` into `sink` and returns how many data rows it wrote. Stops
/// early, without error, when the receiver has gone away.
// Limitation: an error after the first chunk of a download cannot change the response status
// any more; the download then ends early and the error is in the server log.
pub async fn write_csv(
    pool: &PgPool,
    file: &EvidenceFile,
    params: Params,
    mut sink: CsvSink<'_>,
) -> Result<u64, EvidenceError> {
    let mut writer = new_writer();
    writer
        .write_record(file.header())
        .map_err(|e| EvidenceError::write(file.name, e))?;
    let query = sqlx::query(file.sql);
    let query = match params {
        Params::Campaign(id) => query.bind(id),
        Params::Range(from, to) => query.bind(from).bind(to),
    };
    let mut rows = query.fetch(pool);
    let mut written = 0_u64;
    let mut in_chunk = 0;
    let mut cells: Vec<String> = Vec::with_capacity(file.columns.len());
    while let Some(row) = rows.try_next().await? {
        cells.clear();
        for (i, column) in file.columns.iter().enumerate() {
            let cell: Option<String> = row.try_get(i)?;
            let cell = cell.unwrap_or_default();
            cells.push(match column.kind {
                Kind::Text => csv_safe(&cell).into_owned(),
                Kind::Value => cell,
            });
        }
        writer
            .write_record(&cells)
            .map_err(|e| EvidenceError::write(file.name, e))?;
        written += 1;
        in_chunk += 1;
        if in_chunk == ROWS_PER_CHUNK {
            in_chunk = 0;
            if !sink.push(take(&mut writer, file.name)?).await {
                return Ok(written);
            }
        }
    }
    sink.push(take(&mut writer, file.name)?).await;
    Ok(written)
}
