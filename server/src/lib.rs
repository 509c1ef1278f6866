//! The `attest` binary's library: configuration, the HTTP router and its middleware, sign-in,
//! and the command line. Domain logic lives in the `app` crate's `backend` tree; this crate
//! wires it to the outside world.

pub mod atlas_sim;
pub mod cli;
pub mod config;
pub mod database;
pub mod demo;
pub mod email;
pub mod evidence;
pub mod http;
pub mod oidc;
pub mod remediation;
pub mod serve;
pub mod session_store;
pub mod snapshots;
pub mod telemetry;
