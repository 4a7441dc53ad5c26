//! Pods and ActiveDR on an array: its pods (promoted or demoted, what they hold, where they
//! replicate), a pod made, a pod linked to another array in one step, a link paused, resumed
//! or deleted, and a pod promoted or demoted behind a confirmation that says what stops
//! accepting writes.

use leptos::prelude::*;
use shared::api::{
    Action, CreatePodRequest, LinkPodRequest, PodDetail, StretchPodRequest, validate_link_pod,
    validate_stretch_pod,
};
use shared::flasharray::{PodArrayStatus, PodReplicaLink};

use crate::api;
use crate::components::chart::{Series, TimeChart, Unit};
use crate::components::live::other_arrays;
use crate::components::outcome::SubmitButton;
use crate::components::table::EmptyState;
use crate::components::{
    Confirm, Field, FieldErrors, Loaded, NameForm, NameFormIds, Outcome, OutcomeLine, Picker,
    PlainTable, Reason, Task, array_resource, done_outcome, live_resource, use_array,
};
use crate::pages::replication::describe_lag;
use crate::session::Session;

/// What demoting a pod does, in its confirmation.
pub const DEMOTE_IMPACT: &str = "The pod stops accepting writes: hosts connected to its volumes can read but no longer write, and it takes in what its replica link sends instead. Promote the pod on the other array to take over there.";
/// What promoting a pod does, in its confirmation.
pub const PROMOTE_IMPACT: &str = "The pod accepts writes from hosts and stops taking in what its replica link sends: from now on it holds what was replicated up to its recovery point, plus what hosts write here.";

#[component]
pub fn Pods() -> impl IntoView {
    let session = expect_context::<Session>();
    let array = use_array();
    let pods = array_resource(array, |array| async move { api::pods(&array).await });
    let outcome = RwSignal::new(Outcome::Idle);
    view! {
        <h1>"Pods on " {array}</h1>
        <p class="hint">
            "A pod's volumes are named POD::VOLUME. ActiveDR keeps a demoted pod on another array seconds behind a promoted one; promote it there to take over."
        </p>
        <Show when=move || session.may(Action::PodCreate)>
            <CreatePod array />
        </Show>
        <OutcomeLine id="pod-outcome" outcome />
        <Loaded resource=pods loading="Asking the array for its pods…" let:pods>
            <LinkPod array pods=pods.clone() outcome />
            <StretchPod array pods=pods.clone() outcome />
            <LagCharts array pods=pods.clone() />
            <PodTable array pods outcome />
        </Loaded>
    }
}

#[component]
fn CreatePod(array: Memo<String>) -> impl IntoView {
    let ids = NameFormIds {
        form: "create-pod",
        field: "pod-name",
        button: "pod-create",
        outcome: "pod-create-outcome",
    };
    let create = move |name: String| {
        let array = array.get_untracked();
        async move { api::create_pod(&array, &CreatePodRequest { name }).await }
    };
    view! {
        <NameForm ids kind="Pod" label="Pod name" placeholder="oracle-prod" button="Create pod" running="Creating…" create />
    }
}

#[component]
fn PodTable(
    array: Memo<String>,
    pods: Vec<PodDetail>,
    outcome: RwSignal<Outcome>,
) -> impl IntoView {
    let empty = pods
        .is_empty()
        .then(|| view! { <EmptyState id="pods-empty" text="This array has no pods." /> });
    let rows = pods
        .into_iter()
        .map(|detail| view! { <PodRow array detail outcome /> })
        .collect_view();
    view! {
        <PlainTable id="pods" headers=&["Pod", "Writes", "Volumes", "Replication", "Actions"]>{rows}</PlainTable>
        {empty}
    }
}

