//! Small reusable components.

pub mod access;
pub mod form_error;
pub mod nav;
