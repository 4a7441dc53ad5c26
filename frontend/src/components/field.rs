//! Labelled inputs with their messages tied to them, and pickers: inputs that suggest the
//! names the array (or the portal) actually has.

use std::collections::BTreeSet;

use leptos::prelude::*;

use crate::components::live::Answer;
use shared::api::ApiError;

use crate::components::Outcome;
use crate::components::outcome::FieldError;

/// A labelled text input, with the message about it (if any) right beneath it.
#[component]
pub fn Field(
    id: &'static str,
    label: &'static str,
    #[prop(default = "")] placeholder: &'static str,
    /// The input's `type`: `password` keeps what is typed out of sight.
    #[prop(default = "text")]
    kind: &'static str,
    value: RwSignal<String>,
    error: RwSignal<Option<String>>,
    /// A `<datalist>` whose options the browser offers as the user types.
    #[prop(optional)]
    list: Option<String>,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    // A message arriving moves the focus to the first field that has one, so a keyboard user
    // is taken to what needs fixing.
    Effect::new(move |had_error: Option<bool>| {
        let has_error = error.with(Option::is_some);
        if has_error && had_error == Some(false) {
            request_animation_frame(crate::components::outcome::focus_first_invalid_field);
        }
        has_error
    });
    let described_by = {
        let error_id = error_id.clone();
        move || error.with(Option::is_some).then(|| error_id.clone())
    };
    view! {
        <label>
            <span>{label}</span>
            <input
                id=id
                type=kind
                placeholder=placeholder
                list=list
                bind:value=value
                aria-invalid=move || error.with(Option::is_some).to_string()
                aria-describedby=described_by
            />
            {move || {
                error
                    .get()
                    .map(|message| {
                        view! { <span id=error_id.clone() class="field-error" role="alert">{message}</span> }
                    })
            }}
        </label>
    }
}

/// The message of each field of a form, by the name the API gives the field, so that a
/// refusal (the portal's own check, or the server's) lands under the field it is about.
#[derive(Debug, Clone, Copy)]
pub struct FieldErrors(StoredValue<Vec<FieldError>>);

