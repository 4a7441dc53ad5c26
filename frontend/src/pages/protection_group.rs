//! One protection group: members, schedule and retention in plain words, snapshot now, its
//! snapshots with the volumes inside each (restore or copy one or all), destroy and recover.

use std::collections::BTreeSet;

use leptos::prelude::*;

use crate::components::live::Answer;
use shared::api::{
    Action, ConnectionQuery, CopyRequest, GroupSnapshotDetail, GroupSnapshotRequest, MemberKind,
    MembersRequest, ProtectionGroupDetail, RestoreRequest, describe_retention, describe_schedule,
    time_of_day,
};
use shared::flasharray::{
    ProtectionGroupPatch, RetentionPolicyPatch, SnapshotSchedulePatch, VolumeSnapshot,
};
use shared::size::format_size;

use crate::api::{self, ApiResult, Done};
use crate::components::field::{NameChecklist, Named, names_on_array};
use crate::components::outcome::SubmitButton;
use crate::components::{
    Confirm, Field, Live, Loaded, Outcome, OutcomeLine, Picker, Reason, Strength, Task, Timestamp,
    done_outcome, object_resource, use_array, use_kept_for, use_param, use_safemode_kept_for,
};
use crate::pages::hosts::split_ports;
use crate::pages::replication::{GroupTargets, ReplicationSettings};
use crate::session::Session;

const MINUTE_MS: u64 = 60_000;
const HOUR_MS: u64 = 60 * MINUTE_MS;
const DAY_MS: u64 = 24 * HOUR_MS;

#[component]
pub fn ProtectionGroupPage() -> impl IntoView {
    let session = expect_context::<Session>();
    let array = use_array();
    let name = use_param("group");
    let detail = object_resource(array, name, |array, name| async move {
        api::protection_group(&array, &name).await
    });
    let snapshots = object_resource(array, name, |array, name| async move {
        api::group_snapshots(&array, &name).await
    });
    let outcome = RwSignal::new(Outcome::Idle);
    // Another array's group replicated here is `SOURCE:GROUP`, a name no local group can have.
    let source = Memo::new(move |_| {
        name.get()
            .split_once(':')
            .map(|(source, _)| source.to_owned())
    });
    let replicated = move || {
        source.get().map(|source| {
            view! {
                <p class="hint" id="pg-replicated">
                    "Replicated here from " <strong>{source}</strong>
                    ": its members, schedule and targets are set there. To recover its data on this array, copy a snapshot to a new volume."
                </p>
            }
        })
    };
    let locked = Signal::derive(move || {
        detail.get().and_then(Result::ok).is_some_and(|detail| {
            detail.group.retention_lock.as_deref() == Some(shared::flasharray::RATCHETED)
        })
    });
    view! {
        <h1>"Protection group " <span id="pg-title">{name}</span></h1>
        <OutcomeLine id="pg-outcome" outcome />
        <Show when=move || source.get().is_none() fallback=replicated>
            <Loaded resource=detail let:detail>
                <GroupSettings array detail outcome />
            </Loaded>
            <GroupTargets array group=name />
        </Show>
        <h2>"Snapshots"</h2>
        <Show when=move || session.may(Action::ProtectionGroupSnapshot) && source.get().is_none()>
            <SnapshotNow array group=name outcome />
        </Show>
        <Loaded resource=snapshots loading="Loading snapshots…" let:details>
            <GroupSnapshots array details outcome locked />
        </Loaded>
    }
}

fn frequency_parts(frequency: u64) -> (String, &'static str) {
    if frequency.is_multiple_of(DAY_MS) {
        ((frequency / DAY_MS).to_string(), "days")
    } else if frequency.is_multiple_of(HOUR_MS) {
        ((frequency / HOUR_MS).to_string(), "hours")
    } else {
        ((frequency / MINUTE_MS).to_string(), "minutes")
    }
}

fn unit_ms(unit: &str) -> u64 {
    match unit {
        "days" => DAY_MS,
        "hours" => HOUR_MS,
        _ => MINUTE_MS,
    }
}

