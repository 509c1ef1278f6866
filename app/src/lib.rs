//! Attest's application crate, compiled twice by cargo-leptos: with `ssr` for the server and
//! with `hydrate` for the browser.
//!
//! - [`ui`]: pages and components, rendered on the server; the few interactive parts are
//!   islands that the browser hydrates.
//! - [`api`]: server functions, the only API the browser calls. They stay thin: who is asking,
//!   may they, call into [`backend`], map the error.
//! - [`model`] and [`error`]: plain types both targets compile.
//! - [`backend`] (server only): database access and every domain module.

pub mod api;
pub mod error;
pub mod model;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod backend;

pub use ui::shell::{App, shell};

/// Browser entry point: hydrates the interactive islands of the server-rendered page. Pages
/// themselves are plain server-rendered HTML whose links and forms work without JavaScript.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    // Readable panic messages in the browser console cost bundle size; debug builds only.
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
