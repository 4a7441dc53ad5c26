//! The arrays a user, a token or a rule reaches: every array, chosen as such, or the ones
//! ticked. "None ticked" never means "all": forgetting a tick must not grant every array.

use std::collections::BTreeSet;

use leptos::prelude::*;

use crate::components::live::arrays_resource;

/// A scope being chosen in a form.
#[derive(Clone, Copy)]
pub struct ArrayScope {
    /// `Some(true)`: every array, and any added later; `Some(false)`: the ticked ones;
    /// `None`: not chosen yet.
    every: RwSignal<Option<bool>>,
    ticked: RwSignal<BTreeSet<String>>,
    /// What `clear` goes back to.
    fresh: Option<bool>,
}

impl ArrayScope {
    /// Nothing chosen: the person must say which.
    pub fn unchosen() -> Self {
        Self::starting(None)
    }

    /// Every array, shown chosen: for what cannot reach beyond its owner's own arrays.
    pub fn every() -> Self {
        Self::starting(Some(true))
    }

    fn starting(every: Option<bool>) -> Self {
        Self {
            every: RwSignal::new(every),
            ticked: RwSignal::new(BTreeSet::new()),
            fresh: every,
        }
    }

    /// As saved: `None` is every array.
    pub fn of(arrays: Option<&[String]>) -> Self {
        // Inserted one by one: collecting into a set would pull a sort into the bundle.
        let mut ticked = BTreeSet::new();
        for array in arrays.unwrap_or_default() {
            ticked.insert(array.clone());
        }
        Self {
            every: RwSignal::new(Some(arrays.is_none())),
            ticked: RwSignal::new(ticked),
            fresh: Some(arrays.is_none()),
        }
    }

    /// As it began, once the form was sent.
    pub fn clear(&self) {
        self.every.set(self.fresh);
        self.ticked.set(BTreeSet::new());
    }

    /// The scope to send (`None`: every array), or why there is none yet, for beside the picker.
    pub fn value(&self) -> Result<Option<Vec<String>>, String> {
        match self.every.get_untracked() {
            Some(true) => Ok(None),
            Some(false) if !self.ticked.with_untracked(BTreeSet::is_empty) => {
                Ok(Some(self.ticked.get_untracked().into_iter().collect()))
            }
            Some(false) => Err("Tick at least one array, or choose All arrays.".to_owned()),
            None => Err("Choose All arrays, or tick the arrays.".to_owned()),
        }
    }
}

/// "All arrays" or "Only these", then one checkbox per registered array; ticking one chooses
/// "Only these".
#[component]
pub fn ArrayScopePicker(
    /// Prefixes the inputs' ids: `{id}-all`, `{id}-only` and `{id}-{array}`.
    id: String,
    scope: ArrayScope,
    error: RwSignal<Option<String>>,
) -> impl IntoView {
    let arrays = arrays_resource();
    let ArrayScope { every, ticked, .. } = scope;
    let prefix = id.clone();
    let group = format!("{id}-choice");
    view! {
        <fieldset class="scope" id=id.clone() aria-invalid=move || error.with(Option::is_some).to_string()>
            <legend>"Arrays"</legend>
            <label class="check">
                <input
                    type="radio"
                    id=format!("{id}-all")
                    name=group.clone()
                    prop:checked=move || every.get() == Some(true)
                    on:change=move |_| every.set(Some(true))
                />
                "All arrays, and any added later"
            </label>
            <label class="check">
                <input
                    type="radio"
                    id=format!("{id}-only")
                    name=group
                    prop:checked=move || every.get() == Some(false)
                    on:change=move |_| every.set(Some(false))
                />
                "Only these:"
            </label>
            {move || {
                let id = prefix.clone();
                arrays.get().map(|result| match result {
                    Ok(list) => list
                        .into_iter()
                        .map(|array| {
                            let name = array.name;
                            let checked_name = name.clone();
                            let toggled = name.clone();
                            view! {
                                <label class="check">
                                    <input
                                        type="checkbox"
                                        id=format!("{id}-{name}")
                                        data-array=name.clone()
                                        prop:checked=move || every.get() == Some(false) && ticked.with(|set| set.contains(&checked_name))
                                        on:change=move |event| {
                                            let on = event_target_checked(&event);
                                            if on {
                                                every.set(Some(false));
                                            }
                                            ticked.update(|set| {
                                                if on {
                                                    set.insert(toggled.clone());
                                                } else {
                                                    set.remove(&toggled);
                                                }
                                            });
                                        }
                                    />
                                    {name.clone()}
                                </label>
                            }
                        })
                        .collect_view()
                        .into_any(),
                    Err(failure) => view! { <span class="error">{failure.error.message}</span> }.into_any(),
                })
            }}
            {move || error.get().map(|message| view! { <span class="field-error" role="alert">{message}</span> })}
        </fieldset>
    }
}

/// A saved scope in words.
pub fn describe_arrays(arrays: Option<&[String]>) -> String {
    arrays.map_or_else(|| "all arrays".to_owned(), |names| names.join(", "))
}
