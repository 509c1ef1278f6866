//! The Atlas Admin API v2 client: the only code in Attest that builds Atlas URLs or talks to
//! Atlas. It authenticates (service-account OAuth tokens or API-key digest), sends each
//! endpoint's own dated media type, pages through listings until an empty or short page,
//! paces itself and retries as Atlas asks, reports every attempt to a [`RequestLog`], and
//! turns every failure into an [`AtlasError`] whose [`ErrorKind`] callers match on. It knows
//! nothing about snapshots, campaigns or the database: callers decide what to read and what a
//! result means.
//!
//! - [`AtlasClient`], [`AtlasConfig`], [`Credentials`]: building a client (`client.rs`,
//!   `config.rs`, `auth/`).
//! - `endpoints/`: the typed calls, one file per resource; `types/`: what they return.
//! - `transport.rs` (one call on the wire), `retry.rs`, `limiter.rs`, `pagination.rs`,
//!   `path.rs` (URL building and escaping), `request_log.rs`, `error.rs` and `api_error.rs`.

mod api_error;
mod auth;
mod client;
mod config;
mod endpoints;
mod error;
mod limiter;
mod pagination;
mod path;
mod request_log;
mod retry;
mod transport;
pub mod types;
mod version;

pub use api_error::ApiErrorBody;
pub use auth::Credentials;
pub use client::AtlasClient;
pub use config::{AtlasConfig, DEFAULT_BASE_URL, MAX_ITEMS_PER_PAGE};
pub use error::{AtlasError, CallSite, ErrorKind};
pub use limiter::{ChangeRate, RateLimit};
pub use pagination::Listing;
pub use path::escape_segment;
pub use request_log::{NoRequestLog, RequestLog, RequestRecord};
pub use retry::{RetryPolicy, parse_retry_after};
pub use version::ApiVersion;
