//! Saved views: a page as it is filtered, sorted and paged (its address), kept under a name
//! in this browser for the signed-in user, and opened again from the person's menu. Only
//! addresses of the portal itself are saved or read back.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_location;

/// Most views one person keeps; saving another drops the oldest.
const MOST_VIEWS: usize = 50;
/// Longest name a view may have.
const LONGEST_NAME: usize = 60;

/// One saved view: its name and the address it opens.
type View = (String, String);

fn storage_key(username: &str) -> String {
    format!("flashdeck-views-{username}")
}

/// The views saved for `username`; any that is not an address of this portal is dropped.
fn load(username: &str) -> Vec<View> {
    window()
        .local_storage()
        .ok()
        .flatten()
        .and_then(|storage| storage.get_item(&storage_key(username)).ok().flatten())
        .and_then(|text| serde_json::from_str::<Vec<View>>(&text).ok())
        .unwrap_or_default()
        .into_iter()
        .filter(|(_, href)| of_this_portal(href))
        .collect()
}

/// Whether `href` is an address of this portal: a path the browser resolves to the page's
/// own origin, with nothing (a backslash, a control character) it could read as another host.
fn of_this_portal(href: &str) -> bool {
    if !href.starts_with('/') || href.starts_with("//") || href.contains('\\') {
        return false;
    }
    if href.chars().any(char::is_control) {
        return false;
    }
    let Ok(origin) = window().location().origin() else {
        return false;
    };
    web_sys::Url::new_with_base(href, &origin).is_ok_and(|url| url.origin() == origin)
}

fn store(username: &str, views: &[View]) {
    if let (Some(storage), Ok(text)) = (
        window().local_storage().ok().flatten(),
        serde_json::to_string(views),
    ) {
        let _ = storage.set_item(&storage_key(username), &text);
    }
}

/// The list of saved views and the form that saves the page as it is now.
#[component]
pub fn SavedViews(username: String) -> impl IntoView {
    let location = use_location();
    let views = RwSignal::new(load(&username));
    let name = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let owner = StoredValue::new(username);
    let save = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let typed = name.get_untracked().trim().to_owned();
        if typed.is_empty() || typed.chars().count() > LONGEST_NAME {
            error.set(Some(format!(
                "Name the view in 1 to {LONGEST_NAME} characters."
            )));
            return;
        }
        error.set(None);
        let search = location.search.get_untracked();
        let path = location.pathname.get_untracked();
        let href = if search.is_empty() {
            path
        } else {
            format!("{path}?{search}")
        };
        if !of_this_portal(&href) {
            error.set(Some(
                "This page's address cannot be saved as a view.".to_owned(),
            ));
            return;
        }
        views.update(|views| {
            views.retain(|(kept, _)| *kept != typed);
            views.push((typed, href));
            let extra = views.len().saturating_sub(MOST_VIEWS);
            views.drain(..extra);
        });
        owner.with_value(|username| views.with_untracked(|views| store(username, views)));
        name.set(String::new());
    };
    let remove = move |gone: String| {
        views.update(|views| views.retain(|(kept, _)| *kept != gone));
        owner.with_value(|username| views.with_untracked(|views| store(username, views)));
    };
    let listed = move || {
        views
            .get()
            .into_iter()
            .map(|(label, href)| {
                let (gone, key) = (label.clone(), label.clone());
                let remove_label = format!("Forget the view {label}");
                view! {
                    <li data-view=key>
                        <A href=href>{label}</A>
                        <button class="link forget-view" aria-label=remove_label on:click=move |_| remove(gone.clone())>
                            "×"
                        </button>
                    </li>
                }
            })
            .collect_view()
    };
    view! {
        <div class="saved-views">
            <p class="muted small">"Saved views"</p>
            <ul id="saved-views">{listed}</ul>
            <form class="save-view" on:submit=save>
                <label>
                    <span class="visually-hidden">"Name of this view"</span>
                    <input id="save-view-name" placeholder="Name this view" bind:value=name maxlength="60" />
                </label>
                <button type="submit" class="secondary small" id="save-view">"Save view"</button>
            </form>
            {move || error.get().map(|message| view! { <p class="error small" id="save-view-error" role="alert">{message}</p> })}
        </div>
    }
}
