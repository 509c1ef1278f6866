//! Everything that runs on the server alone: database access and the domain modules.
//!
//! Compiled only with the `ssr` feature. Server functions in `crate::api` call into this tree;
//! nothing here renders views, and nothing outside it runs SQL.

pub mod atlas;
pub mod audit;
pub mod auth;
pub mod campaign;
pub mod context;
pub mod db;
pub mod directory;
pub mod evidence;
pub mod identity;
pub mod inventory;
pub mod notification;
pub mod remediation;
pub mod respond;
pub mod security;
pub mod snapshot;

pub use context::AppContext;
