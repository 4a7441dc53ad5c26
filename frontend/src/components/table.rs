//! What every list shares: its state (search, sort, page, filters) kept in the URL query so
//! that links and Back keep it, a debounced search box, sortable headers, a pager, CSV export,
//! and the loading marker and empty state. A list the array pages passes the state on in its
//! query; a list the browser holds whole is a [`ListTable`], which searches, sorts and pages
//! it here.

use std::time::Duration;

use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_location, use_navigate, use_query_map};
use web_sys::js_sys::encode_uri_component;

/// Rows per page.
pub const PAGE_SIZE: u32 = 50;
/// How long typing must pause before a search runs.
const SEARCH_DEBOUNCE: Duration = Duration::from_millis(300);

/// The router's navigation, kept for the life of the page that uses it.
type Navigate = StoredValue<Box<dyn Fn(&str, NavigateOptions)>, LocalStorage>;

/// A list's state in the URL: `?search=db&sort=-provisioned&offset=50&destroyed=true`.
#[derive(Debug, Clone, Copy)]
pub struct UrlState {
    query: Memo<leptos_router::params::ParamsMap>,
    pathname: Memo<String>,
    navigate: Navigate,
    default_sort: &'static str,
    /// Put before `search`, `sort` and `offset`, so that two lists on one page keep apart.
    prefix: &'static str,
}

impl UrlState {
    pub fn new(default_sort: &'static str) -> Self {
        let location = use_location();
        let navigate = use_navigate();
        Self {
            query: use_query_map(),
            pathname: location.pathname,
            navigate: StoredValue::new_local(Box::new(navigate)),
            default_sort,
            prefix: "",
        }
    }

    /// The state of a second list on a page, its keys starting `prefix` (`groups_search`).
    pub fn prefixed(default_sort: &'static str, prefix: &'static str) -> Self {
        Self {
            prefix,
            ..Self::new(default_sort)
        }
    }

    /// The URL key of one of the list's own settings (`search`, `sort`, `offset`).
    fn key(&self, name: &str) -> String {
        format!("{}{name}", self.prefix)
    }

    /// A query value, or `""`; reactive.
    pub fn text(&self, key: &str) -> String {
        self.query.with(|query| query.get(key)).unwrap_or_default()
    }

    pub fn search(&self) -> String {
        self.text(&self.key("search"))
    }

    pub fn sort(&self) -> String {
        Some(self.text(&self.key("sort")))
            .filter(|sort| !sort.is_empty())
            .unwrap_or_else(|| self.default_sort.to_owned())
    }

    pub fn offset(&self) -> u32 {
        self.text(&self.key("offset")).parse().unwrap_or(0)
    }

    pub fn flag(&self, key: &str) -> bool {
        self.text(key) == "true"
    }

    /// Changes some keys (`None` or `""` removes one). Every change but typing adds a
    /// history entry, so Back walks through sorts and pages.
    pub fn set(&self, changes: &[(&str, Option<String>)], replace: bool) {
        let current = self.query.get_untracked();
        // Kept in the order they came, so that a link reads the same after each change.
        let mut pairs: Vec<(String, String)> = current
            .latest_values()
            .filter(|(key, _)| !changes.iter().any(|(changed, _)| changed == key))
            .map(|(key, value)| (key.to_string(), value.to_owned()))
            .collect();
        for (key, value) in changes {
            if let Some(value) = value.as_ref().filter(|value| !value.is_empty()) {
                pairs.push(((*key).to_owned(), value.clone()));
            }
        }
        let query = pairs
            .iter()
            .map(|(key, value)| {
                format!(
                    "{}={}",
                    encode_uri_component(key),
                    encode_uri_component(value)
                )
            })
            .collect::<Vec<_>>()
            .join("&");
        let path = self.pathname.get_untracked();
        let url = if query.is_empty() {
            path
        } else {
            format!("{path}?{query}")
        };
        self.navigate.with_value(|navigate| {
            navigate(
                &url,
                NavigateOptions {
                    replace,
                    scroll: false,
                    ..NavigateOptions::default()
                },
            );
        });
    }

    /// A new filter or search starts again from the first page.
    pub fn set_from_start(&self, key: &str, value: Option<String>, replace: bool) {
        self.set(&[(key, value), (&self.key("offset"), None)], replace);
    }

    fn set_sort(&self, sort: String) {
        self.set(
            &[(&self.key("sort"), Some(sort)), (&self.key("offset"), None)],
            false,
        );
    }

    fn set_offset(&self, offset: u32) {
        let offset = (offset > 0).then(|| offset.to_string());
        self.set(&[(&self.key("offset"), offset)], false);
    }
}

/// A search box that updates the URL once typing pauses.
#[component]
pub fn SearchBox(
    id: &'static str,
    label: &'static str,
    state: UrlState,
    #[prop(default = "part of a name")] placeholder: &'static str,
) -> impl IntoView {
    let pending = StoredValue::new_local(None::<TimeoutHandle>);
    let on_input = move |event: leptos::ev::Event| {
        let text = event_target_value(&event);
        pending.update_value(|handle| {
            if let Some(handle) = handle.take() {
                handle.clear();
            }
        });
        let handle = set_timeout_with_handle(
            move || state.set_from_start(&state.key("search"), Some(text.trim().to_owned()), true),
            SEARCH_DEBOUNCE,
        )
        .ok();
        pending.set_value(handle);
    };
    view! {
        <label>
            <span>{label}</span>
            <input id=id type="search" placeholder=placeholder prop:value=move || state.search() on:input=on_input />
        </label>
    }
}

