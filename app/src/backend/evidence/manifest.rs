//! `manifest.json`: what an evidence pack holds and how to check it. The pack writes it, the
//! verifier reads it back; field order is the struct order, so the same campaign state always
//! gives the same bytes (and so the same signature).

use serde::{Deserialize, Serialize};

/// Version of this layout; the verifier refuses others.
pub const SCHEMA_VERSION: u32 = 1;

/// The manifest's own name, its signature's, and the checksum list's.
pub const MANIFEST: &str = "manifest.json";
pub const SIGNATURE: &str = "manifest.json.sig";
pub const CHECKSUMS: &str = "SHA256SUMS";

/// The whole manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub schema_version: u32,
    pub app: AppInfo,
    /// ISO-8601 UTC. For a signed-off or closed campaign, the sign-off or close time, so a
    /// pack generated again later is identical.
    pub generated_at: String,
    /// What `generated_at` is: `signed_off_at`, `closed_at`, or `generation_time` for a
    /// campaign still open.
    pub generated_at_basis: String,
    pub campaign: CampaignInfo,
    pub snapshots: Vec<SnapshotInfo>,
    pub reconciliation: Reconciliation,
    pub csv_dialect: CsvDialect,
    pub audit_chain: ChainProof,
    pub signature: SignatureInfo,
    /// Every file of the pack except the manifest, its signature and `SHA256SUMS`.
    pub files: Vec<FileEntry>,
}

/// Which Attest wrote the pack.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppInfo {
    pub name: String,
    pub version: String,
}

/// The campaign's identity and parameters (all of them are also in `campaign.csv`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CampaignInfo {
    pub id: String,
    pub name: String,
    pub status: String,
    pub org_ids: Vec<String>,
    pub project_ids: Vec<String>,
    pub principal_kinds: Vec<String>,
    pub tiers: Vec<String>,
    pub due_date: String,
    pub reviewer_rules: Vec<String>,
    pub undecided_outcome: String,
    pub remediation_mode: String,
    pub launched_at: Option<String>,
    pub closed_at: Option<String>,
    pub signed_off_at: Option<String>,
}

/// One snapshot the population was frozen from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SnapshotInfo {
    pub org_id: String,
    pub snapshot_id: String,
    pub content_sha256: String,
    pub pages_sha256: Option<String>,
    pub finished_at: String,
    pub atlas_base_url: String,
    pub credential_id: String,
    pub extracted_by_app_version: String,
    pub raw_pages: u64,
}

/// Control totals over the whole campaign.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reconciliation {
    pub entitlements_in_scope: i64,
    pub items_created: i64,
    pub review_items: i64,
    pub decided: i64,
    pub revoked: i64,
    pub remediation_jobs: i64,
    pub remediation_verified: i64,
}

/// How the CSV files are written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CsvDialect {
    pub encoding: String,
    pub header_row: bool,
    pub quoting: String,
    pub line_end: String,
    pub formula_escaping: String,
}

/// The audit chain segment in `audit_events.jsonl`: contiguous from `first_seq` to
/// `last_seq`, starting from `start_prev_hash` (the hash of event `first_seq - 1`, or zeros at
/// the start of the log) and ending at `head_hash`.
///
/// When a signed checkpoint older than the campaign's first event exists, the segment starts
/// right after the newest one, `start_checkpoint`, whose hash is then `start_prev_hash`; the
/// campaign's own sign-off checkpoint, when there is one, names an event inside the segment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChainProof {
    pub file: String,
    pub first_seq: i64,
    pub last_seq: i64,
    pub start_prev_hash: String,
    pub head_hash: String,
    pub events: u64,
    pub campaign_events: u64,
    pub algorithm: String,
    /// The checkpoint the segment starts from; `null` when it starts where the campaign's
    /// events start (no earlier checkpoint, or the log's beginning).
    #[serde(default)]
    pub start_checkpoint: Option<CheckpointProof>,
    /// The checkpoint written with the campaign's sign-off; `null` before sign-off or when no
    /// signing key was configured then.
    #[serde(default)]
    pub signoff_checkpoint: Option<CheckpointProof>,
    /// How a checkpoint's signature is made; empty in packs written before checkpoints.
    #[serde(default)]
    pub checkpoint_algorithm: String,
}

/// A signed audit checkpoint as the pack carries it: the event (seq, hash) it names, when it
/// was signed, and the Ed25519 signature (base64) over its text by `public_key` (base64).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckpointProof {
    pub seq: i64,
    pub hash: String,
    pub at: String,
    pub reason: String,
    pub signature: String,
    pub public_key: String,
}

/// Who signed the manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignatureInfo {
    pub algorithm: String,
    pub file: String,
    /// The Ed25519 public key, base64 (32 bytes).
    pub public_key: String,
    /// `configured`, or `demo` for the publicly known demo key.
    pub key_origin: String,
}

/// One file of the pack.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileEntry {
    pub path: String,
    pub sha256: String,
    pub bytes: u64,
    /// Data rows (CSV without its header, JSON lines); none for other files.
    pub rows: Option<u64>,
    pub columns: Option<Vec<String>>,
    /// For a raw snapshot page: the SHA-256 of its uncompressed body, as recorded when the
    /// page was read from Atlas.
    pub content_sha256: Option<String>,
}