#[component]
fn PodRow(array: Memo<String>, detail: PodDetail, outcome: RwSignal<Outcome>) -> impl IntoView {
    let session = expect_context::<Session>();
    let name = detail.pod.name.clone();
    let promoted = detail.pod.is_promoted();
    let destroyed = detail.pod.destroyed == Some(true);
    let writes = match (destroyed, promoted) {
        (true, _) => "destroyed",
        (false, true) => "promoted: accepts writes",
        (false, false) => "demoted: refuses writes",
    };
    let links = detail
        .links
        .iter()
        .map(|link| view! { <LinkLine array pod=name.clone() link=link.clone() outcome /> })
        .collect_view();
    let stretched = detail.pod.is_stretched().then(|| {
        view! {
            <StretchLine array pod=name.clone() arrays=detail.pod.arrays.clone().unwrap_or_default() outcome />
        }
    });
    let change = if promoted { "demote" } else { "promote" };
    let action = if promoted {
        Action::PodDemote
    } else {
        Action::PodPromote
    };
    let promotion_pod = name.clone();
    view! {
        <tr data-pod=name.clone()>
            <td class="name">{name.clone()}</td>
            <td class=format!("promotion {}", if promoted { "promoted" } else { "demoted" })>{writes}</td>
            <td class="volumes">{detail.volume_count}</td>
            <td class="links">{links}{stretched}</td>
            <td class="actions">
                <Show when=move || !destroyed && session.may(action)>
                    <Promotion array pod=promotion_pod.clone() change outcome />
                </Show>
            </td>
        </tr>
    }
}

/// Promote… or Demote…, behind a confirmation that says what stops accepting writes.
#[component]
fn Promotion(
    array: Memo<String>,
    pod: String,
    change: &'static str,
    outcome: RwSignal<Outcome>,
) -> impl IntoView {
    let demote = change == "demote";
    let task = Task::over(outcome).refreshing();
    let reason = Reason::for_action(if demote {
        Action::PodDemote
    } else {
        Action::PodPromote
    });
    let confirm = {
        let pod = pod.clone();
        Callback::new(move |()| {
            let (array, pod) = (array.get_untracked(), pod.clone());
            let why = reason.take();
            let done = if demote {
                format!("Demoted {pod}: it refuses writes now.")
            } else {
                format!("Promoted {pod}: it accepts writes now.")
            };
            task.call(
                format!("Asking the array to {change} {pod}…"),
                &[],
                async move { api::set_pod_promotion(&array, &pod, change, why.as_deref()).await },
                move |answer| done_outcome(answer, |_| Outcome::Done(done)),
            );
        })
    };
    let question = Signal::derive({
        let pod = pod.clone();
        move || {
            let verb = if demote { "Demote" } else { "Promote" };
            format!("{verb} {pod} on {}?", array.get())
        }
    });
    view! {
        <Confirm
            label=if demote { "Demote…" } else { "Promote…" }
            class=if demote { "danger pod-demote" } else { "secondary pod-promote" }
            question
            details=if demote { DEMOTE_IMPACT } else { PROMOTE_IMPACT }
            confirm_label=if demote { "Demote pod" } else { "Promote pod" }
            task
            reason
            on_confirm=confirm
        />
    }
}

