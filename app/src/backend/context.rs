//! The state every server function and page render receives as Leptos context.

use std::sync::Arc;

use sqlx::PgPool;

use crate::backend::evidence::EvidenceKey;

/// Shared, cheaply cloned application state.
#[derive(Clone)]
pub struct AppContext {
    pub pool: PgPool,
    pub settings: Arc<PublicSettings>,
    /// The key evidence packs and audit checkpoints are signed with; `None` when none is
    /// configured. Server-side only: never part of [`PublicSettings`].
    pub evidence_key: Option<EvidenceKey>,
}

/// The parts of the configuration that the UI and server functions may see.
#[derive(Debug, Clone)]
pub struct PublicSettings {
    /// Demo sign-in and the simulated Atlas org are available only when this is set.
    pub demo_mode: bool,
    /// Whether an OIDC identity provider is configured.
    pub sso_enabled: bool,
    /// The public half of the evidence signing key (base64), and whether it is the publicly
    /// known demo key; `None` when no key is configured.
    pub evidence_public_key: Option<(String, bool)>,
}

impl AppContext {
    /// The context provided to the current request; every page render and server function
    /// runs with one.
    pub fn current() -> Result<AppContext, crate::error::AppError> {
        leptos::prelude::use_context::<AppContext>().ok_or_else(|| {
            tracing::error!("AppContext missing from the Leptos context");
            crate::error::AppError::Internal
        })
    }
}
