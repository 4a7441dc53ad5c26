//! Replication: an array's connections to other arrays (connecting it to another array the
//! portal manages, or disconnecting them), and where a protection group replicates.

use leptos::prelude::*;
use shared::api::{
    Action, AddTargetRequest, CONNECTION_TYPES, ConnectArraysRequest, TargetCopies, VolumeCopies,
    validate_add_target, validate_connect_arrays,
};
use shared::flasharray::{
    ArrayConnection, BlackoutPatch, ProtectionGroupPatch, ProtectionGroupSnapshot,
    ProtectionGroupSnapshotTransfer, ReplicationSchedule, ReplicationSchedulePatch,
    RetentionPolicy, RetentionPolicyPatch, Throttle, TimeWindow,
};
use shared::size::format_size;
use shared::time::describe_seconds;

use crate::api;
use crate::components::live::other_arrays;
use crate::components::outcome::SubmitButton;
use crate::components::table::EmptyState;
use crate::components::{
    Confirm, FieldErrors, Loaded, Outcome, OutcomeLine, Picker, PlainTable, Reason, Task,
    Timestamp, array_resource, done_outcome, object_resource, use_array,
};
use crate::session::Session;

#[component]
pub fn Replication() -> impl IntoView {
    let session = expect_context::<Session>();
    let array = use_array();
    let connections = array_resource(array, |array| async move {
        api::array_connections(&array).await
    });
    let disconnected = RwSignal::new(Outcome::Idle);
    view! {
        <h1>"Replication on " {array}</h1>
        <p class="hint">
            "Arrays connected here can receive this array's protection group snapshots and pods, and send theirs."
        </p>
        <Show when=move || session.may(Action::ArrayConnectionCreate)>
            <ConnectArray array />
        </Show>
        <OutcomeLine id="disconnect-outcome" outcome=disconnected />
        <Loaded resource=connections loading="Asking the array for its connections…" let:connections>
            <ConnectionTable array connections disconnected />
        </Loaded>
    }
}

