//! Small reusable components.

pub mod access;
pub mod access_table;
pub mod form_error;
pub mod nav;
pub mod pager;
