//! Settings of campaign email and starting its sender inside `attest serve` / `attest demo`.
//!
//! Email is off unless `ATTEST_SMTP_HOST` is set; emails are still queued in the outbox then,
//! and go out once a sender runs (those about a campaign that has closed meanwhile are
//! dropped, not sent late).

use std::time::Duration;

use app::backend::notification::smtp::parse_mailbox;
use app::backend::notification::{Mailer, Sender, SenderSettings, SmtpSettings, TlsMode};
use clap::Args;
use openidconnect::url::Url;
use secrecy::SecretString;
use sqlx::PgPool;

/// Raw email settings as given on the command line or in the environment.
#[derive(Clone, Args)]
pub struct EmailArgs {
    /// SMTP server that campaign email is sent through; unset turns email off.
    #[arg(long, env = "ATTEST_SMTP_HOST")]
    pub smtp_host: Option<String>,
    /// SMTP port (default 587 with starttls, 465 with tls, 25 with none).
    #[arg(long, env = "ATTEST_SMTP_PORT")]
    pub smtp_port: Option<u16>,
    /// How the connection is protected: none, starttls or tls.
    #[arg(long, env = "ATTEST_SMTP_TLS", default_value = "starttls")]
    pub smtp_tls: String,
    /// Username for SMTP AUTH (with the password).
    #[arg(long, env = "ATTEST_SMTP_USERNAME")]
    pub smtp_username: Option<String>,
    /// Password for SMTP AUTH.
    #[arg(long, env = "ATTEST_SMTP_PASSWORD", hide_env_values = true)]
    pub smtp_password: Option<String>,
    /// The From address, e.g. "Attest <attest@example.com>".
    #[arg(long, env = "ATTEST_SMTP_FROM")]
    pub smtp_from: Option<String>,
    /// Reminders go to reviewers with unsubmitted items this many days before the due date.
    #[arg(long, env = "ATTEST_EMAIL_REMIND_DAYS_BEFORE", default_value_t = 3)]
    pub remind_days_before: u32,
}

impl Default for EmailArgs {
    /// The same values as the command-line defaults: email off.
    fn default() -> Self {
        Self {
            smtp_host: None,
            smtp_port: None,
            smtp_tls: "starttls".into(),
            smtp_username: None,
            smtp_password: None,
            smtp_from: None,
            remind_days_before: 3,
        }
    }
}

impl std::fmt::Debug for EmailArgs {
    /// Everything but the password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmailArgs")
            .field("smtp_host", &self.smtp_host)
            .field("smtp_port", &self.smtp_port)
            .field("smtp_tls", &self.smtp_tls)
            .field("smtp_username", &self.smtp_username)
            .field("smtp_from", &self.smtp_from)
            .field("remind_days_before", &self.remind_days_before)
            .finish_non_exhaustive()
    }
}

/// Validated email settings.
#[derive(Debug, Clone)]
pub struct EmailConfig {
    /// `None`: email is off.
    pub smtp: Option<SmtpSettings>,
    pub remind_days_before: u32,
}

impl EmailArgs {
    /// The validated settings; the error is one line naming the variable.
    pub fn validate(&self) -> Result<EmailConfig, String> {
        let host = self
            .smtp_host
            .as_deref()
            .map(str::trim)
            .filter(|h| !h.is_empty());
        let Some(host) = host else {
            return Ok(EmailConfig {
                smtp: None,
                remind_days_before: self.remind_days_before,
            });
        };
        let tls = TlsMode::parse(&self.smtp_tls).ok_or_else(|| {
            format!(
                "ATTEST_SMTP_TLS (--smtp-tls): '{}' is not a TLS mode; use none, starttls or tls",
                self.smtp_tls
            )
        })?;
        let port = self.smtp_port.unwrap_or(match tls {
            TlsMode::None => 25,
            TlsMode::Starttls => 587,
            TlsMode::Tls => 465,
        });
        if port == 0 {
            return Err("ATTEST_SMTP_PORT (--smtp-port): 0 is not a port".to_owned());
        }
        let from = self.smtp_from.as_deref().ok_or(
            "ATTEST_SMTP_FROM (--smtp-from): missing; email needs a From address when ATTEST_SMTP_HOST is set",
        )?;
        let from =
            parse_mailbox(from).map_err(|err| format!("ATTEST_SMTP_FROM (--smtp-from): {err}"))?;
        let credentials = match (&self.smtp_username, &self.smtp_password) {
            (None, None) => None,
            (Some(user), Some(password)) => {
                Some((user.clone(), SecretString::from(password.clone())))
            }
            (None, Some(_)) => {
                return Err("ATTEST_SMTP_USERNAME (--smtp-username): missing; the SMTP password needs a username".to_owned());
            }
            (Some(_), None) => {
                return Err("ATTEST_SMTP_PASSWORD (--smtp-password): missing; the SMTP username needs a password".to_owned());
            }
        };
        Ok(EmailConfig {
            smtp: Some(SmtpSettings {
                host: host.to_owned(),
                port,
                tls,
                credentials,
                from,
                timeout: Duration::from_secs(30),
            }),
            remind_days_before: self.remind_days_before,
        })
    }
}

