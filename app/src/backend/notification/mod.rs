//! Campaign email: what reviewers and their managers are told, and its durable delivery.
//!
//! Emails are queued as rows of `email_outbox`: assignments and closing notes in the same
//! transaction as the launch or close that causes them ([`outbox`]), reminders and overdue
//! escalations by a periodic sweep ([`sweep`]), each at most once per reviewer per campaign.
//! The sender ([`sender`]) claims due rows, renders them from the askama templates in
//! `app/templates/email/` ([`message`]), sends them over SMTP ([`smtp`]) outside any
//! transaction, and records each outcome with its audit event. Nothing here decides who
//! reviews what; it only tells people what the campaign tables already say.

pub mod message;
pub mod outbox;
pub mod sender;
pub mod smtp;
pub mod sweep;

pub use sender::{Sender, SenderSettings};
pub use smtp::{Mailer, SmtpSettings, TlsMode};

/// Errors of queueing and sending email.
#[derive(Debug, thiserror::Error)]
pub enum NotificationError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("audit log: {0}")]
    Audit(#[from] crate::backend::audit::AuditError),
    /// An email could not be built (an address that is not one, a template that failed).
    #[error("email {outbox_id} cannot be built: {reason}")]
    Build { outbox_id: i64, reason: String },
    /// The SMTP settings cannot make a transport.
    #[error("SMTP settings: {0}")]
    Settings(String),
}
