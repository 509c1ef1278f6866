//! Where snapshots read Atlas from: the `ATLAS_*` connection the command line and `attest
//! serve` share, or the simulated org of demo mode.

use std::sync::Arc;

use app::backend::atlas::{AtlasClient, AtlasConfig, Credentials, DEFAULT_BASE_URL};

/// Where Atlas is and who Attest is there, from the environment.
#[derive(Debug)]
pub struct AtlasEnv {
    pub base_url: String,
    pub credentials: Credentials,
    /// The client id or public key, recorded with the snapshot.
    pub credential_id: String,
}

/// Reads `ATLAS_BASE_URL` and one credential pair through `var`; the error is one line naming
/// the variable to fix.
pub fn atlas_env(var: impl Fn(&str) -> Option<String>) -> Result<AtlasEnv, String> {
    let get = |name: &str| var(name).filter(|v| !v.trim().is_empty());
    let base_url = get("ATLAS_BASE_URL").unwrap_or_else(|| DEFAULT_BASE_URL.to_owned());
    let pair = |id: &str, secret: &str| match (get(id), get(secret)) {
        (Some(a), Some(b)) => Ok(Some((a, b))),
        (Some(_), None) => Err(format!("{secret} is not set ({id} is)")),
        (None, Some(_)) => Err(format!("{id} is not set ({secret} is)")),
        (None, None) => Ok(None),
    };
    let service_account = pair("ATLAS_CLIENT_ID", "ATLAS_CLIENT_SECRET")?;
    let api_key = pair("ATLAS_PUBLIC_KEY", "ATLAS_PRIVATE_KEY")?;
    let (credentials, credential_id) = match (service_account, api_key) {
        (Some(_), Some(_)) => {
            return Err(
                "ATLAS_CLIENT_ID and ATLAS_PUBLIC_KEY are both set; keep one credential".to_owned(),
            );
        }
        (Some((client_id, secret)), None) => (
            Credentials::ServiceAccount {
                client_id: client_id.clone(),
                client_secret: secret.into(),
            },
            client_id,
        ),
        (None, Some((public_key, private_key))) => (
            Credentials::ApiKey {
                public_key: public_key.clone(),
                private_key: private_key.into(),
            },
            public_key,
        ),
        (None, None) => {
            return Err(
                "ATLAS_CLIENT_ID and ATLAS_CLIENT_SECRET (service account) or \
                 ATLAS_PUBLIC_KEY and ATLAS_PRIVATE_KEY (API key) must be set"
                    .to_owned(),
            );
        }
    };
    Ok(AtlasEnv {
        base_url,
        credentials,
        credential_id,
    })
}

/// An Atlas connection and the orgs Attest snapshots through it.
#[derive(Clone)]
pub struct AtlasSource {
    pub client: AtlasClient,
    /// The client id or public key, recorded with each snapshot; never a secret.
    pub credential_id: String,
    pub org_ids: Vec<String>,
}

impl AtlasSource {
    /// The connection from the `ATLAS_*` variables read through `var`, for `org_ids`; `None`
    /// when no org is configured, an error naming the variable when the connection is
    /// incomplete.
    pub fn from_env(
        var: impl Fn(&str) -> Option<String>,
        org_ids: Vec<String>,
    ) -> Result<Option<Arc<Self>>, String> {
        if org_ids.is_empty() {
            return Ok(None);
        }
        let env = atlas_env(var)?;
        let client =
            AtlasClient::new(AtlasConfig::new(env.credentials).with_base_url(env.base_url))
                .map_err(|err| format!("ATLAS_BASE_URL: {err}"))?;
        Ok(Some(Arc::new(Self {
            client,
            credential_id: env.credential_id,
            org_ids,
        })))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let owned: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| {
            owned
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        }
    }

    #[test]
    fn service_account_with_the_default_base_url() {
        let env = atlas_env(env_of(&[
            ("ATLAS_CLIENT_ID", "mdb_sa_id_x"),
            ("ATLAS_CLIENT_SECRET", "s"),
        ]))
        .expect("valid");
        assert_eq!(env.base_url, DEFAULT_BASE_URL);
        assert_eq!(env.credential_id, "mdb_sa_id_x");
        assert!(matches!(
            env.credentials,
            Credentials::ServiceAccount { .. }
        ));
    }

    #[test]
    fn errors_name_the_missing_or_conflicting_variable() {
        let half = atlas_env(env_of(&[("ATLAS_PUBLIC_KEY", "abcdefgh")])).expect_err("half");
        assert!(half.starts_with("ATLAS_PRIVATE_KEY"), "{half}");
        let none = atlas_env(env_of(&[])).expect_err("none");
        assert!(none.contains("ATLAS_CLIENT_ID"), "{none}");
        let both = atlas_env(env_of(&[
            ("ATLAS_CLIENT_ID", "a"),
            ("ATLAS_CLIENT_SECRET", "b"),
            ("ATLAS_PUBLIC_KEY", "c"),
            ("ATLAS_PRIVATE_KEY", "d"),
        ]))
        .expect_err("both");
        assert!(both.contains("both"), "{both}");
    }
}