#[component]
fn ConnectionTable(
    array: Memo<String>,
    connections: Vec<ArrayConnection>,
    disconnected: RwSignal<Outcome>,
) -> impl IntoView {
    let session = expect_context::<Session>();
    let empty = connections.is_empty().then(|| {
        view! {
            <EmptyState id="array-connections-empty" text="This array is not connected to another array." />
        }
    });
    let rows = connections
        .into_iter()
        .map(|connection| {
            let name = connection.name.clone();
            let remote = name.clone();
            let status = connection.status.clone().unwrap_or_default();
            let status_text = match status.as_str() {
                "connected" => "Connected".to_owned(),
                "connecting" => "Connecting: the other array does not answer".to_owned(),
                other => other.replace('_', " "),
            };
            let kind = connection.kind.clone().unwrap_or_default();
            let kind_text = CONNECTION_TYPES
                .iter()
                .find(|(known, _)| *known == kind)
                .map_or(kind.clone(), |(_, label)| (*label).to_owned());
            let purity = match (&connection.os, &connection.version) {
                (Some(os), Some(version)) => format!("{os} {version}"),
                (None, Some(version)) => version.clone(),
                _ => "not reported".to_owned(),
            };
            view! {
                <tr data-connection=name.clone()>
                    <td class="name">{name.clone()}</td>
                    <td class=format!("status {status}")>{status_text}</td>
                    <td class="type">{kind_text}</td>
                    <td>{purity}</td>
                    <td class="mono">{connection.management_address.clone().unwrap_or_default()}</td>
                    <td class="throttle">{describe_throttle(connection.throttle.as_ref())}</td>
                    <td class="actions">
                        <Show when=move || session.may(Action::ArrayConnectionDelete)>
                            <Disconnect array remote=remote.clone() outcome=disconnected />
                        </Show>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <PlainTable id="array-connections" headers=&["Array", "Status", "Replication", "Purity", "Management address", "Throttle", "Actions"]>{rows}</PlainTable>
        {empty}
    }
}

/// "unlimited", or the limits per second, the window's in the array's time of day.
fn describe_throttle(throttle: Option<&Throttle>) -> String {
    let Some(throttle) = throttle else {
        return "unlimited".to_owned();
    };
    let per_second = |bytes: u64| format!("{}/s", format_size(bytes));
    let always = throttle
        .default_limit
        .map_or("unlimited".to_owned(), per_second);
    match (throttle.window_limit, throttle.window) {
        (Some(limit), Some(window)) => format!(
            "{always}; {} from {} to {}",
            per_second(limit),
            time_of_day(window.start),
            time_of_day(window.end)
        ),
        _ => always,
    }
}

fn time_of_day(ms: u64) -> String {
    let minutes = ms / 60_000;
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

#[component]
fn Disconnect(array: Memo<String>, remote: String, outcome: RwSignal<Outcome>) -> impl IntoView {
    let task = Task::over(outcome).refreshing();
    let reason = Reason::for_action(Action::ArrayConnectionDelete);
    let disconnect = {
        let remote = remote.clone();
        Callback::new(move |()| {
            let (array, remote) = (array.get_untracked(), remote.clone());
            let why = reason.take();
            let done = format!("Disconnected {array} from {remote}.");
            task.call(
                format!("Disconnecting {remote}…"),
                &[],
                async move { api::disconnect_arrays(&array, &remote, why.as_deref()).await },
                move |answer| done_outcome(answer, |()| Outcome::Done(done)),
            );
        })
    };
    let question = Signal::derive({
        let remote = remote.clone();
        move || format!("Disconnect {} from {remote}?", array.get())
    });
    view! {
        <Confirm
            label="Disconnect…"
            class="secondary disconnect-array"
            question
            details="Replication between the two arrays stops: protection groups and pods that replicate to the other array wait until the arrays are connected again. Both arrays forget the connection; snapshots already replicated stay where they are."
            confirm_label="Disconnect arrays"
            task=task
            reason
            on_confirm=disconnect
        />
    }
}

#[component]
fn ConnectArray(array: Memo<String>) -> impl IntoView {
    let remote = RwSignal::new(String::new());
    let kind = RwSignal::new(CONNECTION_TYPES[0].0.to_owned());
    let errors = FieldErrors::new(&["remote", "type"]);
    let task = Task::new().refreshing();
    let others = other_arrays(array);
    let submit = task.on_submit(move || {
        let here = array.get_untracked();
        let request = ConnectArraysRequest {
            remote: remote.get_untracked(),
            kind: Some(kind.get_untracked()),
        };
        let Some(request) = errors.checked(
            request,
            |request| validate_connect_arrays(&here, request).map(drop),
            task.outcome,
        ) else {
            return;
        };
        task.call(
            format!("Connecting {here} to {}…", request.remote.trim()),
            &errors.all(),
            async move { api::connect_arrays(&here, &request).await },
            move |made| {
                remote.set(String::new());
                Outcome::Done(format!(
                    "Connected to {} ({}).",
                    made.name,
                    made.status.unwrap_or_default()
                ))
            },
        );
    });
    let type_error = errors.of("type");
    view! {
        <div class="card">
            <form class="inline" id="connect-array" on:submit=submit novalidate>
                <Picker id="connect-remote" label="Connect to array" placeholder="fa-dr-01" value=remote error=errors.of("remote") options=others />
                <label>
                    <span>"Replication"</span>
                    <select id="connect-type" on:change=move |event| kind.set(event_target_value(&event))>
                        {CONNECTION_TYPES
                            .iter()
                            .map(|(value, label)| view! { <option value=*value>{*label}</option> })
                            .collect_view()}
                    </select>
                </label>
                <SubmitButton id="connect-array-submit" label="Connect" outcome=task.outcome />
            </form>
            {move || type_error.get().map(|message| view! { <p id="connect-type-error" class="error" role="alert">{message}</p> })}
            <p class="hint">"Flashdeck reads the other array's connection key itself and hands it over: nobody needs to copy it."</p>
            <OutcomeLine id="connect-outcome" outcome=task.outcome />
        </div>
    }
}

/// A protection group's replication targets: the connected arrays it sends its snapshots to,
/// whether each allows it, adding one and removing one.
#[component]
pub fn GroupTargets(array: Memo<String>, group: Memo<String>) -> impl IntoView {
    let session = expect_context::<Session>();
    let replication = object_resource(array, group, |array, group| async move {
        api::group_replication(&array, &group).await
    });
    let removed = RwSignal::new(Outcome::Idle);
    view! {
        <h2>"Replication targets"</h2>
        <Show when=move || session.may(Action::ProtectionGroupAddTarget)>
            <AddTarget array group />
        </Show>
        <OutcomeLine id="remove-target-outcome" outcome=removed />
        <Loaded resource=replication loading="Asking the arrays where the group's copies are…" let:replication>
            <LastTransfer transfer=replication.last_transfer.clone() />
            <TargetTable array group targets=replication.targets.clone() removed />
        </Loaded>
    }
}

/// The newest snapshot the group sent: on its way (how far) or arrived (when, how much).
#[component]
fn LastTransfer(transfer: Option<ProtectionGroupSnapshotTransfer>) -> impl IntoView {
    transfer.map(|transfer| {
        view! {
            <p id="last-transfer" class="hint">
                "Last sent: " <strong>{transfer.name.clone()}</strong> ", " <TransferState transfer />
            </p>
        }
    })
}

/// A snapshot's way to a target: on its way with how far it got, or when it arrived; and
/// how much crossed.
#[component]
pub fn TransferState(transfer: ProtectionGroupSnapshotTransfer) -> impl IntoView {
    let sent = format_size(transfer.data_transferred.unwrap_or(0));
    match transfer.completed {
        Some(completed) => {
            view! { "arrived " <Timestamp epoch_ms=completed /> " (" {sent} " sent)" }.into_any()
        }
        None => {
            let percent = (transfer.progress.unwrap_or(0.0) * 100.0).floor();
            view! { {format!("on its way: {percent} % ({sent} sent)")} }.into_any()
        }
    }
}

/// A target's newest copy (its recovery point), or why the target's copies are not known.
#[component]
pub fn NewestCopy(
    unread: Option<String>,
    newest: Option<ProtectionGroupSnapshot>,
) -> impl IntoView {
    match (unread, newest) {
        (Some(why), _) => view! { <span class="muted">{why}</span> }.into_any(),
        (None, Some(newest)) => {
            view! { {newest.name} " · " <Timestamp epoch_ms=newest.created /> }.into_any()
        }
        (None, None) => view! { "None yet" }.into_any(),
    }
}

/// How far a copy is behind, in words; empty when there is none.
pub fn describe_lag(lag_ms: Option<i64>) -> String {
    lag_ms
        .map(|lag| describe_seconds(u64::try_from(lag / 1000).unwrap_or(0)))
        .unwrap_or_default()
}

#[component]
fn TargetTable(
    array: Memo<String>,
    group: Memo<String>,
    targets: Vec<TargetCopies>,
    removed: RwSignal<Outcome>,
) -> impl IntoView {
    let session = expect_context::<Session>();
    let empty = targets.is_empty().then(|| {
        view! {
            <EmptyState id="group-targets-empty" text="This group keeps its snapshots on this array only." />
        }
    });
    let rows = targets
        .into_iter()
        .map(|target| {
            let remote = target.target.clone();
            let allowed = match target.allowed {
                Some(true) => "Allowed",
                Some(false) => "Disallowed by the target",
                None => "Not reported",
            };
            let newest = view! { <NewestCopy unread=target.unread newest=target.newest /> };
            let lag = describe_lag(target.lag_ms);
            let removing = remote.clone();
            view! {
                <tr data-target=remote.clone()>
                    <td class="name">{remote.clone()}</td>
                    <td class="allowed">{allowed}</td>
                    <td class="copies">{target.copies}</td>
                    <td class="newest">{newest}</td>
                    <td class="lag">{lag}</td>
                    <td class="actions">
                        <Show when=move || session.may(Action::ProtectionGroupRemoveTarget)>
                            <RemoveTarget array group remote=removing.clone() outcome=removed />
                        </Show>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <PlainTable id="group-targets" headers=&["Target array", "Allowed", "Copies there", "Newest copy (recovery point)", "Behind by", "Actions"]>{rows}</PlainTable>
        {empty}
    }
}

#[component]
fn RemoveTarget(
    array: Memo<String>,
    group: Memo<String>,
    remote: String,
    outcome: RwSignal<Outcome>,
) -> impl IntoView {
    let task = Task::over(outcome).refreshing();
    let reason = Reason::for_action(Action::ProtectionGroupRemoveTarget);
    let remove = {
        let remote = remote.clone();
        Callback::new(move |()| {
            let (array, group, remote) =
                (array.get_untracked(), group.get_untracked(), remote.clone());
            let why = reason.take();
            let done = format!("{group} no longer replicates to {remote}.");
            task.call(
                format!("Removing {remote}…"),
                &[],
                async move {
                    api::remove_group_target(&array, &group, &remote, why.as_deref()).await
                },
                move |answer| done_outcome(answer, |()| Outcome::Done(done)),
            );
        })
    };
    let question = Signal::derive({
        let remote = remote.clone();
        move || format!("Stop replicating {} to {remote}?", group.get())
    });
    view! {
        <Confirm
            label="Remove…"
            class="secondary remove-target"
            question
            details="New snapshots of the group stop reaching that array. What it holds already stays there until its own retention or an admin removes it."
            confirm_label="Stop replicating"
            task=task
            reason
            on_confirm=remove
        />
    }
}

#[component]
fn AddTarget(array: Memo<String>, group: Memo<String>) -> impl IntoView {
    let remote = RwSignal::new(String::new());
    let errors = FieldErrors::new(&["remote"]);
    let task = Task::new().refreshing();
    let connected = array_resource(array, |array| async move {
        api::array_connections(&array).await
    });
    let options = Signal::derive(move || {
        connected
            .get()
            .and_then(Result::ok)
            .unwrap_or_default()
            .into_iter()
            .map(|connection| connection.name)
            .collect::<Vec<_>>()
    });
    let submit = task.on_submit(move || {
        let request = AddTargetRequest {
            remote: remote.get_untracked(),
        };
        let Some(request) = errors.checked(
            request,
            |request| validate_add_target(request).map(drop),
            task.outcome,
        ) else {
            return;
        };
        let (array, group) = (array.get_untracked(), group.get_untracked());
        task.call(
            format!("Adding {}…", request.remote.trim()),
            &errors.all(),
            async move { api::add_group_target(&array, &group, &request).await },
            move |added| {
                remote.set(String::new());
                let (group, target) = (
                    added.group.name.unwrap_or_default(),
                    added.member.name.unwrap_or_default(),
                );
                Outcome::Done(if added.allowed == Some(false) {
                    format!("{group} is set to replicate to {target}, but {target} does not allow it yet: allow it there.")
                } else {
                    format!("{group} now replicates to {target}.")
                })
            },
        );
    });
    view! {
        <div class="card">
            <form class="inline" id="add-target" on:submit=submit novalidate>
                <Picker id="target-remote" label="Replicate to" placeholder="fa-dr-01" value=remote error=errors.of("remote") options />
                <SubmitButton id="target-add" label="Add target" outcome=task.outcome />
            </form>
            <p class="hint">"Offered: the arrays this one is connected to (Replication tab). When Flashdeck manages the target too, it allows the group there."</p>
            <OutcomeLine id="add-target-outcome" outcome=task.outcome />
        </div>
    }
}

/// Whole hours of the day, for a blackout window's ends.
const HOURS: std::ops::Range<u64> = 0..24;
const HOUR_MS: u64 = 3_600_000;

/// The group's replication schedule (with its blackout window) and how long targets keep
/// what it sends, as one form.
#[component]
pub fn ReplicationSettings(
    array: Memo<String>,
    group: String,
    schedule: ReplicationSchedule,
    retention: RetentionPolicy,
    outcome: RwSignal<Outcome>,
) -> impl IntoView {
    let task = Task::over(outcome);
    let enabled = RwSignal::new(schedule.enabled);
    let every_hours = RwSignal::new((schedule.frequency / HOUR_MS).max(1).to_string());
    let window = schedule
        .blackout
        .filter(|window| window.start != window.end);
    let blackout_start = RwSignal::new(
        window
            .map(|w| (w.start / HOUR_MS).to_string())
            .unwrap_or_default(),
    );
    let blackout_end = RwSignal::new(
        window
            .map(|w| (w.end / HOUR_MS).to_string())
            .unwrap_or_default(),
    );
    let keep_days = RwSignal::new((retention.all_for_sec / 86_400).to_string());
    let per_day = RwSignal::new(retention.per_day.to_string());
    let days = RwSignal::new(retention.days.to_string());
    let error = RwSignal::new(None::<String>);
    let save = task.on_submit(move || {
        error.set(None);
        let number = |signal: RwSignal<String>| signal.get_untracked().trim().parse::<u64>();
        let (Ok(hours), Ok(keep_days), Ok(per_day), Ok(days)) =
            (number(every_hours), number(keep_days), number(per_day), number(days))
        else {
            error.set(Some("Give each number as a whole number.".into()));
            return;
        };
        let blackout = match (blackout_start.get_untracked(), blackout_end.get_untracked()) {
            (start, end) if start.is_empty() && end.is_empty() => BlackoutPatch::Clear(String::new()),
            (start, end) => match (start.parse::<u64>(), end.parse::<u64>()) {
                (Ok(start), Ok(end)) if start != end => BlackoutPatch::Window(TimeWindow {
                    start: start * HOUR_MS,
                    end: end * HOUR_MS,
                }),
                _ => {
                    error.set(Some("Choose both ends of the blackout window, or neither; they cannot be the same hour.".into()));
                    return;
                }
            },
        };
        let patch = ProtectionGroupPatch {
            replication_schedule: Some(ReplicationSchedulePatch {
                enabled: Some(enabled.get_untracked()),
                frequency: Some(hours * HOUR_MS),
                at: None,
                blackout: Some(blackout),
            }),
            target_retention: Some(RetentionPolicyPatch {
                all_for_sec: Some(keep_days * 86_400),
                per_day: Some(per_day),
                days: Some(days),
            }),
            ..ProtectionGroupPatch::default()
        };
        let (array, group) = (array.get_untracked(), group.clone());
        task.refreshing().call(
            "Saving the replication schedule…",
            &[],
            async move { api::change_protection_group(&array, &group, &patch).await },
            move |_| Outcome::Done("Saving the replication schedule: done.".into()),
        );
    });
    let hour_choice = move |id: &'static str, label: &'static str, value: RwSignal<String>| {
        view! {
            <label>
                <span>{label}</span>
                <select id=id on:change=move |event| value.set(event_target_value(&event))>
                    <option value="" selected=move || value.get().is_empty()>"—"</option>
                    {HOURS.map(|hour| {
                        let key = hour.to_string();
                        let chosen = key.clone();
                        view! { <option value=key selected=move || value.get() == chosen>{format!("{hour:02}:00")}</option> }
                    }).collect_view()}
                </select>
            </label>
        }
    };
    view! {
        <form class="card stack" id="replication-form" on:submit=save novalidate>
            <h3>"Replication schedule"</h3>
            <label class="check">
                <input id="replication-enabled" type="checkbox" bind:checked=enabled />
                "Send snapshots to the targets on this schedule"
            </label>
            <div class="inline">
                <label><span>"Every (hours)"</span><input id="replication-every" bind:value=every_hours size="4" /></label>
                {hour_choice("blackout-start", "Not from", blackout_start)}
                {hour_choice("blackout-end", "until", blackout_end)}
            </div>
            <div class="inline">
                <label><span>"Targets keep every copy for (days)"</span><input id="target-keep-days" bind:value=keep_days size="4" /></label>
                <label><span>"then per day"</span><input id="target-per-day" bind:value=per_day size="4" /></label>
                <label><span>"for days"</span><input id="target-days" bind:value=days size="4" /></label>
            </div>
            {move || error.get().map(|message| view! { <span id="replication-error" class="field-error" role="alert">{message}</span> })}
            <p class="muted">"Times are in the array's clock. In the blackout window nothing is sent; a copy behind then is not a breach."</p>
            <SubmitButton id="replication-save" label="Save replication" outcome />
        </form>
    }
}

/// Where a volume's copies are: for each protection group holding it, each target's newest
/// copy and how far behind it is.
#[component]
pub fn VolumeCopiesCard(array: Memo<String>, volume: Memo<String>) -> impl IntoView {
    let copies = object_resource(array, volume, |array, volume| async move {
        api::volume_copies(&array, &volume).await
    });
    view! {
        <h2>"Copies on other arrays"</h2>
        <Loaded resource=copies loading="Asking where the volume's copies are…" let:groups>
            <VolumeCopiesList groups />
        </Loaded>
    }
}

#[component]
fn VolumeCopiesList(groups: Vec<VolumeCopies>) -> impl IntoView {
    if groups.is_empty() {
        return view! {
            <EmptyState id="volume-copies-empty" text="No protection group holds this volume: its only copies are its own snapshots here." />
        }
        .into_any();
    }
    let items = groups
        .into_iter()
        .map(|copies| {
            let group = copies.group.clone();
            let targets = match (copies.unread, copies.replication) {
                (Some(why), _) => view! { <span class="muted">{why}</span> }.into_any(),
                (None, Some(replication)) if replication.targets.is_empty() => {
                    view! { "kept on this array only" }.into_any()
                }
                (None, Some(replication)) => replication
                    .targets
                    .into_iter()
                    .map(|target| {
                        let newest = match (&target.unread, &target.newest) {
                            (Some(why), _) => why.clone(),
                            (None, Some(newest)) => format!(
                                "newest copy {}, {} behind",
                                newest.name,
                                describe_lag(target.lag_ms)
                            ),
                            (None, None) => "no copy yet".to_owned(),
                        };
                        view! {
                            <span class="copy" data-target=target.target.clone()>
                                {format!("{}: {newest}", target.target)}
                            </span>
                        }
                    })
                    .collect_view()
                    .into_any(),
                (None, None) => view! { "not reported" }.into_any(),
            };
            view! {
                <li data-group=group.clone()>
                    <strong>{copies.group}</strong> " → " {targets}
                </li>
            }
        })
        .collect_view();
    view! { <ul id="volume-copies">{items}</ul> }.into_any()
}
