//! The auditor's evidence workspace (admins and auditors; reading only).

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::evidence::{EvidenceWorkspace, SigningKeyInfo};

/// Campaigns with their completeness, the evidence files, the chain's status and the key.
#[server(endpoint = "list_evidence")]
pub async fn list_evidence() -> Result<EvidenceWorkspace, AppError> {
    use crate::backend::evidence::workspace::{chain_status, evidence_campaigns, evidence_files};
    use crate::backend::{AppContext, auth};
    auth::require_reader().await?;
    let ctx = AppContext::current()?;
    Ok(EvidenceWorkspace {
        campaigns: evidence_campaigns(&ctx.pool).await?,
        files: evidence_files(),
        chain: chain_status(&ctx.pool).await?,
        signing_key: signing_key(&ctx),
    })
}

/// The public half of the evidence signing key, for the Settings page.
#[server(endpoint = "evidence_signing_key")]
pub async fn evidence_signing_key() -> Result<Option<SigningKeyInfo>, AppError> {
    use crate::backend::{AppContext, auth};
    auth::require_reader().await?;
    Ok(signing_key(&AppContext::current()?))
}

#[cfg(feature = "ssr")]
fn signing_key(ctx: &crate::backend::AppContext) -> Option<SigningKeyInfo> {
    ctx.settings
        .evidence_public_key
        .clone()
        .map(|(public_key, demo)| SigningKeyInfo { public_key, demo })
}
