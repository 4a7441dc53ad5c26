//! The arrays the portal manages: the registry and its clients, arrays registered in the UI
//! and their sealed credentials, asking several at once, the fleet's figures, how fast each
//! fills, what each replicates, and what the arrays' REST roots keep.

pub mod fanout;
pub mod fleet;
pub mod forecast;
pub mod recycle;
pub mod registration;
pub mod registry;
pub mod replication;
pub mod rest_root;
pub mod secrets;
