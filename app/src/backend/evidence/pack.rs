//! The evidence pack: one zip per campaign holding its CSV files, the raw Atlas pages its
//! population came from, its audit chain segment, a README for the auditor, `manifest.json`
//! (every file's SHA-256 and row count), `SHA256SUMS` and the manifest's Ed25519 signature.
//!
//! A pack of a closed campaign is a pure function of the database: files in a fixed order,
//! every zip timestamp and the generation time taken from the close or sign-off, and Ed25519
//! signatures are deterministic, so generating it again gives the same bytes.

use std::io::Write;

use chrono::{DateTime, Datelike, Timelike, Utc};
use futures_util::TryStreamExt;
use sha2::{Digest, Sha256};
use sqlx::PgPool;
use uuid::Uuid;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use super::chain::{EVENTS_FILE, campaign_segment};
use super::files::CAMPAIGN_FILES;
use super::manifest::{
    AppInfo, CHECKSUMS, CampaignInfo, CsvDialect, FileEntry, MANIFEST, Manifest, Reconciliation,
    SCHEMA_VERSION, SIGNATURE, SignatureInfo, SnapshotInfo,
};
use super::signing::{EvidenceKey, KeyOrigin};
use super::stream::{CsvSink, Params, write_csv};
use super::{EvidenceError, FORMULA_RULE};

/// The README's name in the pack.
pub const README: &str = "README.txt";
/// The folder raw snapshot pages are kept under, one subfolder per snapshot.
pub const PAGES_DIR: &str = "snapshot_pages/";

/// A generated pack.
#[derive(Debug)]
pub struct Pack {
    pub bytes: Vec<u8>,
    /// The download name: `attest-evidence_<campaign>_<generated>.zip`.
    pub file_name: String,
    pub manifest: Manifest,
}

