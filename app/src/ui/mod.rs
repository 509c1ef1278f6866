//! Pages and components. No SQL and no domain rules here: views call server functions in
//! `crate::api` and render what they return.

pub mod components;
pub mod pages;
pub mod shell;
pub mod url;
