//! Who is signed in and what they may do.
//!
//! Users are created at sign-in, identified by the identity provider's (issuer, subject).
//! Roles are granted here and every grant or removal is audited. The request pipeline puts a
//! [`CurrentViewer`] into each request; server functions call [`require_viewer`],
//! [`require_admin`] or [`require_reader`] first. This module does not speak OIDC: the sign-in
//! routes live in the server crate and call [`users::record_sign_in`].

mod guard;
pub mod roles;
pub mod users;

pub use guard::{CurrentViewer, require_admin, require_reader, require_viewer};

/// The issuer recorded for demo-mode users, so they can never collide with real ones.
pub const DEMO_ISSUER: &str = "urn:attest:demo";

/// Errors of users and roles.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("audit log: {0}")]
    Audit(#[from] crate::backend::audit::AuditError),
    #[error("no user with id {0}")]
    UnknownUser(uuid::Uuid),
    #[error("this account is disabled in Attest")]
    Disabled,
    #[error("{0} is the last admin; grant admin to someone else first")]
    LastAdmin(String),
}

impl From<AuthError> for crate::error::AppError {
    fn from(err: AuthError) -> Self {
        use crate::backend::respond::with_status;
        use crate::error::AppError;
        match err {
            AuthError::UnknownUser(_) => with_status(AppError::NotFound("That user".into())),
            AuthError::LastAdmin(_) => with_status(AppError::Conflict(err.to_string())),
            AuthError::Disabled => with_status(AppError::Forbidden),
            AuthError::Audit(err) => err.into(),
            AuthError::Database(err) => crate::backend::db::internal("auth", err),
        }
    }
}