/// `02:30` as milliseconds after midnight.
/// "02:30" as seconds after midnight, as a schedule's `at`.
fn parse_time_of_day(text: &str) -> Result<u64, String> {
    let (hours, minutes) = text
        .split_once(':')
        .ok_or_else(|| format!("{text:?} is not a time such as 02:30"))?;
    let hours: u64 = hours
        .parse()
        .map_err(|_| format!("{text:?} is not a time such as 02:30"))?;
    let minutes: u64 = minutes
        .parse()
        .map_err(|_| format!("{text:?} is not a time such as 02:30"))?;
    if hours > 23 || minutes > 59 {
        return Err(format!("{text:?} is not a time of day"));
    }
    Ok(hours * 3600 + minutes * 60)
}

#[component]
fn GroupSettings(
    array: Memo<String>,
    detail: ProtectionGroupDetail,
    outcome: RwSignal<Outcome>,
) -> impl IntoView {
    let session = expect_context::<Session>();
    let task = Task::over(outcome);
    let kept_for = use_kept_for();
    let group = detail.group.clone();
    let group_name = group.name.clone();
    let change = {
        let group_name = group_name.clone();
        move |patch: ProtectionGroupPatch, label: &'static str| {
            let (array, group) = (array.get_untracked(), group_name.clone());
            task.refreshing().call(
                format!("{label}…"),
                &[],
                async move { api::change_protection_group(&array, &group, &patch).await },
                move |_| Outcome::Done(format!("{label}: done.")),
            );
        }
    };

    let (every_value, every_unit) = frequency_parts(group.snapshot_schedule.frequency);
    let every = RwSignal::new(every_value);
    let unit = RwSignal::new(every_unit.to_owned());
    let at = RwSignal::new(
        group
            .snapshot_schedule
            .at
            .map(time_of_day)
            .unwrap_or_default(),
    );
    let enabled = RwSignal::new(group.snapshot_schedule.enabled);
    let schedule_error = RwSignal::new(None::<String>);
    let save_schedule = {
        let change = change.clone();
        task.on_submit(move || {
            schedule_error.set(None);
            let Ok(count) = every.get_untracked().trim().parse::<u64>() else {
                schedule_error.set(Some("Give how often as a whole number.".into()));
                return;
            };
            let at_text = at.get_untracked().trim().to_owned();
            // The array uses a time of day only for schedules of whole days.
            let at_seconds = if at_text.is_empty() || unit.get_untracked() != "days" {
                None
            } else {
                match parse_time_of_day(&at_text) {
                    Ok(seconds) => Some(seconds),
                    Err(message) => {
                        schedule_error.set(Some(message));
                        return;
                    }
                }
            };
            let patch = ProtectionGroupPatch {
                snapshot_schedule: Some(SnapshotSchedulePatch {
                    enabled: Some(enabled.get_untracked()),
                    frequency: Some(count * unit_ms(&unit.get_untracked())),
                    at: at_seconds,
                }),
                ..ProtectionGroupPatch::default()
            };
            change(patch, "Saving the schedule");
        })
    };

    let retention = group.source_retention;
    let schedule_frequency = group.snapshot_schedule.frequency;
    let (all_value, all_unit) = frequency_parts(retention.all_for_sec * 1000);
    let keep_all = RwSignal::new(all_value);
    let keep_all_unit = RwSignal::new(all_unit.to_owned());
    let per_day = RwSignal::new(retention.per_day.to_string());
    let days = RwSignal::new(retention.days.to_string());
    let retention_error = RwSignal::new(None::<String>);
    let save_retention = {
        let change = change.clone();
        task.on_submit(move || {
            retention_error.set(None);
            let number = |signal: RwSignal<String>| signal.get_untracked().trim().parse::<u64>();
            let (Ok(all), Ok(per_day), Ok(days)) =
                (number(keep_all), number(per_day), number(days))
            else {
                retention_error.set(Some("Give each number as a whole number.".into()));
                return;
            };
            // More a day than the schedule takes would keep snapshots that never exist.
            let taken_a_day = DAY_MS / schedule_frequency.max(1);
            if schedule_frequency <= DAY_MS && per_day > taken_a_day {
                retention_error.set(Some(format!(
                    "The schedule takes {taken_a_day} a day: keep at most {taken_a_day} a day, or take them more often."
                )));
                return;
            }
            let patch = ProtectionGroupPatch {
                source_retention: Some(RetentionPolicyPatch {
                    all_for_sec: Some(all * unit_ms(&keep_all_unit.get_untracked()) / 1000),
                    per_day: Some(per_day),
                    days: Some(days),
                }),
                ..ProtectionGroupPatch::default()
            };
            change(patch, "Saving the retention");
        })
    };
    let ratcheted = group.retention_lock.as_deref() == Some(shared::flasharray::RATCHETED);
    let lock_reason = Reason::for_action(Action::ProtectionGroupLockRetention);
    let lock_retention = {
        let group_name = group_name.clone();
        Callback::new(move |()| {
            let (array, group) = (array.get_untracked(), group_name.clone());
            let why = lock_reason.take();
            task.refreshing().call(
                "Locking the retention…",
                &[],
                async move { api::lock_retention(&array, &group, why.as_deref()).await },
                move |answer| {
                    done_outcome(answer, |_| {
                        Outcome::Done(
                            "Retention locked: SafeMode protects the group's snapshots.".into(),
                        )
                    })
                },
            );
        })
    };
    let lock_name = group_name.clone();
    let lock_question = format!(
        "Lock the retention of {group_name} on {}?",
        array.get_untracked()
    );
    let destroyed = group.destroyed;
    let set_destroyed = {
        let change = change.clone();
        move || {
            let patch = ProtectionGroupPatch {
                destroyed: Some(!destroyed),
                ..ProtectionGroupPatch::default()
            };
            change(
                patch,
                if destroyed {
                    "Recovering the group"
                } else {
                    "Destroying the group"
                },
            );
        }
    };

    view! {
        <dl class="facts" id="pg-facts">
            <dt>"Protects"</dt>
            <dd id="pg-members-summary">
                {match detail.member_kind {
                    Some(kind) => format!("{}: {}", kind.label(), detail.members.join(", ")),
                    None => "nothing yet".to_owned(),
                }}
            </dd>
            <dt>"Schedule (array's clock)"</dt>
            <dd id="pg-schedule-summary">{describe_schedule(&group.snapshot_schedule)}</dd>
            <dt>"Retention"</dt>
            <dd id="pg-retention-summary">{describe_retention(&group.source_retention)}</dd>
            <dt>"SafeMode"</dt>
            <dd id="pg-retention-lock">
                {if ratcheted {
                    "retention locked: the array refuses to destroy the group, eradicate its snapshots, turn its schedules off, keep less, or remove members or targets"
                } else {
                    "off"
                }}
            </dd>
            <dt>"State"</dt>
            <dd id="pg-state">{if destroyed { "destroyed (recover it, or an admin eradicates it from the recycle bin)" } else { "active" }}</dd>
        </dl>
        <Show when=move || !ratcheted && session.may(Action::ProtectionGroupLockRetention)>
            <Confirm
                id="pg-lock-retention"
                label="Lock retention (SafeMode)…"
                question=lock_question.clone()
                details="The array then refuses to destroy the group or eradicate its snapshots, to turn its schedules off, to keep snapshots for less, or to remove members or targets. Only Pure Technical Services can unlock it."
                confirm_label="Lock retention"
                strength=Strength::Irreversible(lock_name.clone())
                task
                reason=lock_reason
                on_confirm=lock_retention
            />
        </Show>
        <Show when=move || session.may(Action::ProtectionGroupChange)>
            <Members array group=group_name.clone() detail=detail.clone() outcome />
            <div class="grid">
                <form class="card stack" id="schedule-form" on:submit=save_schedule.clone() novalidate>
                    <h3>"Snapshot schedule"</h3>
                    <label class="check">
                        <input id="schedule-enabled" type="checkbox" bind:checked=enabled />
                        "Take snapshots on this schedule"
                    </label>
                    <div class="inline">
                        <label><span>"Every"</span><input id="schedule-every" bind:value=every size="4" /></label>
                        <label>
                            <span>"Unit"</span>
                            <select id="schedule-unit" on:change=move |event| unit.set(event_target_value(&event))>
                                {["minutes", "hours", "days"].map(|option| view! { <option value=option selected=move || unit.get() == option>{option}</option> }).collect_view()}
                            </select>
                        </label>
                        <label><span>"At (days only)"</span><input id="schedule-at" bind:value=at placeholder="02:00" size="6" disabled=move || unit.get() != "days" /></label>
                    </div>
                    {move || schedule_error.get().map(|message| view! { <span id="schedule-error" class="field-error" role="alert">{message}</span> })}
                    <p class="muted">"Times are in the array's clock."</p>
                    <SubmitButton id="schedule-save" label="Save schedule" outcome />
                </form>
                <form class="card stack" id="retention-form" on:submit=save_retention.clone() novalidate>
                    <h3>"Retention"</h3>
                    <div class="inline">
                        <label><span>"Keep every snapshot for"</span><input id="retention-all" bind:value=keep_all size="4" /></label>
                        <label>
                            <span>"Unit"</span>
                            <select id="retention-all-unit" on:change=move |event| keep_all_unit.set(event_target_value(&event))>
                                {["minutes", "hours", "days"].map(|option| view! { <option value=option selected=move || keep_all_unit.get() == option>{option}</option> }).collect_view()}
                            </select>
                        </label>
                    </div>
                    <div class="inline">
                        <label><span>"then keep per day"</span><input id="retention-per-day" bind:value=per_day size="4" /></label>
                        <label><span>"for days"</span><input id="retention-days" bind:value=days size="4" /></label>
                    </div>
                    {move || retention_error.get().map(|message| view! { <span id="retention-error" class="field-error" role="alert">{message}</span> })}
                    <SubmitButton id="retention-save" label="Save retention" outcome />
                </form>
                <ReplicationSettings
                    array
                    group=group_name.clone()
                    schedule=group.replication_schedule
                    retention=group.target_retention
                    outcome
                />
            </div>
            {if destroyed {
                let recover = set_destroyed.clone();
                view! { <button id="pg-destroy" class="secondary" on:click=move |_| recover()>"Recover group"</button> }.into_any()
            } else {
                let destroy = set_destroyed.clone();
                view! {
                    <Confirm
                        id="pg-destroy"
                        label="Destroy group…"
                        question=format!("Destroy protection group {group_name} on {}?", array.get_untracked())
                        details=Signal::derive(move || format!("Its schedule stops and its snapshots are destroyed with it. The array keeps it {}; recover it here or from the recycle bin until then.", kept_for.get()))
                        confirm_label="Destroy group"
                        on_confirm=Callback::new(move |()| destroy())
                    />
                }
                .into_any()
            }}
        </Show>
    }
}

