//! Settings for `attest serve`, read from flags and environment variables and validated once
//! at start-up. Each problem is reported as one line naming the variable and what is wrong.

use std::net::SocketAddr;

use app::backend::atlas::ChangeRate;
use app::backend::evidence::EvidenceKey;
use app::backend::snapshot::schedule::Schedule;
use clap::Args;
use openidconnect::url::Url;

use crate::email::{EmailArgs, EmailConfig};
use crate::evidence::EvidenceArgs;
use crate::remediation::ChangeRateArgs;
use crate::snapshots::config::ScheduleArgs;

/// Raw settings as given on the command line or in the environment.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "ATTEST_BIND", default_value = "127.0.0.1:3000")]
    pub bind: String,
    /// The URL people use to reach Attest; sets the OIDC redirect URL, the origin that
    /// state-changing requests must come from, and whether cookies are Secure.
    #[arg(
        long,
        env = "ATTEST_PUBLIC_URL",
        default_value = "http://127.0.0.1:3000"
    )]
    pub public_url: String,
    /// OIDC issuer URL (exactly as the provider's discovery document states it).
    #[arg(long, env = "ATTEST_OIDC_ISSUER")]
    pub oidc_issuer: Option<String>,
    /// OIDC client id registered for Attest at the provider.
    #[arg(long, env = "ATTEST_OIDC_CLIENT_ID")]
    pub oidc_client_id: Option<String>,
    /// OIDC client secret.
    #[arg(long, env = "ATTEST_OIDC_CLIENT_SECRET", hide_env_values = true)]
    pub oidc_client_secret: Option<String>,
    /// Comma-separated emails that become admins when they first sign in.
    #[arg(long, env = "ATTEST_ADMIN_EMAILS", value_delimiter = ',')]
    pub admin_emails: Vec<String>,
    /// Demo mode: "act as" sign-in and a simulated Atlas org. Never in production.
    #[arg(long, env = "ATTEST_DEMO", default_value_t = false)]
    pub demo: bool,
    /// Folder with the built site (wasm, JS, CSS), as written by cargo-leptos.
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
    pub site_root: String,
    /// Which orgs are snapshotted, how often, and how long snapshots are kept.
    #[command(flatten)]
    pub schedule: ScheduleArgs,
    /// The SMTP server campaign email goes through, if any.
    #[command(flatten)]
    pub email: EmailArgs,
    /// The key evidence packs are signed with.
    #[command(flatten)]
    pub evidence: EvidenceArgs,
    /// How fast the remediation worker changes Atlas.
    #[command(flatten)]
    pub change_rate: ChangeRateArgs,
}

/// Validated settings.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    pub bind: SocketAddr,
    pub public_url: Url,
    pub oidc: Option<OidcSettings>,
    pub admin_emails: Vec<String>,
    pub demo: bool,
    pub site_root: String,
    /// Orgs snapshotted through the `ATLAS_*` connection (in demo mode, the simulated org is
    /// added at start).
    pub atlas_org_ids: Vec<String>,
    pub schedule: Schedule,
    /// Campaign email; its `smtp` is `None` when email is off.
    pub email: EmailConfig,
    /// The key evidence packs are signed with; `None` when none is configured (packs are then
    /// refused, the CSV files still download).
    pub evidence_key: Option<EvidenceKey>,
    /// The pace of the remediation worker's changes to Atlas; `None` paces them like reads.
    /// Demo mode ignores it: the simulated org has no budget to protect.
    pub remediation_change_rate: Option<ChangeRate>,
}

/// The identity provider Attest signs people in with.
#[derive(Debug, Clone)]
pub struct OidcSettings {
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
}

impl ServeConfig {
    /// Validates `args`; the error is one line naming the variable.
    pub fn from_args(args: ServeArgs) -> Result<ServeConfig, String> {
        let bind = args.bind.parse::<SocketAddr>().map_err(|_| {
            format!(
                "ATTEST_BIND (--bind): '{}' is not an address like 127.0.0.1:3000",
                args.bind
            )
        })?;
        let public_url = Url::parse(&args.public_url)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
            .ok_or_else(|| {
                format!(
                    "ATTEST_PUBLIC_URL (--public-url): '{}' is not an http(s) URL like https://attest.example.com",
                    args.public_url
                )
            })?;
        let oidc = match (
            args.oidc_issuer,
            args.oidc_client_id,
            args.oidc_client_secret,
        ) {
            (None, None, None) => None,
            (Some(issuer), Some(client_id), Some(client_secret)) => {
                if Url::parse(&issuer).is_err() {
                    return Err(format!(
                        "ATTEST_OIDC_ISSUER (--oidc-issuer): '{issuer}' is not a URL"
                    ));
                }
                Some(OidcSettings {
                    issuer,
                    client_id,
                    client_secret,
                })
            }
            (issuer, client_id, secret) => {
                let missing = [
                    (issuer.is_none(), "ATTEST_OIDC_ISSUER"),
                    (client_id.is_none(), "ATTEST_OIDC_CLIENT_ID"),
                    (secret.is_none(), "ATTEST_OIDC_CLIENT_SECRET"),
                ]
                .into_iter()
                .filter_map(|(absent, name)| absent.then_some(name))
                .collect::<Vec<_>>()
                .join(", ");
                return Err(format!(
                    "{missing}: missing; single sign-on needs the issuer, client id and client secret together"
                ));
            }
        };
        let mut admin_emails = Vec::new();
        for email in args
            .admin_emails
            .iter()
            .map(|e| e.trim())
            .filter(|e| !e.is_empty())
        {
            if !email.contains('@') {
                return Err(format!(
                    "ATTEST_ADMIN_EMAILS (--admin-emails): '{email}' is not an email address"
                ));
            }
            admin_emails.push(email.to_lowercase());
        }
        if oidc.is_none() && !args.demo {
            return Err(
                "ATTEST_OIDC_ISSUER: missing; without single sign-on nobody can sign in (set it, or use --demo to try Attest)"
                    .to_string(),
            );
        }
        let (atlas_org_ids, schedule) = args.schedule.validate()?;
        let email = args.email.validate()?;
        let evidence_key = args.evidence.key(args.demo)?;
        let remediation_change_rate = args.change_rate.validate()?;
        Ok(ServeConfig {
            bind,
            public_url,
            oidc,
            admin_emails,
            demo: args.demo,
            site_root: args.site_root,
            atlas_org_ids,
            schedule,
            email,
            evidence_key,
            remediation_change_rate,
        })
    }

