//! The pieces every page is built from. A new page takes its array from [`use_array`] (the
//! [`ArrayFrame`] around it draws the name, switcher, tabs, breadcrumbs and title), runs each
//! action through a [`Task`] shown by an [`OutcomeLine`], puts every destructive action behind
//! [`Confirm`], fetches inside resources that call [`Live::track`], keeps list state in a
//! [`UrlState`], and offers names through a [`Picker`].

pub mod approvals;
pub mod chart;
pub mod confirm;
pub mod field;
pub mod frame;
pub mod live;
pub mod outcome;
pub mod placement;
pub mod table;
pub mod time;

pub use approvals::{ApprovalPolicy, Reason, RequestsLink, held_outcome, impact};
pub use confirm::{Confirm, Strength};
pub use field::{Field, FieldErrors, Picker, TextArea};
pub use frame::{ArrayFrame, page_title, use_array, use_param};
pub use live::Live;
pub use outcome::{Outcome, OutcomeLine, Task, failure_outcome, show_failure};
pub use table::UrlState;
pub use time::{Countdown, Timestamp};
