//! The people directory (admins and auditors read; admins import through `/people/import`).

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::{DirectoryOverview, PeoplePage};

/// People matching `search`, one page at a time.
#[server(endpoint = "search_people")]
pub async fn search_people(search: String, page: i64) -> Result<PeoplePage, AppError> {
    use crate::backend::{AppContext, auth, directory};
    auth::require_reader().await?;
    let ctx = AppContext::current()?;
    Ok(directory::people::search_people(&ctx.pool, &search, page).await?)
}

/// Import history and the newest import's changes.
#[server(endpoint = "directory_overview")]
pub async fn get_directory_overview() -> Result<DirectoryOverview, AppError> {
    use crate::backend::{AppContext, auth, directory};
    auth::require_reader().await?;
    let ctx = AppContext::current()?;
    Ok(directory::people::overview(&ctx.pool).await?)
}