#[component]
fn Members(
    array: Memo<String>,
    group: String,
    detail: ProtectionGroupDetail,
    outcome: RwSignal<Outcome>,
) -> impl IntoView {
    let task = Task::over(outcome);
    let kind = RwSignal::new(detail.member_kind.unwrap_or(MemberKind::Volumes));
    let names = RwSignal::new(String::new());
    let names_error = RwSignal::new(None::<String>);
    let ticked = RwSignal::new(BTreeSet::<String>::new());
    let run = {
        let group = group.clone();
        move |adding: bool, request: MembersRequest| {
            let (array, group) = (array.get_untracked(), group.clone());
            let running = if adding {
                "Adding members…"
            } else {
                "Removing a member…"
            };
            task.refreshing().call(
                running,
                &[("names", names_error)],
                async move {
                    if adding {
                        api::add_members(&array, &group, &request).await
                    } else {
                        api::remove_members(&array, &group, &request).await
                    }
                },
                move |_| {
                    names.set(String::new());
                    ticked.set(BTreeSet::new());
                    Outcome::Done("Members saved.".into())
                },
            );
        }
    };
    let add = {
        let run = run.clone();
        task.on_submit(move || {
            names_error.set(None);
            let mut list: Vec<String> = ticked.get_untracked().into_iter().collect();
            for typed in split_ports(&names.get_untracked()) {
                if !list.contains(&typed) {
                    list.push(typed);
                }
            }
            if list.is_empty() {
                names_error.set(Some("Tick or name at least one.".into()));
                return;
            }
            run(
                true,
                MembersRequest {
                    kind: kind.get_untracked(),
                    names: list,
                },
            );
        })
    };
    let member_kind = detail.member_kind;
    let members = detail.members.clone();
    let listed = detail
        .members
        .into_iter()
        .map(|member| {
            let run = run.clone();
            let removed = member.clone();
            let question = format!("Remove {member} from the group?");
            let remove = Callback::new(move |()| {
                if let Some(kind) = member_kind {
                    run(
                        false,
                        MembersRequest {
                            kind,
                            names: vec![removed.clone()],
                        },
                    );
                }
            });
            view! {
                <li data-member=member.clone()>
                    {member.clone()}
                    <Confirm
                        label="Remove…"
                        class="link remove-member"
                        question=question.clone()
                        details="The group stops protecting it from the next snapshot on; snapshots already taken stay. Add it again to undo."
                        confirm_label="Remove from group"
                        on_confirm=remove
                    />
                </li>
            }
        })
        .collect_view();
    let kind_value = move |value: &str| match value {
        "hosts" => MemberKind::Hosts,
        "host_groups" => MemberKind::HostGroups,
        _ => MemberKind::Volumes,
    };
    let offered = names_on_array(
        array,
        Signal::derive(move || match kind.get() {
            MemberKind::Volumes => Named::Volumes,
            MemberKind::Hosts => Named::Hosts,
            MemberKind::HostGroups => Named::HostGroups,
        }),
    );
    // Names ticked for one kind mean nothing for another.
    Effect::new(move |_| {
        kind.track();
        ticked.set(BTreeSet::new());
    });
    view! {
        <ul id="pg-members" class="ports">{listed}</ul>
        <form class="card inline" id="add-members" on:submit=add novalidate>
            <label>
                <span>"Protect"</span>
                <select id="member-kind" on:change=move |event| kind.set(kind_value(&event_target_value(&event)))>
                    <option value="volumes">"volumes"</option>
                    <option value="hosts">"hosts"</option>
                    <option value="host_groups">"host groups"</option>
                </select>
            </label>
            <NameChecklist id="member-choices" label="Tick the ones to protect" options=offered taken=Signal::derive(move || members.clone()) chosen=ticked />
            <Picker id="member-names" label="Or type names (comma-separated)" placeholder="vol1, vol2" value=names error=names_error options=offered />
            <SubmitButton id="member-add" label="Add" outcome />
        </form>
    }
}

