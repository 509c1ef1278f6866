//! Reading the audit log (admins and auditors).

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::{AuditFilter, AuditPage};

/// One page of audit events matching the filter, newest first.
#[server(endpoint = "list_audit_events")]
pub async fn list_audit_events(
    // An empty filter (every field `None`) is sent as no fields at all in the URL encoding, so
    // the server must read a missing filter as the empty one.
    #[server(default)] filter: AuditFilter,
) -> Result<AuditPage, AppError> {
    use crate::backend::{AppContext, audit, auth};
    auth::require_reader().await?;
    let ctx = AppContext::current()?;
    Ok(audit::list_events(&ctx.pool, &filter).await?)
}
