//! `attest serve`: connect, build the router, serve until Ctrl-C or SIGTERM.

use std::sync::Arc;

use anyhow::Context;
use app::backend::AppContext;
use app::backend::context::PublicSettings;
use leptos::prelude::LeptosOptions;
use tower_sessions::session_store::ExpiredDeletion;

use crate::config::ServeConfig;
use crate::http::metrics::Metrics;
use crate::http::{ServerState, build_router};
use crate::oidc::Oidc;
use crate::session_store::PgSessionStore;
use crate::snapshots::source::AtlasSource;

/// Builds the shared state for `config` on an open pool.
pub fn state(pool: sqlx::PgPool, config: ServeConfig) -> anyhow::Result<ServerState> {
    let oidc = match &config.oidc {
        Some(settings) => Some(Oidc::new(settings, &config)?),
        None => None,
    };
    let leptos = LeptosOptions::builder()
        .output_name("attest")
        .site_root(config.site_root.clone())
        .site_pkg_dir("pkg")
        .site_addr(config.bind)
        .build();
    let app = AppContext {
        pool,
        settings: Arc::new(PublicSettings {
            demo_mode: config.demo,
            sso_enabled: oidc.is_some(),
            evidence_public_key: config.evidence_key.as_ref().map(|key| {
                (
                    key.public_key_base64(),
                    key.origin == app::backend::evidence::signing::KeyOrigin::Demo,
                )
            }),
        }),
        evidence_key: config.evidence_key.clone(),
    };
    Ok(ServerState {
        leptos,
        app,
        config: Arc::new(config),
        oidc,
        metrics: Arc::new(Metrics::default()),
        demo: None,
        atlas: None,
    })
}

/// Serves until a shutdown signal, then lets in-flight requests finish.
pub async fn serve(database_url: &str, config: ServeConfig) -> anyhow::Result<()> {
    let pool = crate::database::connect(database_url).await?;
    let bind = config.bind;
    let demo = config.demo;
    let schedule = config.schedule;
    let mut atlas = AtlasSource::from_env(
        |name| std::env::var(name).ok(),
        config.atlas_org_ids.clone(),
    )
    .map_err(anyhow::Error::msg)?;
    match &config.evidence_key {
        None => tracing::warn!(
            "no evidence signing key configured (ATTEST_EVIDENCE_SIGNING_KEY or \
             ATTEST_EVIDENCE_SIGNING_KEY_FILE): evidence packs cannot be generated and sign-offs \
             write no audit checkpoint"
        ),
        Some(key) if key.origin == app::backend::evidence::signing::KeyOrigin::Demo => {
            tracing::warn!(
                evidence.public_key = %key.public_key_base64(),
                "evidence packs are signed with the publicly known demo key"
            )
        }
        Some(key) => tracing::info!(
            evidence.public_key = %key.public_key_base64(),
            "evidence packs are signed with the configured key"
        ),
    }
    let mut state = state(pool.clone(), config)?;
    if demo {
        let environment = Arc::new(crate::demo::start(&pool).await?);
        let client = crate::remediation::worker_client(
            &environment.simulator.base_url(),
            app::backend::atlas::Credentials::ServiceAccount {
                client_id: environment.client_id.clone(),
                client_secret: environment.client_secret.clone().into(),
            },
            0,
            None,
        )
        .context("cannot build the demo Atlas client")?;
        crate::remediation::spawn(pool.clone(), client, None);
        // Demo mode snapshots its simulated org; the schedule takes the first one right away.
        atlas = Some(Arc::new(environment.atlas_source()?));
        state.demo = Some(environment);
    } else {
        match crate::cli::atlas_env_from_process() {
            Ok(env) => {
                let change_rate = state.config.remediation_change_rate;
                let client = crate::remediation::worker_client(
                    &env.base_url,
                    env.credentials,
                    crate::remediation::DEFAULT_PER_SECOND,
                    change_rate,
                )
                .context("ATLAS_BASE_URL")?;
                crate::remediation::spawn(pool.clone(), client, change_rate);
            }
            Err(missing) => {
                tracing::warn!(reason = %missing, "remediation worker not started: no Atlas connection configured");
            }
        }
    }
    if let Some(source) = &atlas {
        crate::snapshots::spawn_scheduler(pool.clone(), source.clone(), schedule);
    }
    crate::email::spawn(pool.clone(), &state.config.email, &state.config.public_url)?;
    // Scheduled campaigns need no Atlas connection: templates only create drafts.
    tokio::spawn(app::backend::campaign::schedule::run_forever(
        pool.clone(),
        std::time::Duration::from_secs(600),
    ));
    state.atlas = atlas;
    let router = build_router(state);

    let sweeper = PgSessionStore::new(pool);
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(300));
        loop {
            every.tick().await;
            if let Err(err) = sweeper.delete_expired().await {
                tracing::warn!(error = %err, "could not delete expired sessions");
            }
        }
    });

    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .with_context(|| format!("ATTEST_BIND: cannot listen on {bind}"))?;
    tracing::info!(http.addr = %bind, demo, "attest listening");
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown_signal())
        .await
        .context("server error")?;
    tracing::info!("attest stopped");
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutdown signal received; finishing in-flight requests");
}
