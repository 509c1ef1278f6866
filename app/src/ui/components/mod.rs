//! Small reusable components.

pub mod access;
pub mod nav;
