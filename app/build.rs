//! Rebuilds the crate when a migration is added or edited: `sqlx::migrate!` embeds the
//! `migrations/` folder at compile time, and cargo does not otherwise look at it.

fn main() {
    println!("cargo:rerun-if-changed=../migrations");
}
