//! The array picker: every registered array the user may use, how the portal authenticates
//! to it, and whom the array's audit log names.

use leptos::prelude::*;
use leptos_router::components::A;
use shared::api::Identity;

use crate::api;
use crate::app::Session;

/// Whom the array's own audit log will name.
fn identity_text(identity: Identity) -> &'static str {
    match identity {
        Identity::Service => "the portal's array user (service identity)",
        Identity::PerUser => "each portal user by name (per-user identity)",
    }
}

#[component]
pub fn ArrayList() -> impl IntoView {
    let session = expect_context::<Session>();
    let arrays = LocalResource::new(api::arrays);
    view! {
        <h1>"Arrays"</h1>
        <Suspense fallback=|| view! { <p class="muted">"Loading arrays…"</p> }>
            {move || {
                arrays.get().map(|result| match result {
                    Ok(list) if list.is_empty() => {
                        view! { <p class="muted">"No arrays are registered yet."</p> }.into_any()
                    }
                    Ok(list) => {
                        view! {
                            <table id="arrays">
                                <thead>
                                    <tr><th>"Array"</th><th>"Address"</th><th>"Authentication"</th><th>"Acts on the array as"</th></tr>
                                </thead>
                                <tbody>
                                    {list
                                        .into_iter()
                                        .map(|array| {
                                            let href = format!("/arrays/{}/volumes", array.name);
                                            let key = array.name.clone();
                                            view! {
                                                <tr data-array=key>
                                                    <td><A href=href>{array.name}</A></td>
                                                    <td class="mono">{array.url}</td>
                                                    <td>{array.auth_method.label()}</td>
                                                    <td class="identity">{identity_text(array.identity)}</td>
                                                </tr>
                                            }
                                        })
                                        .collect_view()}
                                </tbody>
                            </table>
                        }
                            .into_any()
                    }
                    Err(failure) => {
                        session.notice(&failure);
                        view! { <p class="error" role="alert">{failure.error.message}</p> }.into_any()
                    }
                })
            }}
        </Suspense>
    }
}
