//! The frame around every page of one array: its name, a switcher to the same page on another
//! array, the array's tabs, breadcrumbs, and the document title — all read from the route, so
//! a page under `/arrays/:array/` draws only what is its own.

use leptos::prelude::*;
use leptos_router::components::{A, Outlet};
use leptos_router::hooks::{use_location, use_navigate, use_params_map};
use shared::api::kept_for;
use shared::flasharray::ArrayEradicationConfig;

use crate::api;
use crate::components::live::{answer_signal, arrays_resource};

/// The array the current page is about.
pub fn use_array() -> Memo<String> {
    let params = use_params_map();
    Memo::new(move |_| params.read().get("array").unwrap_or_default())
}

/// A route parameter of the current page, such as the volume's name.
pub fn use_param(name: &'static str) -> Memo<String> {
    let params = use_params_map();
    Memo::new(move |_| params.read().get(name).unwrap_or_default())
}

/// How long the array the page is about keeps what is destroyed, read once per array, so
/// that confirmations say when data really goes.
#[derive(Debug, Clone, Copy)]
struct Eradication(ReadSignal<Option<ArrayEradicationConfig>>);

fn eradication_delay(delay: fn(&ArrayEradicationConfig) -> Option<u64>) -> Signal<String> {
    let config = use_context::<Eradication>();
    Signal::derive(move || {
        kept_for(
            config
                .and_then(|Eradication(config)| config.get())
                .as_ref()
                .and_then(delay),
        )
    })
}

/// "for 3 days": how long the array keeps a destroyed object that may be eradicated by hand.
pub fn use_kept_for() -> Signal<String> {
    eradication_delay(ArrayEradicationConfig::enabled_ms)
}

/// "for 7 days": how long the array keeps what SafeMode protects once it is destroyed.
pub fn use_safemode_kept_for() -> Signal<String> {
    eradication_delay(ArrayEradicationConfig::disabled_ms)
}

/// Sets the browser tab's title: `parts · Flashdeck`.
pub fn set_title(parts: &[&str]) {
    let mut title: Vec<&str> = parts
        .iter()
        .copied()
        .filter(|part| !part.is_empty())
        .collect();
    title.push("Flashdeck");
    document().set_title(&title.join(" · "));
}

/// Sets the title of a page outside any array.
pub fn page_title(name: &'static str) {
    set_title(&[name]);
}

/// The tabs of an array's pages: path segment and label.
const SECTIONS: [(&str, &str); 6] = [
    ("overview", "Overview"),
    ("volumes", "Volumes"),
    ("hosts", "Hosts"),
    ("protection", "Protection groups"),
    ("replication", "Replication"),
    ("pods", "Pods"),
];

/// `/arrays/A/SECTION/OBJECT…` → (section, object), decoded for display.
fn place(pathname: &str) -> (String, Option<String>) {
    let mut segments = pathname.trim_matches('/').split('/').skip(2);
    let section = segments.next().unwrap_or("volumes").to_owned();
    let object = segments.next().map(decode);
    (section, object)
}

fn decode(segment: &str) -> String {
    web_sys::js_sys::decode_uri_component(segment)
        .ok()
        .and_then(|text| text.as_string())
        .unwrap_or_else(|| segment.to_owned())
}

fn section_label(section: &str) -> &'static str {
    SECTIONS
        .iter()
        .find(|(path, _)| *path == section)
        .map_or("Volumes", |(_, label)| label)
}

#[component]
pub fn ArrayFrame() -> impl IntoView {
    let array = use_array();
    let location = use_location();
    let here = Memo::new(move |_| place(&location.pathname.get()));
    let arrays = arrays_resource();
    provide_context(Eradication(answer_signal(move || {
        let array = array.get();
        async move { api::eradication_config(&array).await.ok() }
    })));
    Effect::new(move |_| {
        let (section, object) = here.get();
        let array = array.get();
        set_title(&[
            &array,
            section_label(&section),
            object.as_deref().unwrap_or_default(),
        ]);
    });
    // The arrays listed are those the user may use: any other page of an array would offer
    // forms the server refuses. Kept through a refresh, so the page is not drawn again.
    let allowed = Memo::new(move |before: Option<&bool>| match arrays.get() {
        Some(Ok(list)) => {
            let here = array.get();
            list.iter().any(|summary| summary.name == here)
        }
        _ => before.copied().unwrap_or(true),
    });
    let navigate = use_navigate();
    let switch = move |event: leptos::ev::Event| {
        let target = event_target_value(&event);
        let (section, _) = here.get_untracked();
        navigate(
            &format!("/arrays/{}/{section}", encode(&target)),
            Default::default(),
        );
    };
    let crumbs = move || {
        let (section, object) = here.get();
        object.map(|object| {
            let home = format!("/arrays/{}", encode(&array.get()));
            let list = format!("{home}/{section}");
            view! {
                <nav class="breadcrumbs" aria-label="Breadcrumb">
                    <A href="/arrays">"Arrays"</A> " › "
                    <A href=format!("{home}/volumes")>{array}</A> " › "
                    <A href=list>{section_label(&section)}</A> " › "
                    <span aria-current="page" id="breadcrumb-current">{object}</span>
                </nav>
            }
        })
    };
    view! {
        <section class="array-frame" aria-labelledby="array-name">
            <div class="array-bar">
                <span class="muted">"Array"</span>
                <strong id="array-name">{array}</strong>
                <label class="switcher">
                    <span>"Switch to"</span>
                    <select id="array-switcher" on:change=switch prop:value=move || array.get()>
                        {move || {
                            let current = array.get();
                            let names: Vec<String> = match arrays.get() {
                                Some(Ok(list)) => list.into_iter().map(|summary| summary.name).collect(),
                                _ => vec![current.clone()],
                            };
                            names
                                .into_iter()
                                .map(|name| {
                                    let selected = name == current;
                                    view! { <option value=name.clone() selected=selected>{name.clone()}</option> }
                                })
                                .collect_view()
                        }}
                    </select>
                </label>
            </div>
            <nav class="tabs" aria-label="Array pages">
                {SECTIONS
                    .iter()
                    .map(|(path, label)| {
                        view! { <A href=move || format!("/arrays/{}/{path}", encode(&array.get()))>{*label}</A> }
                    })
                    .collect_view()}
            </nav>
            {crumbs}
        </section>
        <Show
            when=move || allowed.get()
            fallback=move || view! {
                <p class="error" id="array-refused" role="alert">
                    "You may not use " {array} ", or no array of that name is registered: an admin can add it to your arrays."
                </p>
            }
        >
            <Outlet />
        </Show>
    }
}

/// `segment` written for one segment of a path: a name an array reports cannot reach
/// another page.
pub fn encode(segment: &str) -> String {
    // A name of dots alone (an array could list one) would be read by the browser as "this
    // folder" or "the one above" and lead elsewhere.
    if !segment.is_empty() && segment.chars().all(|c| c == '.') {
        segment.replace('.', "%2E")
    } else {
        String::from(web_sys::js_sys::encode_uri_component(segment))
    }
}
