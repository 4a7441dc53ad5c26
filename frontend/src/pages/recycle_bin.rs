//! Everything destroyed on every array, soonest eradicated first: recover, or (admins)
//! eradicate for good.

use leptos::prelude::*;
use shared::api::{Action, RecycleAction, RecycleBin, RecycledItem};
use web_sys::js_sys::Date;

use shared::listing::{Column, Value};

use crate::api::{self, Done};
use crate::components::confirm::RecycleActions;
use crate::components::table::SearchBox;
use crate::components::{
    Countdown, ListTable, Loaded, Outcome, OutcomeLine, Row, Task, UrlState, held_outcome,
    live_resource, page_title,
};

const COLUMNS: &[Column] = &[
    Column::data("array", "Array"),
    Column::data("kind", "Kind"),
    Column::data("name", "Name"),
    Column::data("eradicates_at", "Eradicated in"),
    Column::actions("Actions"),
];

#[component]
pub fn RecycleBinPage() -> impl IntoView {
    page_title("Recycle bin");
    let bin = live_resource(|| async { api::recycle_bin().await.map(|bin| (bin, Date::now())) });
    let task = Task::new();
    let state = UrlState::new("eradicates_at");
    view! {
        <h1>"Recycle bin"</h1>
        <p class="muted">"Destroyed objects on every array. Each array eradicates them when their time runs out."</p>
        <div class="toolbar">
            <SearchBox id="recycle-search" label="Search" placeholder="name, kind or array" state />
        </div>
        <OutcomeLine id="recycle-outcome" outcome=task.outcome />
        <Loaded resource=bin let:bin>
            <RecycledTable contents=bin.0 fetched=bin.1 task state />
        </Loaded>
    }
}

#[component]
fn RecycledTable(contents: RecycleBin, fetched: f64, task: Task, state: UrlState) -> impl IntoView {
    let errors = contents
        .errors
        .into_iter()
        .map(|error| view! { <p class="error" role="alert">{error}</p> })
        .collect_view();
    let rows = contents
        .items
        .into_iter()
        .map(|item| {
            let values = vec![
                Value::from(item.array.as_str()),
                Value::from(item.kind.label()),
                Value::from(item.name.as_str()),
                Value::Time(Some(
                    (fetched as i64).saturating_add(item.time_remaining.max(0)),
                )),
            ];
            Row::new(values, move || {
                view! { <RecycledRow item=item.clone() fetched task /> }.into_any()
            })
        })
        .collect();
    view! {
        {errors}
        <ListTable
            id="recycle-bin"
            columns=COLUMNS
            rows
            state
            file="flashdeck-recycle-bin.csv"
            empty_id="recycle-empty"
            empty="Nothing destroyed is waiting on any array."
        />
    }
}

#[component]
fn RecycledRow(item: RecycledItem, fetched: f64, task: Task) -> impl IntoView {
    let action = RecycleAction {
        array: item.array.clone(),
        kind: item.kind,
        name: item.name.clone(),
    };
    let run = move |action: RecycleAction, recover: bool, reason: Option<String>| {
        let (doing, done) = if recover {
            ("Recovering", "Recovered")
        } else {
            ("Eradicating", "Eradicated")
        };
        let said = format!("{done} {} on {}.", action.name, action.array);
        task.refreshing().call(
            format!("{doing} {}…", action.name),
            &[],
            async move {
                if recover {
                    api::recover(&action).await.map(Done::Now)
                } else {
                    api::eradicate(&action, reason.as_deref()).await
                }
            },
            move |done| match done {
                Done::Now(()) => Outcome::Done(said),
                Done::Held(request) => held_outcome(&request),
            },
        );
    };
    let key = format!("{}/{}", item.array, item.name);
    let recover = {
        let action = action.clone();
        Callback::new(move |()| run(action.clone(), true, None))
    };
    let eradicate = Callback::new(move |reason| run(action.clone(), false, reason));
    let question = format!(
        "Eradicate {} {} on {}?",
        item.kind.label(),
        item.name,
        item.array
    );
    let eradicated = item.name.clone();
    view! {
        <tr data-item=key data-kind=item.kind.label() data-array=item.array.clone()>
            <td class="array">{item.array.clone()}</td>
            <td class="kind">{item.kind.label()}</td>
            <td class="name">{item.name.clone()}</td>
            <td class="eradicates_at remaining"><Countdown remaining_ms=item.time_remaining fetched_ms=fetched /></td>
            <RecycleActions task recover question name=eradicated action=Action::RecycleBinEradicate eradicate />
        </tr>
    }
}
