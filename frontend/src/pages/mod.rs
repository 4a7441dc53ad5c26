//! One module a page.

pub mod alerts;
pub mod arrays;
pub mod audit;
pub mod dashboard;
pub mod dr;
pub mod host;
pub mod hosts;
pub mod login;
mod notification_report;
mod notification_silences;
pub mod notifications;
pub mod overview;
pub mod pods;
pub mod protection;
pub mod protection_group;
pub mod pure1;
pub mod recycle_bin;
pub mod replication;
pub mod requests;
pub mod search;
pub mod snapshots;
pub mod tokens;
pub mod users;
pub mod volume;
pub mod volumes;