impl FieldErrors {
    pub fn new(fields: &[&'static str]) -> Self {
        Self(StoredValue::new(
            fields
                .iter()
                .map(|field| (*field, RwSignal::new(None)))
                .collect(),
        ))
    }

    /// The message signal of `field`.
    pub fn of(&self, field: &str) -> RwSignal<Option<String>> {
        self.0.with_value(|fields| {
            fields
                .iter()
                .find(|(name, _)| *name == field)
                .map(|(_, signal)| *signal)
                .unwrap_or_else(|| RwSignal::new(None))
        })
    }

    /// Every field with its signal, for [`crate::components::Task::call`].
    pub fn all(&self) -> Vec<FieldError> {
        self.0.get_value()
    }

    pub fn clear(&self) {
        for (_, signal) in self.all() {
            signal.set(None);
        }
    }

    /// `request`, once the form's old messages are cleared and `validate` passes it; otherwise
    /// nothing, and what `validate` found is shown.
    pub fn checked<R>(
        &self,
        request: R,
        validate: impl FnOnce(&R) -> Result<(), ApiError>,
        form: RwSignal<Outcome>,
    ) -> Option<R> {
        self.clear();
        match validate(&request) {
            Ok(()) => Some(request),
            Err(problem) => {
                self.show(problem, form);
                None
            }
        }
    }

    /// Shows `problem` under its field, or on `form` when it names none of them.
    pub fn show(&self, problem: ApiError, form: RwSignal<Outcome>) {
        show_problem(&self.all(), problem, form);
    }
}

/// Shows what a form's own check found under the field of `fields` it names, or on `form`.
pub fn show_problem(fields: &[FieldError], problem: ApiError, form: RwSignal<Outcome>) {
    match fields
        .iter()
        .find(|(field, _)| Some(*field) == problem.field.as_deref())
    {
        Some((_, signal)) => signal.set(Some(problem.message)),
        None => form.set(Outcome::Failed(problem.message)),
    }
}

/// A labelled multi-line input (PEM certificates and keys), its message beneath it.
#[component]
pub fn TextArea(
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    error: RwSignal<Option<String>>,
) -> impl IntoView {
    view! {
        <label class="wide">
            <span>{label}</span>
            <textarea id=id rows="4" bind:value=value></textarea>
            {move || error.get().map(|text| view! { <span id=format!("{id}-error") class="field-error" role="alert">{text}</span> })}
        </label>
    }
}

/// A text field that suggests `options` (names fetched from the array or the portal) and
/// still accepts any name typed, so a picker never hides an object the list missed.
#[component]
pub fn Picker(
    id: &'static str,
    label: &'static str,
    #[prop(default = "")] placeholder: &'static str,
    value: RwSignal<String>,
    error: RwSignal<Option<String>>,
    #[prop(into)] options: Signal<Vec<String>>,
) -> impl IntoView {
    let list_id = format!("{id}-options");
    view! {
        <Field id label placeholder value error list=list_id.clone() />
        <datalist id=list_id>
            {move || {
                options
                    .get()
                    .into_iter()
                    .map(|name| view! { <option value=name></option> })
                    .collect_view()
            }}
        </datalist>
    }
}

/// Most names a [`NameChecklist`] shows at once; a filter finds the rest.
const CHECKLIST_SHOWN: usize = 40;

/// Several names ticked from `options` (the array's names), narrowed by a filter, kept in
/// `chosen`; `taken` (already members, say) are not offered.
#[component]
pub fn NameChecklist(
    id: &'static str,
    label: &'static str,
    #[prop(into)] options: Signal<Vec<String>>,
    #[prop(into)] taken: Signal<Vec<String>>,
    chosen: RwSignal<BTreeSet<String>>,
) -> impl IntoView {
    let filter = RwSignal::new(String::new());
    let offered = move || {
        let wanted = filter.get().trim().to_lowercase();
        let taken = taken.get();
        let matching: Vec<String> = options
            .get()
            .into_iter()
            .filter(|name| !taken.contains(name) && name.to_lowercase().contains(&wanted))
            .collect();
        let more = matching.len().saturating_sub(CHECKLIST_SHOWN);
        let boxes = matching
            .into_iter()
            .take(CHECKLIST_SHOWN)
            .map(|name| {
                let (checked, toggled) = (name.clone(), name.clone());
                view! {
                    <label class="check">
                        <input
                            type="checkbox"
                            data-name=name.clone()
                            prop:checked=move || chosen.with(|chosen| chosen.contains(&checked))
                            on:change=move |event| {
                                let on = event_target_checked(&event);
                                chosen.update(|chosen| {
                                    if on {
                                        chosen.insert(toggled.clone());
                                    } else {
                                        chosen.remove(&toggled);
                                    }
                                });
                            }
                        />
                        {name}
                    </label>
                }
            })
            .collect_view();
        let more = (more > 0).then(|| {
            view! { <p class="muted small">{format!("{more} more: narrow the filter to see them.")}</p> }
        });
        view! { {boxes} {more} }
    };
    let filter_id = format!("{id}-filter");
    view! {
        <fieldset class="checklist" id=id>
            <legend>{label}</legend>
            <label>
                <span>"Filter"</span>
                <input id=filter_id type="search" placeholder="part of a name" bind:value=filter />
            </label>
            <div class="choices">{offered}</div>
            <p class="muted small chosen-count">
                {move || format!("{} chosen", chosen.with(BTreeSet::len))}
            </p>
        </fieldset>
    }
}

/// What a picker offers the names of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Named {
    Volumes,
    Hosts,
    HostGroups,
    ProtectionGroups,
}

/// The names of the array's volumes, hosts, host groups or live protection groups (the array's
/// first page of each),
/// for a [`Picker`]. Every picker goes through this one resource, so the bundle holds one copy.
pub fn names_on_array(array: Memo<String>, kind: Signal<Named>) -> Signal<Vec<String>> {
    let names = Answer::new(move || {
        let (array, kind) = (array.get(), kind.get());
        async move {
            match kind {
                Named::Volumes => crate::api::volumes(&array, &Default::default())
                    .await
                    .map(|list| list.items.into_iter().map(|volume| volume.name).collect()),
                Named::Hosts => crate::api::hosts(&array, &Default::default())
                    .await
                    .map(|list| list.items.into_iter().map(|host| host.name).collect()),
                Named::HostGroups => crate::api::host_groups(&array)
                    .await
                    .map(|groups| groups.into_iter().map(|group| group.name).collect()),
                Named::ProtectionGroups => {
                    crate::api::protection_groups(&array).await.map(|groups| {
                        groups
                            .into_iter()
                            .filter(|group| !group.destroyed)
                            .map(|group| group.name)
                            .collect()
                    })
                }
            }
        }
    });
    Signal::derive(move || names.get().and_then(Result::ok).unwrap_or_default())
}

/// The names of the array's hosts (`kind` = `host`) or host groups, for a connection's target.
pub fn host_or_group_names(array: Memo<String>, kind: RwSignal<String>) -> Signal<Vec<String>> {
    let named = Signal::derive(move || {
        if kind.get() == "host" {
            Named::Hosts
        } else {
            Named::HostGroups
        }
    });
    names_on_array(array, named)
}
