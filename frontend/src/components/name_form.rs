//! The form that makes an object from its name alone (a protection group, a host group):
//! the name is checked as the array checks names before it is sent.

use std::future::Future;

use leptos::prelude::*;

use crate::api::ApiResult;
use crate::components::outcome::SubmitButton;
use crate::components::{Field, Outcome, OutcomeLine, Task};

/// The ids of a [`NameForm`]'s parts, which tests and links look for.
#[derive(Debug, Clone, Copy)]
pub struct NameFormIds {
    pub form: &'static str,
    pub field: &'static str,
    pub button: &'static str,
    pub outcome: &'static str,
}

#[component]
pub fn NameForm<F, Fut, T>(
    ids: NameFormIds,
    /// What is made, as the name rules call it: `Host group`.
    kind: &'static str,
    label: &'static str,
    placeholder: &'static str,
    button: &'static str,
    running: &'static str,
    /// Sends the checked name.
    create: F,
) -> impl IntoView
where
    F: Fn(String) -> Fut + Copy + 'static,
    Fut: Future<Output = ApiResult<T>> + 'static,
    T: 'static,
{
    let name = RwSignal::new(String::new());
    let name_error = RwSignal::new(None::<String>);
    let task = Task::new();
    let submit = task.on_submit(move || {
        name_error.set(None);
        let wanted = name.get_untracked().trim().to_owned();
        if let Err(message) = shared::names::validate_object_name(kind, &wanted) {
            name_error.set(Some(message));
            return;
        }
        let done = format!("Created {} {wanted}.", kind.to_lowercase());
        task.refreshing().call(
            running,
            &[("name", name_error)],
            create(wanted),
            move |_| {
                name.set(String::new());
                Outcome::Done(done)
            },
        );
    });
    view! {
        <div class="card">
            <form class="inline" id=ids.form on:submit=submit novalidate>
                <Field id=ids.field label placeholder value=name error=name_error />
                <SubmitButton id=ids.button label=button outcome=task.outcome />
            </form>
            <OutcomeLine id=ids.outcome outcome=task.outcome />
        </div>
    }
}