/// One link of a pod: the other side, its state and lag, and pause/resume/delete where this
/// array sends.
#[component]
fn LinkLine(
    array: Memo<String>,
    pod: String,
    link: PodReplicaLink,
    outcome: RwSignal<Outcome>,
) -> impl IntoView {
    let session = expect_context::<Session>();
    let remote = link.remote_array().unwrap_or_default().to_owned();
    let remote_pod = link
        .remote_pod
        .as_ref()
        .and_then(|pod| pod.name.clone())
        .unwrap_or_default();
    let outbound = link.direction.as_deref() == Some("outbound");
    let arrow = if outbound { "→" } else { "←" };
    let status = link.status.clone().unwrap_or_default();
    let paused = link.paused == Some(true);
    let lag = match link.recovery_point {
        Some(_) => format!("{} behind", describe_lag(link.lag)),
        None => "no recovery point yet".to_owned(),
    };
    let pause = if paused { "resume" } else { "pause" };
    let task = Task::over(outcome).refreshing();
    let toggle = {
        let (pod, remote_pod) = (pod.clone(), remote_pod.clone());
        move |_| {
            let (array, pod, remote_pod) = (array.get_untracked(), pod.clone(), remote_pod.clone());
            let done = format!(
                "The link of {pod} is {}.",
                if paused { "resumed" } else { "paused" }
            );
            task.call(
                format!("Asking the array to {pause} the link…"),
                &[],
                async move { api::set_pod_link_paused(&array, &pod, &remote_pod, pause, None).await },
                move |answer| done_outcome(answer, |_| Outcome::Done(done)),
            );
        }
    };
    let unlink_reason = Reason::for_action(Action::PodUnlink);
    let unlink = {
        let (pod, remote_pod) = (pod.clone(), remote_pod.clone());
        Callback::new(move |()| {
            let (array, pod, remote_pod) = (array.get_untracked(), pod.clone(), remote_pod.clone());
            let why = unlink_reason.take();
            let done = format!("Deleted the link of {pod}.");
            task.call(
                "Deleting the link…",
                &[],
                async move { api::unlink_pod(&array, &pod, &remote_pod, why.as_deref()).await },
                move |answer| done_outcome(answer, |()| Outcome::Done(done)),
            );
        })
    };
    let pause_action = if paused {
        Action::PodResumeLink
    } else {
        Action::PodPauseLink
    };
    let question = format!("Delete the replica link of {pod} to {remote_pod} on {remote}?");
    view! {
        <div class="pod-link" data-remote-pod=remote_pod.clone()>
            <span>{format!("{arrow} {remote}: {remote_pod} ")}</span>
            <span class=format!("pill link-{status}")>{status.clone()}</span>
            <span class="lag">{format!(" {lag}")}</span>
            <Show when=move || outbound && session.may(pause_action)>
                <button type="button" class="secondary pod-link-pause" on:click=toggle.clone() disabled=move || task.running()>
                    {if paused { "Resume" } else { "Pause" }}
                </button>
            </Show>
            <Show when=move || outbound && session.may(Action::PodUnlink)>
                <Confirm
                    label="Delete link…"
                    class="secondary pod-unlink"
                    question=question.clone()
                    details="Replication between the two pods stops; both arrays forget the link. What reached the other pod stays there."
                    confirm_label="Delete link"
                    task
                    reason=unlink_reason
                    on_confirm=unlink
                />
            </Show>
        </div>
    }
}

/// Whether a pod can start replicating: promoted, not destroyed, without a link.
fn linkable(detail: &PodDetail) -> bool {
    detail.pod.is_promoted() && detail.pod.destroyed != Some(true) && detail.links.is_empty()
}

/// Replicate a pod to another array the portal manages: the pod, the array, and the pod
/// there (made and demoted when it does not exist).
#[component]
fn LinkPod(array: Memo<String>, pods: Vec<PodDetail>, outcome: RwSignal<Outcome>) -> impl IntoView {
    let candidates: Vec<String> = pods
        .iter()
        .filter(|detail| linkable(detail))
        .map(|detail| detail.pod.name.clone())
        .collect();
    if candidates.is_empty() || !expect_context::<Session>().may(Action::PodLink) {
        return None;
    }
    let pod = RwSignal::new(candidates[0].clone());
    let remote = RwSignal::new(String::new());
    let remote_pod = RwSignal::new(String::new());
    let errors = FieldErrors::new(&["pod", "remote", "remote_pod"]);
    let task = Task::over(outcome).refreshing();
    let reason = Reason::for_action(Action::PodLink);
    let others = other_arrays(array);
    let submit = task.on_submit(move || {
        let here = array.get_untracked();
        let source = pod.get_untracked();
        let wanted = remote_pod.get_untracked();
        let request = LinkPodRequest {
            remote: remote.get_untracked(),
            remote_pod: if wanted.trim().is_empty() {
                format!("{source}-dr")
            } else {
                wanted
            },
        };
        let Some(request) = errors.checked(
            request,
            |request| validate_link_pod(&here, request).map(drop),
            task.outcome,
        ) else {
            return;
        };
        let why = reason.take();
        let done = format!(
            "{source} replicates to {} on {}: the first copy is on its way.",
            request.remote_pod, request.remote
        );
        task.call(
            format!("Linking {source}…"),
            &errors.all(),
            async move { api::link_pod(&here, &source, &request, why.as_deref()).await },
            move |answer| done_outcome(answer, |_| Outcome::Done(done)),
        );
    });
    Some(view! {
        <div class="card">
            <form class="inline" id="link-pod" on:submit=submit novalidate>
                {pod_select("link-pod-name", "Replicate pod", candidates, pod)}
                <Picker id="link-remote" label="To array" placeholder="fa-dr-01" value=remote error=errors.of("remote") options=others />
                <Field id="link-remote-pod" label="Pod there (made and demoted if new)" placeholder="blank: the pod's name and -dr" value=remote_pod error=errors.of("remote_pod") />
                {move || reason.held().then(|| view! {
                    <label>
                        <span>"Reason: a second person approves the link before it is made"</span>
                        <textarea id="link-reason" rows="2" maxlength="500" bind:value=reason.text></textarea>
                    </label>
                })}
                <SubmitButton id="link-pod-submit" label="Replicate" outcome=task.outcome />
            </form>
            <p class="hint">"The arrays must be connected (Replication tab). ActiveDR sends the pod's volumes continuously; the pod there refuses writes until promoted."</p>
        </div>
    })
}

