//! The pieces every page is built from. A new page takes its array from [`use_array`] (the
//! [`ArrayFrame`] around it draws the name, switcher, tabs, breadcrumbs and title), runs each
//! action through a [`Task`] shown by an [`OutcomeLine`], puts every destructive action behind
//! [`Confirm`], fetches through [`live_resource`] and draws the answer inside [`Loaded`], keeps
//! list state in a [`UrlState`], draws a list it holds whole as a [`ListTable`], and offers
//! names through a [`Picker`].

pub mod admins;
pub mod approvals;
pub mod array_scope;
pub mod chart;
pub mod confirm;
pub mod export;
pub mod field;
pub mod frame;
pub mod list_table;
pub mod live;
pub mod loaded;
pub mod name_form;
pub mod outcome;
pub mod placement;
pub mod saved_views;
pub mod shortcuts;
pub mod table;
pub mod time;

pub use admins::AdminsOnly;
pub use approvals::{ApprovalPolicy, Reason, RequestsLink, done_outcome, held_outcome, impact};
pub use array_scope::{ArrayScope, ArrayScopePicker, describe_arrays};
pub use confirm::{Confirm, Strength};
pub use field::{Field, FieldErrors, Picker, TextArea, show_problem};
pub use frame::{
    ArrayFrame, encode, page_title, use_array, use_kept_for, use_param, use_safemode_kept_for,
};
pub use list_table::{ListTable, Row};
pub use live::{Live, array_resource, live_resource, object_resource};
pub use loaded::Loaded;
pub use name_form::{NameForm, NameFormIds};
pub use outcome::{Outcome, OutcomeLine, Task, failure_outcome};
pub use table::{PlainTable, UrlState};
pub use time::{
    Countdown, Timestamp, browser_utc_offset_minutes, hour_options, local_datetime_value,
    parse_local_datetime,
};
