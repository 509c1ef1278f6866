//! The one error type server functions return to the browser.
//!
//! It carries only messages that are safe to show a user. Internal causes (database errors,
//! Atlas responses) are logged once on the server where they are converted, never sent.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// A user-safe application error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// No signed-in user.
    #[error("Please sign in to continue.")]
    Unauthenticated,
    /// Signed in, but the caller's role or relation to the object does not allow this.
    #[error("You do not have access to this.")]
    Forbidden,
    /// The named object does not exist (or the caller may not know that it does).
    #[error("{0} was not found.")]
    NotFound(String),
    /// The request was understood but its input is wrong; the message names what and where.
    #[error("{0}")]
    Invalid(String),
    /// The request conflicts with the current state (for example removing the last admin).
    #[error("{0}")]
    Conflict(String),
    /// Something failed on the server; details are in the server log, not here.
    #[error("Something went wrong on the server. The error was logged.")]
    Internal,
    /// The browser could not reach the server or could not read its answer.
    #[error("Could not reach the server: {0}")]
    Transport(String),
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(msg) | ServerFnErrorErr::MissingArg(msg) => {
                AppError::Invalid(format!("The form is incomplete or malformed: {msg}"))
            }
            ServerFnErrorErr::ServerError(_) => AppError::Internal,
            other => AppError::Transport(other.to_string()),
        }
    }
}