    /// Whether cookies must be Secure and HSTS sent.
    pub fn is_https(&self) -> bool {
        self.public_url.scheme() == "https"
    }

    /// The origin (`scheme://host[:port]`) that state-changing requests must come from.
    pub fn origin(&self) -> String {
        self.public_url.origin().ascii_serialization()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args() -> ServeArgs {
        ServeArgs {
            bind: "127.0.0.1:3000".into(),
            public_url: "http://127.0.0.1:3000".into(),
            oidc_issuer: None,
            oidc_client_id: None,
            oidc_client_secret: None,
            admin_emails: vec![],
            demo: true,
            site_root: "target/site".into(),
            schedule: ScheduleArgs::default(),
            email: EmailArgs::default(),
            evidence: EvidenceArgs::default(),
            change_rate: ChangeRateArgs::default(),
        }
    }

    #[test]
    fn demo_defaults_are_valid() {
        let config = ServeConfig::from_args(args()).expect("valid");
        assert_eq!(config.origin(), "http://127.0.0.1:3000");
        assert!(!config.is_https());
    }

    #[test]
    fn a_bad_bind_address_names_the_variable() {
        let err = ServeConfig::from_args(ServeArgs {
            bind: "localhost".into(),
            ..args()
        })
        .expect_err("rejected");
        assert!(err.starts_with("ATTEST_BIND"), "{err}");
        assert!(!err.contains('\n'));
    }

    #[test]
    fn a_partial_oidc_configuration_names_what_is_missing() {
        let err = ServeConfig::from_args(ServeArgs {
            oidc_issuer: Some("https://idp.example.com".into()),
            ..args()
        })
        .expect_err("rejected");
        assert!(
            err.starts_with("ATTEST_OIDC_CLIENT_ID, ATTEST_OIDC_CLIENT_SECRET: missing"),
            "{err}"
        );
    }

    #[test]
    fn no_sign_in_method_is_refused_outside_demo_mode() {
        let err = ServeConfig::from_args(ServeArgs {
            demo: false,
            ..args()
        })
        .expect_err("rejected");
        assert!(err.starts_with("ATTEST_OIDC_ISSUER: missing"), "{err}");
    }

    #[test]
    fn admin_emails_are_validated_and_lowercased() {
        let config = ServeConfig::from_args(ServeArgs {
            admin_emails: vec!["Ada@Example.com".into(), " ".into()],
            ..args()
        })
        .expect("valid");
        assert_eq!(config.admin_emails, vec!["ada@example.com"]);
        let err = ServeConfig::from_args(ServeArgs {
            admin_emails: vec!["ada".into()],
            ..args()
        })
        .expect_err("rejected");
        assert!(err.starts_with("ATTEST_ADMIN_EMAILS"), "{err}");
    }

    #[test]
    fn public_url_must_be_http() {
        let err = ServeConfig::from_args(ServeArgs {
            public_url: "ftp://x".into(),
            ..args()
        })
        .expect_err("rejected");
        assert!(err.starts_with("ATTEST_PUBLIC_URL"), "{err}");
    }

    #[test]
    fn the_change_rate_takes_fractions_zero_and_names_the_variable_when_wrong() {
        let rate = |change_rate: f64, change_burst: u32| {
            ServeConfig::from_args(ServeArgs {
                change_rate: ChangeRateArgs {
                    change_rate,
                    change_burst,
                },
                ..args()
            })
            .map(|c| c.remediation_change_rate)
        };
        let default = rate(2.0, 2).expect("valid").expect("paced");
        assert_eq!(default.per_second(), 2.0);
        assert_eq!(default.burst().get(), 2);
        assert!(rate(0.5, 1).expect("valid").is_some());
        assert_eq!(rate(0.0, 0), Ok(None));
        let err = rate(-1.0, 1).expect_err("rejected");
        assert!(err.starts_with("ATTEST_REMEDIATION_CHANGE_RATE"), "{err}");
        let err = rate(2.0, 0).expect_err("rejected");
        assert!(err.starts_with("ATTEST_REMEDIATION_CHANGE_BURST"), "{err}");
    }
}
