//! The SMTP connection: settings and a transport built from them with lettre (tokio, rustls).
//!
//! The password lives in a [`SecretString`] and is never logged or shown in `Debug` output.

use std::fmt;
use std::time::Duration;

use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::{ExposeSecret, SecretString};

use super::NotificationError;
use super::message::Rendered;

/// How the SMTP connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    /// Plain SMTP, for a relay on the same host or network only.
    None,
    /// Plain connection upgraded with STARTTLS, which must succeed (usually port 587).
    Starttls,
    /// TLS from the first byte, "implicit TLS" (usually port 465).
    Tls,
}

impl TlsMode {
    /// Parses `none`, `starttls` or `tls`.
    pub fn parse(text: &str) -> Option<TlsMode> {
        match text.trim().to_ascii_lowercase().as_str() {
            "none" => Some(TlsMode::None),
            "starttls" => Some(TlsMode::Starttls),
            "tls" => Some(TlsMode::Tls),
            _ => None,
        }
    }
}

/// Where and how email is sent.
#[derive(Clone)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub tls: TlsMode,
    /// Username and password for SMTP AUTH; `None` sends without authenticating.
    pub credentials: Option<(String, SecretString)>,
    /// The From header, e.g. `Attest <attest@example.com>`.
    pub from: Mailbox,
    /// How long one SMTP conversation may take.
    pub timeout: Duration,
}

impl fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("username", &self.credentials.as_ref().map(|(user, _)| user))
            .field("from", &self.from.to_string())
            .finish_non_exhaustive()
    }
}

/// Sends rendered emails through one SMTP server. A connection is opened per email, so a
/// server that was down is simply tried again on the next attempt.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    server: String,
}

impl fmt::Debug for Mailer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mailer")
            .field("server", &self.server)
            .finish_non_exhaustive()
    }
}

impl Mailer {
    /// Builds the transport for `settings`; nothing is contacted yet.
    pub fn new(settings: &SmtpSettings) -> Result<Mailer, NotificationError> {
        let host = settings.host.as_str();
        let builder = match settings.tls {
            TlsMode::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
            TlsMode::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)
                .map_err(|err| NotificationError::Settings(err.to_string()))?,
            TlsMode::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(host)
                .map_err(|err| NotificationError::Settings(err.to_string()))?,
        };
        let mut builder = builder.port(settings.port).timeout(Some(settings.timeout));
        if let Some((user, password)) = &settings.credentials {
            builder = builder.credentials(Credentials::new(
                user.clone(),
                password.expose_secret().to_owned(),
            ));
        }
        Ok(Mailer {
            transport: builder.build(),
            from: settings.from.clone(),
            server: format!("{host}:{}", settings.port),
        })
    }

    /// The server emails go to, `host:port`, for logs.
    pub fn server(&self) -> &str {
        &self.server
    }

    /// Sends `message` to `name <address>`. The error is the reason, fit for the outbox's
    /// `last_error` and the log.
    pub async fn send(&self, name: &str, address: &str, message: &Rendered) -> Result<(), String> {
        let to = address
            .parse()
            .map(|email| Mailbox::new(Some(name.to_owned()), email))
            .map_err(|err| format!("'{address}' is not an email address: {err}"))?;
        let email = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(message.subject.clone())
            .header(ContentType::TEXT_PLAIN)
            .body(message.body.clone())
            .map_err(|err| format!("the email cannot be built: {err}"))?;
        self.transport
            .send(email)
            .await
            .map(|_| ())
            .map_err(|err| format!("SMTP server {}: {err}", self.server))
    }
}

/// Parses a From address such as `Attest <attest@example.com>` or `attest@example.com`.
pub fn parse_mailbox(text: &str) -> Result<Mailbox, String> {
    text.trim()
        .parse::<Mailbox>()
        .map_err(|err| format!("'{}' is not an email address ({err})", text.trim()))
}
