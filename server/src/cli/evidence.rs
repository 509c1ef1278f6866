//! `attest evidence …`: write a campaign's evidence pack to a file, verify a pack without any
//! database, print the public half of the signing key, and generate a new key.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use app::backend::evidence::{EvidenceError, build_pack, verify_pack};
use clap::Subcommand;
use uuid::Uuid;

use super::{CommonArgs, fail};
use crate::evidence::EvidenceArgs;

#[derive(Debug, Subcommand)]
pub enum EvidenceCommand {
    /// Write the signed evidence pack of a campaign to a file.
    Pack {
        /// The campaign id.
        #[arg(long)]
        campaign: Uuid,
        /// The zip to write.
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        key: EvidenceArgs,
    },
    /// Check an evidence pack: hashes, row counts, signature and audit chain. Needs no
    /// database. Exits 1 at the first failure.
    Verify {
        /// The pack (a zip).
        pack: PathBuf,
        /// The signing key's public half (base64) your organization gave you in advance;
        /// without it, the pack is checked against the key it names.
        #[arg(long)]
        public_key: Option<String>,
    },
    /// Print the public half of the configured signing key.
    PublicKey {
        #[command(flatten)]
        key: EvidenceArgs,
    },
    /// Print a new random signing key (a base64 seed) for ATTEST_EVIDENCE_SIGNING_KEY_FILE.
    GenerateKey,
}

/// Runs `command`.
pub async fn run(common: &CommonArgs, command: EvidenceCommand) -> ExitCode {
    match command {
        EvidenceCommand::Pack { campaign, out, key } => pack(common, campaign, &out, &key).await,
        EvidenceCommand::Verify { pack, public_key } => verify(&pack, public_key.as_deref()),
        EvidenceCommand::PublicKey { key } => match key.configured_key() {
            Ok(Some(key)) => {
                println!("{}", key.public_key_base64());
                ExitCode::SUCCESS
            }
            Ok(None) => fail(
                "ATTEST_EVIDENCE_SIGNING_KEY_FILE (or ATTEST_EVIDENCE_SIGNING_KEY): missing; \
                 there is no signing key to show",
            ),
            Err(err) => fail(&err),
        },
        EvidenceCommand::GenerateKey => {
            println!("{}", app::backend::evidence::EvidenceKey::generate_seed());
            ExitCode::SUCCESS
        }
    }
}

async fn pack(common: &CommonArgs, campaign: Uuid, out: &Path, key: &EvidenceArgs) -> ExitCode {
    let key = match key.configured_key() {
        Ok(Some(key)) => key,
        Ok(None) => {
            return fail(
                "ATTEST_EVIDENCE_SIGNING_KEY_FILE (or ATTEST_EVIDENCE_SIGNING_KEY): missing; \
                 packs are signed (`attest evidence generate-key` makes a key)",
            );
        }
        Err(err) => return fail(&err),
    };
    let pool = match crate::database::connect(&common.database_url).await {
        Ok(pool) => pool,
        Err(err) => return fail(&format!("{err:#}")),
    };
    let pack = match build_pack(&pool, campaign, &key, chrono::Utc::now()).await {
        Ok(pack) => pack,
        Err(EvidenceError::NoCampaign(id)) => {
            return fail(&format!("campaign {id} does not exist"));
        }
        Err(err) => return fail(&format!("the evidence pack could not be built: {err}")),
    };
    if let Err(err) = std::fs::write(out, &pack.bytes) {
        return fail(&format!("cannot write {}: {err}", out.display()));
    }
    println!(
        "wrote {} ({} bytes, {} files, generated at {}); signed by {}",
        out.display(),
        pack.bytes.len(),
        pack.manifest.files.len() + 3,
        pack.manifest.generated_at,
        pack.manifest.signature.public_key
    );
    ExitCode::SUCCESS
}

fn verify(path: &Path, public_key: Option<&str>) -> ExitCode {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(err) => {
            println!("FAILED: cannot read {}: {err}", path.display());
            return ExitCode::FAILURE;
        }
    };
    let report = verify_pack(&bytes, public_key);
    for check in &report.checked {
        println!("ok      {check}");
    }
    match report.failure {
        None => {
            println!("{}: evidence pack verified", path.display());
            ExitCode::SUCCESS
        }
        Some(failure) => {
            println!("FAILED  {failure}");
            println!("{}: evidence pack NOT verified", path.display());
            ExitCode::FAILURE
        }
    }
}
