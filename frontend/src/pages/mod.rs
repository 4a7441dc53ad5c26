//! One module a page.

pub mod arrays;
pub mod audit;
pub mod host;
pub mod hosts;
pub mod login;
pub mod protection;
pub mod protection_group;
pub mod recycle_bin;
pub mod snapshots;
pub mod users;
pub mod volume;
pub mod volumes;
