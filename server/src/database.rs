//! Connecting to PostgreSQL: create the database if it is missing, then apply migrations.

use std::str::FromStr;

use anyhow::Context;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, PgPool};

/// Connections the server's pool opens at most. Requests beyond it wait for a free one; on a
/// small machine that queueing is cheaper than more backends competing for the same cores.
pub const POOL_SIZE: u32 = 16;

/// Opens a pool on `url`, creating its database when absent and applying every migration.
pub async fn connect(url: &str) -> anyhow::Result<PgPool> {
    let options = PgConnectOptions::from_str(url)
        .with_context(|| "DATABASE_URL: not a valid postgres:// URL".to_string())?;
    create_database_if_missing(&options).await?;
    let pool = PgPoolOptions::new()
        .max_connections(POOL_SIZE)
        .connect_with(options.clone())
        .await
        .with_context(|| format!("DATABASE_URL: cannot connect to {}", describe(&options)))?;
    app::backend::db::MIGRATOR
        .run(&pool)
        .await
        .context("applying database migrations failed")?;
    Ok(pool)
}

async fn create_database_if_missing(options: &PgConnectOptions) -> anyhow::Result<()> {
    let Some(name) = options.get_database().map(str::to_owned) else {
        return Ok(());
    };
    let mut admin = options
        .clone()
        .database("postgres")
        .connect()
        .await
        .with_context(|| format!("DATABASE_URL: cannot connect to {}", describe(options)))?;
    let exists: Option<(i32,)> = sqlx::query_as("SELECT 1 FROM pg_database WHERE datname = $1")
        .bind(&name)
        .fetch_optional(&mut admin)
        .await?;
    if exists.is_none() {
        // Identifiers cannot be bound; quote it the way PostgreSQL's quote_ident does.
        let sql = format!("CREATE DATABASE \"{}\"", name.replace('"', "\"\""));
        match sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&mut admin)
            .await
        {
            Ok(_) => tracing::info!(database = %name, "database created"),
            // Another replica created it first.
            Err(sqlx::Error::Database(err)) if err.code().as_deref() == Some("42P04") => {}
            Err(err) => return Err(err).with_context(|| format!("cannot create database {name}")),
        }
    }
    Ok(())
}

fn describe(options: &PgConnectOptions) -> String {
    format!(
        "{}:{}/{}",
        options.get_host(),
        options.get_port(),
        options.get_database().unwrap_or("")
    )
}
