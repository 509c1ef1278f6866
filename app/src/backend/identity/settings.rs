//! The owner-label key used for linking and the dormancy threshold of the inventory.

use serde_json::json;
use sqlx::{PgExecutor, PgPool};

use super::IdentityError;
use super::links::refresh_latest_links;
use crate::backend::audit::{self, Actor, NewEvent};

/// Linking and inventory settings, as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct InventorySettings {
    /// Label key naming a database user's owner; compared case-insensitively.
    pub owner_label_key: String,
    /// Days without use after which a principal is dormant.
    pub dormant_days: i32,
}

/// The current settings.
pub async fn load_settings(db: impl PgExecutor<'_>) -> sqlx::Result<InventorySettings> {
    sqlx::query_as("SELECT owner_label_key, dormant_days FROM inventory_setting")
        .fetch_one(db)
        .await
}

/// Changes the settings (admins only; the caller checks). A new owner-label key relinks the
/// newest snapshots in the same transaction, so links never disagree with the settings.
pub async fn update_settings(
    pool: &PgPool,
    actor: Actor,
    owner_label_key: &str,
    dormant_days: i32,
) -> Result<InventorySettings, IdentityError> {
    let key = owner_label_key.trim();
    if key.is_empty() || key.len() > 255 {
        return Err(IdentityError::Invalid(
            "Owner label key: enter a label key of 1 to 255 characters, for example owner.".into(),
        ));
    }
    if !(1..=3650).contains(&dormant_days) {
        return Err(IdentityError::Invalid(format!(
            "Dormant after (days): {dormant_days} is outside 1 to 3650."
        )));
    }
    let mut tx = pool.begin().await?;
    let before = load_settings(&mut *tx).await?;
    sqlx::query(
        "UPDATE inventory_setting SET owner_label_key = $1, dormant_days = $2, \
         updated_at = now(), updated_by_label = $3",
    )
    .bind(key)
    .bind(dormant_days)
    .bind(actor.label())
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        NewEvent {
            actor,
            action: "inventory.settings_changed",
            object_kind: "inventory_setting",
            object_id: "inventory".into(),
            details: json!({
                "owner_label_key": {"from": before.owner_label_key, "to": key},
                "dormant_days": {"from": before.dormant_days, "to": dormant_days},
            }),
        },
    )
    .await?;
    if before.owner_label_key != key {
        refresh_latest_links(&mut tx, None).await?;
    }
    tx.commit().await?;
    tracing::info!(
        owner_label_key = key,
        dormant_days,
        "inventory settings changed"
    );
    Ok(InventorySettings {
        owner_label_key: key.to_owned(),
        dormant_days,
    })
}
