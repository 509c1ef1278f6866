//! What the auditor's evidence workspace shows: every campaign with its completeness and its
//! evidence downloads, the audit chain's verification status, and the signing key.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The whole workspace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceWorkspace {
    pub campaigns: Vec<EvidenceCampaign>,
    pub files: Vec<EvidenceFileInfo>,
    pub chain: ChainStatus,
    pub signing_key: Option<SigningKeyInfo>,
}

/// One campaign and how complete its review is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceCampaign {
    pub id: Uuid,
    pub name: String,
    pub status: String,
    pub due_date: String,
    pub launched_at: Option<String>,
    pub closed_at: Option<String>,
    pub signed_off_at: Option<String>,
    pub items: i64,
    pub decided: i64,
    pub revoked: i64,
    pub remediation_jobs: i64,
    pub remediation_verified: i64,
}

impl EvidenceCampaign {
    /// Decided items as a whole percentage (100 for a campaign without items).
    pub fn decided_percent(&self) -> i64 {
        if self.items == 0 {
            100
        } else {
            self.decided * 100 / self.items
        }
    }
}

/// One CSV a campaign can be downloaded as.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceFileInfo {
    pub name: String,
    pub about: String,
}

/// The audit chain, recomputed from the first event to the last.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainStatus {
    pub intact: bool,
    /// Events verified (before the break, when broken).
    pub verified: u64,
    /// Where and why it breaks.
    pub problem: Option<String>,
}

/// The public half of the evidence signing key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SigningKeyInfo {
    pub public_key: String,
    /// The publicly known demo key: packs signed with it prove nothing about who signed.
    pub demo: bool,
}
