//! The access inventory's pages: the explorer, leavers with access, one person's access, one
//! project's access, and identity mappings. Every page renders complete on the server: filters
//! are GET forms, paging is links, changes are form posts.

pub mod explorer;
pub mod leavers;
pub mod mappings;
pub mod person;
pub mod project;

use leptos::prelude::*;

use crate::model::inventory::SnapshotRef;

/// Which snapshots a view reads, or the honest empty state when there are none.
#[component]
pub fn SnapshotNote(snapshots: Vec<SnapshotRef>) -> impl IntoView {
    if snapshots.is_empty() {
        return view! {
            <p class="empty">"No complete snapshot has been taken yet, so there is no inventory."</p>
        }
        .into_any();
    }
    let items = snapshots
        .into_iter()
        .map(|s| {
            format!(
                "{} ({}), snapshot of {}",
                s.org_name, s.org_id, s.finished_at
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    view! { <p class="muted">"Newest complete snapshots: " {items} "."</p> }.into_any()
}

/// Links between the inventory pages.
#[component]
pub fn InventoryNav() -> impl IntoView {
    view! {
        <nav aria-label="Inventory" class="subnav">
            <a href="/inventory">"Explorer"</a>
            " · "
            <a href="/inventory/leavers">"Leavers with access"</a>
            " · "
            <a href="/inventory/mappings">"Orphans and mappings"</a>
        </nav>
    }
}