/// A column header that sorts by `key`, flipping the direction when already sorted by it.
#[component]
pub fn SortHeader(key: &'static str, label: &'static str, state: UrlState) -> impl IntoView {
    let direction = move || {
        let sort = state.sort();
        if sort == key {
            "ascending"
        } else if sort.strip_prefix('-') == Some(key) {
            "descending"
        } else {
            "none"
        }
    };
    let marker = move || match direction() {
        "ascending" => " ▲",
        "descending" => " ▼",
        _ => "",
    };
    let toggle = move |_| {
        let next = if state.sort() == key {
            format!("-{key}")
        } else {
            key.to_owned()
        };
        state.set_sort(next);
    };
    view! {
        <th aria-sort=direction class=key>
            <button class="sort" data-sort=key on:click=toggle>{label}{marker}</button>
        </th>
    }
}

/// The columns hidden from a table (`?hide=serial,created`), as its `data-hide` attribute:
/// the stylesheet hides each cell whose class is listed.
pub fn hidden_columns(state: UrlState) -> impl Fn() -> String + Copy {
    move || state.text("hide").replace(',', " ")
}

/// A choice of which of a table's `columns` (class, label) show, kept in the URL.
#[component]
pub fn ColumnChooser(
    state: UrlState,
    columns: &'static [(&'static str, &'static str)],
) -> impl IntoView {
    let shown = move |key: &str| !state.text("hide").split(',').any(|hidden| hidden == key);
    let toggle = move |key: &'static str, show: bool| {
        let mut hidden: Vec<String> = state
            .text("hide")
            .split(',')
            .filter(|hidden| !hidden.is_empty() && *hidden != key)
            .map(str::to_owned)
            .collect();
        if !show {
            hidden.push(key.to_owned());
        }
        state.set(&[("hide", Some(hidden.join(",")))], true);
    };
    view! {
        <details class="columns" id="column-chooser">
            <summary>"Columns"</summary>
            {columns
                .iter()
                .map(|(key, label)| {
                    let key = *key;
                    view! {
                        <label class="check">
                            <input
                                type="checkbox"
                                data-column=key
                                prop:checked=move || shown(key)
                                on:change=move |event| toggle(key, event_target_checked(&event))
                            />
                            {*label}
                        </label>
                    }
                })
                .collect_view()}
        </details>
    }
}

/// Previous and next page, and where this page sits.
#[component]
pub fn Pager(total: u64, shown: usize, state: UrlState) -> impl IntoView {
    let offset = state.offset();
    let first = if shown == 0 { 0 } else { u64::from(offset) + 1 };
    let last = u64::from(offset) + shown as u64;
    let has_next = last < total;
    let go = move |to: u32| state.set_offset(to);
    view! {
        <nav class="pager" aria-label="Pages">
            <button
                id="page-prev"
                class="secondary"
                disabled=offset == 0
                on:click=move |_| go(offset.saturating_sub(PAGE_SIZE))
            >
                "← Previous"
            </button>
            <span id="page-info">{format!("{first}–{last} of {total}")}</span>
            <button id="page-next" class="secondary" disabled=!has_next on:click=move |_| go(offset + PAGE_SIZE)>
                "Next →"
            </button>
        </nav>
    }
}

/// Shown while a list's next answer is on its way, over the rows it replaces.
#[component]
pub fn LoadingMarker(pending: RwSignal<bool>) -> impl IntoView {
    view! {
        <p class="muted loading" role="status" aria-live="polite" id="list-loading">
            {move || pending.get().then_some("Loading…")}
        </p>
    }
}

/// A table whose rows the page draws in the order they came, with headers that do not sort:
/// its column headers, and its rows as the children. Paging, where a list has it (the audit
/// log, the destroyed volumes), stays beside the table on the page.
#[component]
pub fn PlainTable(
    id: &'static str,
    headers: &'static [&'static str],
    children: Children,
) -> impl IntoView {
    let headers = headers
        .iter()
        .map(|header| view! { <th>{*header}</th> })
        .collect_view();
    view! {
        <table id=id>
            <thead><tr>{headers}</tr></thead>
            <tbody>{children()}</tbody>
        </table>
    }
}

/// What an empty list says, so that "nothing here" never looks like "still loading".
#[component]
pub fn EmptyState(id: &'static str, #[prop(into)] text: String) -> impl IntoView {
    view! { <p class="empty muted" id=id>{text}</p> }
}

/// A filter by array: every array of the caller's, kept in the URL as `?array=NAME`.
#[component]
pub fn ArrayFilter(id: &'static str, state: UrlState) -> impl IntoView {
    let arrays = crate::components::live::arrays_resource();
    let options = move || {
        let names: Vec<String> = match arrays.get() {
            Some(Ok(list)) => list.into_iter().map(|summary| summary.name).collect(),
            _ => Vec::new(),
        };
        names
            .into_iter()
            .map(|name| {
                let selected = state.text("array") == name;
                view! { <option value=name.clone() selected=selected>{name.clone()}</option> }
            })
            .collect_view()
    };
    view! {
        <label>
            <span>"Array"</span>
            <select
                id=id
                on:change=move |event| state.set_from_start("array", Some(event_target_value(&event)), false)
            >
                <option value="" selected=move || state.text("array").is_empty()>"Every array"</option>
                {options}
            </select>
        </label>
    }
}

/// The arrays a fleet page could not ask, each with its error.
#[component]
pub fn ArrayFailures(failures: Vec<shared::api::ArrayFailure>) -> impl IntoView {
    let items = failures
        .into_iter()
        .map(|failure| {
            let array = failure.array.clone();
            view! { <li class="error" data-array=array>{failure.array} ": " {failure.error}</li> }
        })
        .collect_view();
    view! { <ul class="array-failures">{items}</ul> }
}