#[component]
fn SnapshotNow(
    array: Memo<String>,
    group: Memo<String>,
    outcome: RwSignal<Outcome>,
) -> impl IntoView {
    let task = Task::over(outcome);
    let suffix = RwSignal::new(String::new());
    let suffix_error = RwSignal::new(None::<String>);
    let apply_retention = RwSignal::new(false);
    let replicate_now = RwSignal::new(false);
    let submit = task.on_submit(move || {
        suffix_error.set(None);
        let text = suffix.get_untracked().trim().to_owned();
        let request = GroupSnapshotRequest {
            suffix: (!text.is_empty()).then_some(text),
            apply_retention: apply_retention.get_untracked(),
            replicate_now: replicate_now.get_untracked(),
        };
        let sending = if request.replicate_now {
            " It is on its way to the group's targets."
        } else {
            ""
        };
        let (array, group) = (array.get_untracked(), group.get_untracked());
        task.refreshing().call(
            "Taking a group snapshot…",
            &[("suffix", suffix_error)],
            async move { api::snapshot_group(&array, &group, &request).await },
            move |detail| {
                suffix.set(String::new());
                Outcome::Done(format!(
                    "Took {} ({} volume snapshot(s)).{sending}",
                    detail.snapshot.name,
                    detail.volumes.len()
                ))
            },
        );
    });
    view! {
        <form class="card inline" id="snapshot-now" on:submit=submit novalidate>
            <Field id="pg-suffix" label="Suffix (optional)" placeholder="before-patch" value=suffix error=suffix_error />
            <label class="check">
                <input id="pg-apply-retention" type="checkbox" bind:checked=apply_retention />
                "Let retention prune it like scheduled snapshots"
            </label>
            <label class="check">
                <input id="pg-replicate-now" type="checkbox" bind:checked=replicate_now />
                "Replicate now to the group's targets"
            </label>
            <SubmitButton id="pg-snapshot-now" label="Snapshot now" outcome />
        </form>
    }
}