#[derive(sqlx::FromRow)]
struct CampaignRow {
    id: Uuid,
    name: String,
    status: String,
    org_ids: Vec<String>,
    project_ids: Vec<String>,
    principal_kinds: Vec<String>,
    tiers: Vec<String>,
    due_date: String,
    reviewer_rules: Vec<String>,
    undecided_outcome: String,
    remediation_mode: String,
    launched_at: Option<DateTime<Utc>>,
    closed_at: Option<DateTime<Utc>>,
    signed_at: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct SnapshotRow {
    org_id: String,
    snapshot_id: Uuid,
    content_sha256: String,
    pages_sha256: Option<String>,
    finished_at: DateTime<Utc>,
    atlas_base_url: String,
    credential_id: String,
    app_version: String,
    raw_pages: i64,
}

/// One file on its way into the zip.
struct PackFile {
    path: String,
    bytes: Vec<u8>,
    rows: Option<u64>,
    columns: Option<Vec<String>>,
    content_sha256: Option<String>,
}

impl PackFile {
    fn entry(&self) -> FileEntry {
        FileEntry {
            path: self.path.clone(),
            sha256: sha256_hex(&self.bytes),
            bytes: self.bytes.len() as u64,
            rows: self.rows,
            columns: self.columns.clone(),
            content_sha256: self.content_sha256.clone(),
        }
    }
}

/// The SHA-256 of `bytes` in lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// An ISO-8601 UTC timestamp with microseconds, as every evidence file writes them.
pub fn iso(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

/// Builds the evidence pack of campaign `campaign_id`, signed with `key`. `now` is the
/// generation time of a campaign still open.
// Limitation: the pack is assembled in memory (each CSV is streamed from the database into
// it); a campaign of millions of items needs memory in proportion. The CSV downloads stream.
pub async fn build_pack(
    pool: &PgPool,
    campaign_id: Uuid,
    key: &EvidenceKey,
    now: DateTime<Utc>,
) -> Result<Pack, EvidenceError> {
    let campaign = load_campaign(pool, campaign_id).await?;
    if campaign.launched_at.is_none() {
        return Err(EvidenceError::Invalid(
            "This campaign is a draft: it has no population or decisions until it is launched."
                .into(),
        ));
    }
    let (generated_at, basis) = match (campaign.signed_at, campaign.closed_at) {
        (Some(at), _) => (at, "signed_off_at"),
        (None, Some(at)) => (at, "closed_at"),
        (None, None) => (now, "generation_time"),
    };
    let mut files = vec![];
    for file in CAMPAIGN_FILES {
        let mut bytes = Vec::new();
        let rows = write_csv(
            pool,
            file,
            Params::Campaign(campaign_id),
            CsvSink::Buffer(&mut bytes),
        )
        .await?;
        files.push(PackFile {
            path: file.name.to_owned(),
            bytes,
            rows: Some(rows),
            columns: Some(file.header().map(str::to_owned).collect()),
            content_sha256: None,
        });
    }
    let (events, audit_chain) =
        campaign_segment(pool, campaign_id, &key.public_key_base64()).await?;
    files.push(PackFile {
        path: EVENTS_FILE.to_owned(),
        bytes: events,
        rows: Some(audit_chain.events),
        columns: None,
        content_sha256: None,
    });
    let snapshots = load_snapshots(pool, campaign_id).await?;
    for snapshot in &snapshots {
        raw_pages(pool, snapshot.snapshot_id, &mut files).await?;
    }
    let manifest_without_readme = Manifest {
        schema_version: SCHEMA_VERSION,
        app: AppInfo {
            name: "attest".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
        generated_at: iso(generated_at),
        generated_at_basis: basis.into(),
        campaign: campaign_info(&campaign),
        snapshots: snapshots.iter().map(snapshot_info).collect(),
        reconciliation: reconciliation(pool, campaign_id).await?,
        csv_dialect: CsvDialect {
            encoding: "UTF-8".into(),
            header_row: true,
            quoting: "every field in double quotes (RFC 4180)".into(),
            line_end: "CRLF".into(),
            formula_escaping: FORMULA_RULE.into(),
        },
        audit_chain,
        signature: SignatureInfo {
            algorithm: "Ed25519 over the exact bytes of manifest.json, base64".into(),
            file: SIGNATURE.into(),
            public_key: key.public_key_base64(),
            key_origin: match key.origin {
                KeyOrigin::Configured => "configured",
                KeyOrigin::Demo => "demo (publicly known; proves nothing about the signer)",
            }
            .into(),
        },
        files: Vec::new(),
    };
    files.insert(
        0,
        PackFile {
            path: README.into(),
            bytes: super::readme::readme(&manifest_without_readme).into_bytes(),
            rows: None,
            columns: None,
            content_sha256: None,
        },
    );
    let manifest = Manifest {
        files: files.iter().map(PackFile::entry).collect(),
        ..manifest_without_readme
    };
    let mut manifest_bytes =
        serde_json::to_vec_pretty(&manifest).map_err(|e| EvidenceError::write(MANIFEST, e))?;
    manifest_bytes.push(b'\n');
    let signature = format!("{}\n", key.sign_base64(&manifest_bytes));
    let mut sums = String::new();
    sums.push_str(&format!("{}  {MANIFEST}\n", sha256_hex(&manifest_bytes)));
    sums.push_str(&format!(
        "{}  {SIGNATURE}\n",
        sha256_hex(signature.as_bytes())
    ));
    for file in &manifest.files {
        sums.push_str(&format!("{}  {}\n", file.sha256, file.path));
    }
    let bytes = write_zip(
        generated_at,
        [
            (MANIFEST, manifest_bytes.as_slice()),
            (SIGNATURE, signature.as_bytes()),
            (CHECKSUMS, sums.as_bytes()),
        ]
        .into_iter()
        .chain(files.iter().map(|f| (f.path.as_str(), f.bytes.as_slice()))),
    )?;
    tracing::info!(
        campaign.id = %campaign_id,
        files = manifest.files.len(),
        bytes = bytes.len(),
        "evidence pack generated"
    );
    Ok(Pack {
        bytes,
        file_name: format!(
            "attest-evidence_{campaign_id}_{}.zip",
            generated_at.format("%Y%m%dT%H%M%SZ")
        ),
        manifest,
    })
}

async fn load_campaign(pool: &PgPool, campaign_id: Uuid) -> Result<CampaignRow, EvidenceError> {
    sqlx::query_as::<_, CampaignRow>(
        "SELECT c.id, c.name, c.status, c.org_ids, c.project_ids, c.principal_kinds, c.tiers, \
             c.due_date::text AS due_date, c.reviewer_rules, c.undecided_outcome, \
             c.remediation_mode, c.launched_at, c.closed_at, s.signed_at \
         FROM campaign c LEFT JOIN campaign_signoff s ON s.campaign_id = c.id WHERE c.id = $1",
    )
    .bind(campaign_id)
    .fetch_optional(pool)
    .await?
    .ok_or(EvidenceError::NoCampaign(campaign_id))
}

fn campaign_info(c: &CampaignRow) -> CampaignInfo {
    CampaignInfo {
        id: c.id.to_string(),
        name: c.name.clone(),
        status: c.status.clone(),
        org_ids: c.org_ids.clone(),
        project_ids: c.project_ids.clone(),
        principal_kinds: c.principal_kinds.clone(),
        tiers: c.tiers.clone(),
        due_date: c.due_date.clone(),
        reviewer_rules: c.reviewer_rules.clone(),
        undecided_outcome: c.undecided_outcome.clone(),
        remediation_mode: c.remediation_mode.clone(),
        launched_at: c.launched_at.map(iso),
        closed_at: c.closed_at.map(iso),
        signed_off_at: c.signed_at.map(iso),
    }
}

async fn load_snapshots(
    pool: &PgPool,
    campaign_id: Uuid,
) -> Result<Vec<SnapshotRow>, EvidenceError> {
    Ok(sqlx::query_as::<_, SnapshotRow>(
        "SELECT cs.org_id, cs.snapshot_id, cs.content_sha256, s.pages_sha256, \
             cs.snapshot_finished_at AS finished_at, s.atlas_base_url, s.credential_id, \
             s.app_version, \
             (SELECT count(*) FROM snapshot_page p WHERE p.snapshot_id = s.id) AS raw_pages \
         FROM campaign_snapshot cs JOIN snapshot s ON s.id = cs.snapshot_id \
         WHERE cs.campaign_id = $1 ORDER BY cs.org_id",
    )
    .bind(campaign_id)
    .fetch_all(pool)
    .await?)
}

fn snapshot_info(s: &SnapshotRow) -> SnapshotInfo {
    SnapshotInfo {
        org_id: s.org_id.clone(),
        snapshot_id: s.snapshot_id.to_string(),
        content_sha256: s.content_sha256.clone(),
        pages_sha256: s.pages_sha256.clone(),
        finished_at: iso(s.finished_at),
        atlas_base_url: s.atlas_base_url.clone(),
        credential_id: s.credential_id.clone(),
        extracted_by_app_version: s.app_version.clone(),
        raw_pages: s.raw_pages.max(0) as u64,
    }
}

async fn reconciliation(pool: &PgPool, campaign_id: Uuid) -> Result<Reconciliation, EvidenceError> {
    let (entitlements_in_scope, items_created): (i64, i64) = sqlx::query_as(
        "SELECT coalesce(sum(entitlements_in_scope), 0)::bigint, \
             coalesce(sum(items_created), 0)::bigint \
         FROM campaign_snapshot WHERE campaign_id = $1",
    )
    .bind(campaign_id)
    .fetch_one(pool)
    .await?;
    let (review_items, decided, revoked): (i64, i64, i64) = sqlx::query_as(
        "SELECT count(*), count(decision), count(*) FILTER (WHERE decision = 'revoke') \
         FROM review_item WHERE campaign_id = $1",
    )
    .bind(campaign_id)
    .fetch_one(pool)
    .await?;
    let (remediation_jobs, remediation_verified): (i64, i64) = sqlx::query_as(
        "SELECT count(*), count(*) FILTER (WHERE status = 'verified') \
         FROM remediation_job WHERE campaign_id = $1",
    )
    .bind(campaign_id)
    .fetch_one(pool)
    .await?;
    Ok(Reconciliation {
        entitlements_in_scope,
        items_created,
        review_items,
        decided,
        revoked,
        remediation_jobs,
        remediation_verified,
    })
}

/// Appends the raw pages of `snapshot_id`, exactly as stored (gzip), one file each.
async fn raw_pages(
    pool: &PgPool,
    snapshot_id: Uuid,
    files: &mut Vec<PackFile>,
) -> Result<(), EvidenceError> {
    let mut rows = sqlx::query_as::<_, (i32, String, String, Vec<u8>)>(
        "SELECT p.request_seq, r.operation, p.sha256, p.body_gzip \
         FROM snapshot_page p JOIN snapshot_request r \
             ON r.snapshot_id = p.snapshot_id AND r.seq = p.request_seq \
         WHERE p.snapshot_id = $1 ORDER BY p.request_seq",
    )
    .bind(snapshot_id)
    .fetch(pool);
    while let Some((seq, operation, sha256, body_gzip)) = rows.try_next().await? {
        let operation: String = operation
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        files.push(PackFile {
            path: format!("{PAGES_DIR}{snapshot_id}/{seq:05}_{operation}.json.gz"),
            bytes: body_gzip,
            rows: None,
            columns: None,
            content_sha256: Some(sha256),
        });
    }
    Ok(())
}

/// Writes `entries` in the given order, every one stamped with `at`.
fn write_zip<'a>(
    at: DateTime<Utc>,
    entries: impl Iterator<Item = (&'a str, &'a [u8])>,
) -> Result<Vec<u8>, EvidenceError> {
    let stamp = zip::DateTime::from_date_and_time(
        u16::try_from(at.year()).unwrap_or(1980).clamp(1980, 2107),
        at.month() as u8,
        at.day() as u8,
        at.hour() as u8,
        at.minute() as u8,
        at.second() as u8,
    )
    .map_err(|e| EvidenceError::write("the zip", e))?;
    let mut zip = ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (path, bytes) in entries {
        // Raw pages are gzip already; compressing them again only costs time.
        let method = if path.ends_with(".gz") {
            CompressionMethod::Stored
        } else {
            CompressionMethod::Deflated
        };
        let options = SimpleFileOptions::default()
            .compression_method(method)
            .last_modified_time(stamp)
            .unix_permissions(0o644);
        zip.start_file(path, options)
            .map_err(|e| EvidenceError::write(path, e))?;
        zip.write_all(bytes)
            .map_err(|e| EvidenceError::write(path, e))?;
    }
    zip.finish()
        .map(std::io::Cursor::into_inner)
        .map_err(|e| EvidenceError::write("the zip", e))
}