/// A stretched pod's arrays, each with its state and whether it reaches the mediator, and
/// taking it off the other array.
#[component]
fn StretchLine(
    array: Memo<String>,
    pod: String,
    arrays: Vec<PodArrayStatus>,
    outcome: RwSignal<Outcome>,
) -> impl IntoView {
    let session = expect_context::<Session>();
    let here = array.get_untracked();
    let other = arrays
        .iter()
        .filter_map(|member| member.name.clone())
        .find(|name| !name.eq_ignore_ascii_case(&here))
        .unwrap_or_default();
    let members = arrays
        .iter()
        .map(|member| {
            let name = member.name.clone().unwrap_or_default();
            let status = member.status.clone().unwrap_or_else(|| "unknown".into());
            let mediator = member
                .mediator_status
                .clone()
                .unwrap_or_else(|| "unknown".into());
            view! {
                <li data-member=name.clone()>
                    {format!("{name}: ")}<span class=format!("pill member-{status}")>{status.clone()}</span>
                    {format!(", mediator {mediator}")}
                </li>
            }
        })
        .collect_view();
    let task = Task::over(outcome).refreshing();
    let reason = Reason::for_action(Action::PodUnstretch);
    let unstretch = {
        let (pod, other) = (pod.clone(), other.clone());
        Callback::new(move |()| {
            let (array, pod) = (array.get_untracked(), pod.clone());
            let request = StretchPodRequest {
                remote: other.clone(),
            };
            let why = reason.take();
            let done = format!("{pod} is no longer on {}.", request.remote);
            task.call(
                format!("Taking {pod} off {}…", request.remote),
                &[],
                async move {
                    api::set_pod_stretch(&array, &pod, "unstretch", &request, why.as_deref()).await
                },
                move |answer| done_outcome(answer, |()| Outcome::Done(done)),
            );
        })
    };
    let question = format!("Take {pod} off {other}?");
    view! {
        <div class="pod-stretch">
            <span>"Stretched (ActiveCluster):"</span>
            <ul class="plain">{members}</ul>
            <Show when=move || session.may(Action::PodUnstretch)>
                <Confirm
                    label="Unstretch…"
                    class="secondary pod-unstretch"
                    question=question.clone()
                    details="Synchronous replication stops: the pod stays here with its volumes, and the other array keeps only a destroyed copy (POD.restretch) of what it held, eradicated after the recycle bin's delay. Hosts connected there lose the pod's volumes."
                    confirm_label="Unstretch pod"
                    task
                    reason
                    on_confirm=unstretch
                />
            </Show>
        </div>
    }
}

