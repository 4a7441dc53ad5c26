//! One module a page.

pub mod arrays;
pub mod host;
pub mod hosts;
pub mod login;
pub mod volume;
pub mod volumes;
