//! Where the evidence signing key comes from: `ATTEST_EVIDENCE_SIGNING_KEY` (a base64 32-byte
//! Ed25519 seed) or `ATTEST_EVIDENCE_SIGNING_KEY_FILE` (a file holding one), never both.
//! `attest evidence generate-key` prints a new seed. Demo mode without either uses the
//! publicly known demo key, and every pack it signs says so.

use std::path::PathBuf;

use app::backend::evidence::EvidenceKey;
use clap::Args;

/// Raw key settings as given on the command line or in the environment.
#[derive(Debug, Clone, Default, Args)]
pub struct EvidenceArgs {
    /// Ed25519 seed (32 bytes, base64) evidence packs are signed with.
    #[arg(long, env = "ATTEST_EVIDENCE_SIGNING_KEY", hide_env_values = true)]
    pub evidence_signing_key: Option<String>,
    /// A file holding the Ed25519 seed (32 bytes, base64); the better place for it: mount it
    /// into Attest's container only.
    #[arg(long, env = "ATTEST_EVIDENCE_SIGNING_KEY_FILE")]
    pub evidence_signing_key_file: Option<PathBuf>,
}

impl EvidenceArgs {
    /// The configured key, `None` when there is none; the error names the variable.
    pub fn configured_key(&self) -> Result<Option<EvidenceKey>, String> {
        match (&self.evidence_signing_key, &self.evidence_signing_key_file) {
            (None, None) => Ok(None),
            (Some(_), Some(_)) => Err(
                "ATTEST_EVIDENCE_SIGNING_KEY and ATTEST_EVIDENCE_SIGNING_KEY_FILE: both are set; \
                 give the key one way only"
                    .to_owned(),
            ),
            (Some(seed), None) => EvidenceKey::from_base64_seed(seed)
                .map(Some)
                .map_err(|e| format!("ATTEST_EVIDENCE_SIGNING_KEY (--evidence-signing-key): {e}")),
            (None, Some(path)) => {
                let seed = std::fs::read_to_string(path).map_err(|e| {
                    format!(
                        "ATTEST_EVIDENCE_SIGNING_KEY_FILE (--evidence-signing-key-file): cannot \
                         read {}: {e}",
                        path.display()
                    )
                })?;
                EvidenceKey::from_base64_seed(&seed).map(Some).map_err(|e| {
                    format!(
                        "ATTEST_EVIDENCE_SIGNING_KEY_FILE (--evidence-signing-key-file): {} {e}",
                        path.display()
                    )
                })
            }
        }
    }

    /// The key to sign with: the configured one, or in demo mode the demo key.
    pub fn key(&self, demo: bool) -> Result<Option<EvidenceKey>, String> {
        Ok(self
            .configured_key()?
            .or_else(|| demo.then(EvidenceKey::demo)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_mode_falls_back_to_the_demo_key_and_production_to_none() {
        let args = EvidenceArgs::default();
        let demo = args.key(true).expect("valid").expect("a key");
        assert_eq!(
            demo.origin,
            app::backend::evidence::signing::KeyOrigin::Demo
        );
        assert!(args.key(false).expect("valid").is_none());
    }

    #[test]
    fn a_bad_key_names_the_variable_and_both_at_once_are_refused() {
        let bad = EvidenceArgs {
            evidence_signing_key: Some("short".into()),
            evidence_signing_key_file: None,
        };
        let err = bad.key(false).expect_err("refused");
        assert!(err.starts_with("ATTEST_EVIDENCE_SIGNING_KEY "), "{err}");
        let both = EvidenceArgs {
            evidence_signing_key: Some(EvidenceKey::generate_seed()),
            evidence_signing_key_file: Some("/nonexistent".into()),
        };
        assert!(
            both.key(false)
                .expect_err("refused")
                .contains("both are set")
        );
    }
}