/// Restores `target` from the volume snapshot `from`, with a safety snapshot; or copies it.
async fn restore_or_copy(
    array: &str,
    snapshot: &VolumeSnapshot,
    restore: bool,
) -> ApiResult<String> {
    let volume = snapshot.source.name.clone().unwrap_or_default();
    if restore {
        let request = RestoreRequest {
            snapshot: snapshot.name.clone(),
            safety_snapshot: true,
            overwrite: true,
        };
        // A held restore (`[approvals]`) is refused here for want of a reason: it is asked
        // for one volume at a time, from the volume's snapshots.
        api::restore(array, &volume, &request, None)
            .await
            .map(|done| match done {
                Done::Now(_) => format!("restored {volume}"),
                Done::Held(held) => format!(
                    "sent restoring {volume} for approval as request #{}",
                    held.id
                ),
            })
    } else {
        // A copy replicated from another array names its volume `SOURCE:VOLUME`.
        let local_name = volume.rsplit(':').next().unwrap_or_default();
        let request = CopyRequest {
            source: snapshot.name.clone(),
            name: format!("{local_name}-{}", snapshot.suffix),
        };
        api::copy(array, &request)
            .await
            .map(|copy| format!("copied to {}", copy.name))
    }
}

#[component]
fn GroupSnapshots(
    array: Memo<String>,
    details: Vec<GroupSnapshotDetail>,
    outcome: RwSignal<Outcome>,
    /// The group's retention is locked: SafeMode keeps a destroyed snapshot its own time.
    locked: Signal<bool>,
) -> impl IntoView {
    let session = expect_context::<Session>();
    let (kept_for, safemode_kept_for) = (use_kept_for(), use_safemode_kept_for());
    let destroy_details = Signal::derive(move || {
        if locked.get() {
            format!(
                "Its volume snapshots go with it. SafeMode keeps it {} and nobody can eradicate it sooner: its data goes only then.",
                safemode_kept_for.get()
            )
        } else {
            format!(
                "Its volume snapshots go with it. The array keeps it {}; recover it from the recycle bin until then.",
                kept_for.get()
            )
        }
    });
    let live = expect_context::<Live>();
    let task = Task::over(outcome);
    if details.is_empty() {
        return view! { <p class="muted" id="no-pg-snapshots">"No snapshots yet."</p> }.into_any();
    }
    let act = move |snapshots: Vec<VolumeSnapshot>, restore: bool| {
        let array = array.get_untracked();
        let running = if restore {
            "Restoring…"
        } else {
            "Copying…"
        };
        task.start(running, async move {
            let mut results = Vec::new();
            let mut failed = 0;
            for snapshot in &snapshots {
                let volume = snapshot.source.name.clone().unwrap_or_default();
                match restore_or_copy(&array, snapshot, restore).await {
                    Ok(text) => results.push(text),
                    Err(failure) => {
                        session.notice(&failure);
                        failed += 1;
                        results.push(format!("{volume} failed: {}", failure.error.message));
                    }
                }
            }
            live.changed();
            // A partial failure is a failure: the line says which volumes did not make it.
            if failed == 0 {
                Outcome::Done(format!("{}.", results.join("; ")))
            } else {
                Outcome::Failed(format!(
                    "{failed} of {} failed: {}.",
                    snapshots.len(),
                    results.join("; ")
                ))
            }
        });
    };
    let blocks = details
        .into_iter()
        .map(|detail| {
            let name = detail.snapshot.name.clone();
            // A copy replicated here has no volume of its own to restore: it is copied.
            let replica = name.contains(':');
            let confirm = RwSignal::new(false);
            let all = detail.volumes.clone();
            let volumes = detail
                .volumes
                .into_iter()
                .map(|snapshot| {
                    let key = snapshot.name.clone();
                    let for_restore = snapshot.clone();
                    let for_copy = snapshot.clone();
                    let label = key.clone();
                    view! {
                        <li data-volume-snapshot=key>
                            <span class="mono">{label}</span>
                            <Show when=move || session.may(Action::VolumeCopy)>
                                <button class="secondary copy-one" on:click={
                                    let snapshot = for_copy.clone();
                                    move |_| act(vec![snapshot.clone()], false)
                                }>"Copy to a new volume"</button>
                                <button class="danger restore-one" hidden=replica on:click={
                                    let snapshot = for_restore.clone();
                                    move |_| {
                                        if confirm.get_untracked() {
                                            act(vec![snapshot.clone()], true);
                                        } else {
                                            outcome.set(Outcome::Failed("Tick \"replace current contents\" to restore.".into()));
                                        }
                                    }
                                }>"Restore volume"</button>
                            </Show>
                        </li>
                    }
                })
                .collect_view();
            let destroy = {
                let name = name.clone();
                Callback::new(move |()| {
                    let (array, name) = (array.get_untracked(), name.clone());
                    let destroyed = name.clone();
                    task.refreshing().call(
                        format!("Destroying {name}…"),
                        &[],
                        async move { api::destroy_group_snapshot(&array, &destroyed).await },
                        move |()| {
                            Outcome::Done(format!("Destroyed {name}."))
                        },
                    );
                })
            };
            let destroy_question = format!("Destroy group snapshot {name} on {}?", array.get_untracked());
            let restore_all = {
                let all = all.clone();
                move |_| {
                    if confirm.get_untracked() {
                        act(all.clone(), true);
                    } else {
                        outcome.set(Outcome::Failed("Tick \"replace current contents\" to restore.".into()));
                    }
                }
            };
            let preview = StoredValue::new(all.clone());
            let copy_all = move |_| act(all.clone(), false);
            view! {
                <div class="card pg-snapshot" data-snapshot=name.clone()>
                    <h3>{name.clone()} <span class="muted">" — " <Timestamp epoch_ms=detail.snapshot.created /></span></h3>
                    <ul class="ports">{volumes}</ul>
                    <Show when=move || session.may(Action::VolumeRestore)>
                        <div class="inline">
                            <label class="check warning" hidden=replica>
                                <input class="confirm-overwrite" type="checkbox" bind:checked=confirm />
                                "replace current contents"
                            </label>
                            <button class="danger restore-all" hidden=replica on:click=restore_all.clone()>"Restore all volumes"</button>
                            <button class="secondary copy-all" on:click=copy_all.clone()>"Copy all volumes"</button>
                            <Confirm
                                label="Destroy…"
                                class="link destroy-snapshot"
                                question=destroy_question.clone()
                                details=destroy_details
                                confirm_label="Destroy snapshot"
                                on_confirm=destroy
                            />
                        </div>
                        <Show when=move || confirm.get() && !replica>
                            <GroupRestoreImpact array snapshots=preview.get_value() />
                        </Show>
                    </Show>
                </div>
            }
        })
        .collect_view();
    view! { <div id="pg-snapshots">{blocks}</div> }.into_any()
}

