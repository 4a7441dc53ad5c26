//! Pages only admins use: anyone else is told so where the page would be.

use leptos::prelude::*;
use shared::api::Role;

use crate::session::Session;

/// Draws `children` for admins; everyone else reads `refusal`.
#[component]
pub fn AdminsOnly(refusal: &'static str, children: ChildrenFn) -> impl IntoView {
    let session = expect_context::<Session>();
    view! {
        <Show
            when=move || session.allows(Role::Admin)
            fallback=move || view! { <p class="error" id="admins-only" role="alert">{refusal}</p> }
        >
            {children()}
        </Show>
    }
}