/// The absolute address of My reviews under `public_url`.
pub fn reviews_url(public_url: &Url) -> String {
    public_url
        .join("reviews")
        .map_or_else(|_| format!("{public_url}reviews"), |url| url.to_string())
}

/// Starts the email sender if email is configured; says once, in the log, when it is off.
pub fn spawn(pool: PgPool, config: &EmailConfig, public_url: &Url) -> anyhow::Result<()> {
    let Some(smtp) = &config.smtp else {
        tracing::info!(
            "campaign email is off: ATTEST_SMTP_HOST is not set; emails are queued but not sent"
        );
        return Ok(());
    };
    let mailer = Mailer::new(smtp).map_err(|err| anyhow::anyhow!("ATTEST_SMTP_HOST: {err}"))?;
    let mut settings = SenderSettings::new(reviews_url(public_url));
    settings.remind_days_before = config.remind_days_before;
    let sender = Sender {
        pool,
        mailer,
        settings,
    };
    tokio::spawn(sender.run_forever());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn on() -> EmailArgs {
        EmailArgs {
            smtp_host: Some("smtp.example.com".into()),
            smtp_from: Some("Attest <attest@example.com>".into()),
            ..EmailArgs::default()
        }
    }

    #[test]
    fn no_host_means_email_is_off() {
        let config = EmailArgs::default().validate().expect("valid");
        assert!(config.smtp.is_none());
    }

    #[test]
    fn the_port_follows_the_tls_mode_unless_given() {
        let smtp = on().validate().expect("valid").smtp.expect("on");
        assert_eq!((smtp.port, smtp.tls), (587, TlsMode::Starttls));
        let tls = EmailArgs {
            smtp_tls: "TLS".into(),
            ..on()
        };
        assert_eq!(tls.validate().expect("valid").smtp.expect("on").port, 465);
        let given = EmailArgs {
            smtp_port: Some(2525),
            ..on()
        };
        assert_eq!(
            given.validate().expect("valid").smtp.expect("on").port,
            2525
        );
    }

    #[test]
    fn bad_settings_name_their_variable() {
        let cases = [
            (
                EmailArgs {
                    smtp_tls: "ssl".into(),
                    ..on()
                },
                "ATTEST_SMTP_TLS",
            ),
            (
                EmailArgs {
                    smtp_from: None,
                    ..on()
                },
                "ATTEST_SMTP_FROM",
            ),
            (
                EmailArgs {
                    smtp_from: Some("not an address".into()),
                    ..on()
                },
                "ATTEST_SMTP_FROM",
            ),
            (
                EmailArgs {
                    smtp_username: Some("attest".into()),
                    ..on()
                },
                "ATTEST_SMTP_PASSWORD",
            ),
        ];
        for (args, variable) in cases {
            let err = args.validate().expect_err("rejected");
            assert!(err.starts_with(variable), "{err}");
        }
    }

    #[test]
    fn the_password_never_shows_in_debug_output() {
        let args = EmailArgs {
            smtp_username: Some("attest".into()),
            smtp_password: Some("hunter2-secret".into()),
            ..on()
        };
        assert!(!format!("{args:?}").contains("hunter2-secret"));
        let config = args.validate().expect("valid");
        assert!(!format!("{config:?}").contains("hunter2-secret"));
    }

    #[test]
    fn the_link_points_at_my_reviews() {
        let url = Url::parse("https://attest.example.com/").expect("a URL");
        assert_eq!(reviews_url(&url), "https://attest.example.com/reviews");
    }
}