/// What restoring every volume of a group snapshot changes, read when the admin ticks
/// "replace current contents": each volume's size now and after, and the hosts that see the
/// restored contents at once.
#[component]
fn GroupRestoreImpact(array: Memo<String>, snapshots: Vec<VolumeSnapshot>) -> impl IntoView {
    let restored: Vec<(String, u64)> = snapshots
        .iter()
        .filter_map(|snapshot| Some((snapshot.source.name.clone()?, snapshot.provisioned)))
        .collect();
    let now = Answer::new(move || {
        let (array, restored) = (array.get(), restored.clone());
        async move {
            let connections = api::connections(&array, &ConnectionQuery::default()).await?;
            let mut rows = Vec::with_capacity(restored.len());
            for (volume, after) in restored {
                let size_now = api::volume(&array, &volume).await?.provisioned;
                let seen_by: Vec<String> = connections
                    .iter()
                    .filter(|connection| connection.volume.name.as_deref() == Some(volume.as_str()))
                    .filter_map(|connection| {
                        connection
                            .host_group
                            .name
                            .clone()
                            .or(connection.host.name.clone())
                    })
                    .collect();
                rows.push((volume, size_now, after, seen_by));
            }
            Ok(rows)
        }
    });
    view! {
        <Loaded resource=now loading="Reading what the restore would replace…" error_id="group-restore-impact-error" let:rows>
            <div class="group-restore-impact">
                <p>
                    "Restoring all replaces the contents of " {rows.len()}
                    " volumes; a safety snapshot of each is taken first. Hosts see the restored contents at once."
                </p>
                <ul>
                    {rows
                        .into_iter()
                        .map(|(volume, size_now, after, seen_by)| {
                            let hosts = if seen_by.is_empty() {
                                "not connected to any host".to_owned()
                            } else {
                                format!("seen by {}", seen_by.join(", "))
                            };
                            view! {
                                <li data-volume=volume.clone()>
                                    <span class="mono">{volume.clone()}</span>
                                    ": " {format_size(size_now)} " now, " {format_size(after)}
                                    " after; " {hosts}
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </div>
        </Loaded>
    }
}
