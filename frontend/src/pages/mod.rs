//! One module per page.

pub mod arrays;
pub mod login;
pub mod volumes;
