//! Keys that work on every page: `/` (outside a field) or Ctrl-K (anywhere) jumps to the
//! page's search box, or to the header's fleet search when the page has none (the fleet
//! search page when the header is folded away, on a phone).

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, HtmlInputElement, KeyboardEvent};

/// The first search box on the page, where the page draws its own, then the header's.
const SEARCH_BOXES: [&str; 2] = ["main input[type=search]", "#fleet-search"];

/// Listens for the jump for as long as the signed-in shell is drawn.
pub fn jump_to_search() {
    let navigate = use_navigate();
    let listener = window_event_listener(leptos::ev::keydown, move |event: KeyboardEvent| {
        if event.is_composing() || event.default_prevented() {
            return;
        }
        let plain = !event.ctrl_key() && !event.meta_key() && !event.alt_key();
        let slash = event.key() == "/" && plain;
        // Ctrl-K alone: with Shift or Alt it is the browser's own (Firefox's console).
        let control_k = event.key() == "k"
            && (event.ctrl_key() || event.meta_key())
            && !event.shift_key()
            && !event.alt_key();
        if !(control_k || slash && !typing(&event)) {
            return;
        }
        event.prevent_default();
        let shown = SEARCH_BOXES.iter().find_map(|selector| {
            document()
                .query_selector(selector)
                .ok()
                .flatten()
                .and_then(|found| found.dyn_into::<HtmlInputElement>().ok())
                .filter(|input| input.offset_parent().is_some())
        });
        if let Some(input) = shown {
            let _ = input.focus();
            input.select();
        } else {
            // The search page, fetched when first opened, focuses its box once drawn.
            navigate("/search", Default::default());
        }
    });
    on_cleanup(move || listener.remove());
}

/// Whether the key went to something one types in, where `/` is a character.
fn typing(event: &KeyboardEvent) -> bool {
    event
        .target()
        .and_then(|target| target.dyn_into::<HtmlElement>().ok())
        .is_some_and(|element| {
            matches!(element.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
                || element.is_content_editable()
        })
}
