//! The Ed25519 key evidence packs are signed with.
//!
//! It comes from configuration as a base64 32-byte seed, given directly
//! (`ATTEST_EVIDENCE_SIGNING_KEY`) or in a file (`ATTEST_EVIDENCE_SIGNING_KEY_FILE`, the
//! better choice: mount it into the app's container only). Demo mode without a key uses a
//! fixed, publicly known demo key and says so in every pack it signs. The key never reaches
//! the database: whoever can rewrite the database still cannot sign.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use sha2::{Digest, Sha256};

/// Where a key came from, as recorded in the manifest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyOrigin {
    Configured,
    /// The publicly known demo key: a pack signed with it proves nothing about who signed.
    Demo,
}

/// The signing key and where it came from.
#[derive(Clone)]
pub struct EvidenceKey {
    key: SigningKey,
    pub origin: KeyOrigin,
}

impl std::fmt::Debug for EvidenceKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the secret half.
        f.debug_struct("EvidenceKey")
            .field("public_key", &self.public_key_base64())
            .field("origin", &self.origin)
            .finish()
    }
}

impl EvidenceKey {
    /// A key from its base64 seed; the error names what is wrong, never the value.
    pub fn from_base64_seed(seed: &str) -> Result<EvidenceKey, String> {
        let bytes = STANDARD
            .decode(seed.trim())
            .map_err(|_| "is not base64 (expected a base64-encoded 32-byte seed)".to_owned())?;
        let seed: [u8; 32] = bytes.try_into().map_err(|bytes: Vec<u8>| {
            format!(
                "decodes to {} bytes; an Ed25519 seed is 32 bytes",
                bytes.len()
            )
        })?;
        Ok(EvidenceKey {
            key: SigningKey::from_bytes(&seed),
            origin: KeyOrigin::Configured,
        })
    }

    /// The publicly known demo key (the SHA-256 of a fixed phrase), for demo mode only.
    pub fn demo() -> EvidenceKey {
        let seed: [u8; 32] = Sha256::digest(b"attest demo evidence signing key").into();
        EvidenceKey {
            key: SigningKey::from_bytes(&seed),
            origin: KeyOrigin::Demo,
        }
    }

    /// A new random key, as a base64 seed to put into configuration.
    pub fn generate_seed() -> String {
        let mut seed = [0_u8; 32];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut seed);
        STANDARD.encode(seed)
    }

    /// The public half, base64, as shown in Settings and printed by the command line.
    pub fn public_key_base64(&self) -> String {
        STANDARD.encode(self.key.verifying_key().to_bytes())
    }

    /// The signature of `message`, base64.
    pub fn sign_base64(&self, message: &[u8]) -> String {
        STANDARD.encode(self.key.sign(message).to_bytes())
    }
}

/// Checks a base64 `signature` of `message` (the bytes of `manifest.json`) against a base64
/// `public_key`; the error says which of the three is wrong.
pub fn check_signature(public_key: &str, message: &[u8], signature: &str) -> Result<(), String> {
    check_signature_of("manifest.json", public_key, message, signature)
}

/// [`check_signature`] for any signed text; `signed` names it in the error.
pub fn check_signature_of(
    signed: &str,
    public_key: &str,
    message: &[u8],
    signature: &str,
) -> Result<(), String> {
    let key_bytes: [u8; 32] = STANDARD
        .decode(public_key.trim())
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| format!("the public key '{public_key}' is not a base64 Ed25519 key"))?;
    let key = VerifyingKey::from_bytes(&key_bytes)
        .map_err(|_| format!("the public key '{public_key}' is not a valid Ed25519 key"))?;
    let signature_bytes: [u8; 64] = STANDARD
        .decode(signature.trim())
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| "the signature is not a base64 Ed25519 signature".to_owned())?;
    key.verify(message, &Signature::from_bytes(&signature_bytes))
        .map_err(|_| format!("the signature does not match {signed} for this key"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_only_for_its_message_and_key() {
        let key = EvidenceKey::from_base64_seed(&EvidenceKey::generate_seed()).expect("a seed");
        let signature = key.sign_base64(b"manifest");
        assert_eq!(
            check_signature(&key.public_key_base64(), b"manifest", &signature),
            Ok(())
        );
        assert!(check_signature(&key.public_key_base64(), b"manifest!", &signature).is_err());
        let other = EvidenceKey::demo().public_key_base64();
        assert!(check_signature(&other, b"manifest", &signature).is_err());
    }

    #[test]
    fn a_bad_seed_is_named_without_echoing_it() {
        let err = EvidenceKey::from_base64_seed("c2hvcnQ=").expect_err("too short");
        assert!(err.contains("5 bytes"), "{err}");
        let err = EvidenceKey::from_base64_seed("not base64!").expect_err("not base64");
        assert!(!err.contains("not base64!"), "{err}");
    }
}