/// Stretch a pod to another array the portal manages (connected for sync-replication).
#[component]
fn StretchPod(
    array: Memo<String>,
    pods: Vec<PodDetail>,
    outcome: RwSignal<Outcome>,
) -> impl IntoView {
    let candidates: Vec<String> = pods
        .iter()
        .filter(|detail| linkable(detail) && !detail.pod.is_stretched())
        .map(|detail| detail.pod.name.clone())
        .collect();
    if candidates.is_empty() || !expect_context::<Session>().may(Action::PodStretch) {
        return None;
    }
    let pod = RwSignal::new(candidates[0].clone());
    let remote = RwSignal::new(String::new());
    let errors = FieldErrors::new(&["remote"]);
    let task = Task::over(outcome).refreshing();
    let reason = Reason::for_action(Action::PodStretch);
    let others = other_arrays(array);
    let submit = task.on_submit(move || {
        let here = array.get_untracked();
        let source = pod.get_untracked();
        let request = StretchPodRequest {
            remote: remote.get_untracked(),
        };
        let Some(request) = errors.checked(
            request,
            |request| validate_stretch_pod(&here, request).map(drop),
            task.outcome,
        ) else {
            return;
        };
        let why = reason.take();
        let done = format!(
            "{source} is stretched to {}: both arrays take its writes.",
            request.remote
        );
        task.call(
            format!("Stretching {source}…"),
            &errors.all(),
            async move {
                api::set_pod_stretch(&here, &source, "stretch", &request, why.as_deref()).await
            },
            move |answer| done_outcome(answer, |()| Outcome::Done(done)),
        );
    });
    Some(view! {
        <div class="card">
            <form class="inline" id="stretch-pod" on:submit=submit novalidate>
                {pod_select("stretch-pod-name", "Stretch pod", candidates, pod)}
                <Picker id="stretch-remote" label="Over array" placeholder="fa-dr-01" value=remote error=errors.of("remote") options=others />
                {move || reason.held().then(|| view! {
                    <label>
                        <span>"Reason: a second person approves the stretch before it is made"</span>
                        <textarea id="stretch-reason" rows="2" maxlength="500" bind:value=reason.text></textarea>
                    </label>
                })}
                <SubmitButton id="stretch-pod-submit" label="Stretch" outcome=task.outcome />
            </form>
            <p class="hint">"ActiveCluster: the arrays must be connected for synchronous replication. Both hold the pod and take its writes; the mediator decides which stays online if they lose each other."</p>
        </div>
    })
}

/// How far behind each linked pod has been over the last hour, one chart per pod.
#[component]
fn LagCharts(array: Memo<String>, pods: Vec<PodDetail>) -> impl IntoView {
    pods.into_iter()
        .filter(|detail| !detail.links.is_empty())
        .map(|detail| {
            let pod = detail.pod.name;
            let history = {
                let pod = pod.clone();
                live_resource(move || {
                    let (array, pod) = (array.get(), pod.clone());
                    async move { api::pod_lag(&array, &pod).await }
                })
            };
            let chart_id = format!("pod-lag-{pod}");
            view! {
                <section class="pod-lag" data-pod=pod.clone()>
                    <h2>{format!("Replication lag of {pod}, last hour")}</h2>
                    <Loaded resource=history loading="Asking the array for the link's lag…" let:history>
                        <TimeChart
                            id=chart_id.clone()
                            title="Behind the source"
                            unit=Unit::Lag
                            start=history.start_time
                            end=history.end_time
                            times=history.points.iter().map(|point| point.time).collect()
                            series=vec![
                                Series { label: "Average", class: "s-read", values: history.points.iter().map(|point| point.avg_ms as f64).collect() },
                                Series { label: "Most", class: "s-write", values: history.points.iter().map(|point| point.max_ms as f64).collect() },
                            ]
                        />
                    </Loaded>
                </section>
            }
        })
        .collect_view()
}

/// A choice of one of `candidates`, kept in `chosen`.
fn pod_select(
    id: &'static str,
    label: &'static str,
    candidates: Vec<String>,
    chosen: RwSignal<String>,
) -> impl IntoView {
    let options = candidates
        .into_iter()
        .map(|name| view! { <option value=name.clone()>{name.clone()}</option> })
        .collect_view();
    view! {
        <label>
            <span>{label}</span>
            <select id=id on:change=move |event| chosen.set(event_target_value(&event))>
                {options}
            </select>
        </label>
    }
}
