//! The capacity and protection report's schedule: the channel it goes through weekly, on
//! which day at which hour of the admin's time zone, and a button that sends it now.

use leptos::prelude::*;
use shared::api::{Channel, ReportSchedule as Schedule, ReportSettings, WEEKDAYS};

use crate::api;
use crate::components::{
    FieldErrors, Loaded, Outcome, Task, Timestamp, browser_utc_offset_minutes, hour_options,
    live_resource,
};

/// The report's settings; `task` saves them and `sending` sends the report now (both shown
/// by the caller, above what is drawn afresh).
#[component]
pub fn ReportSchedule(channels: Vec<Channel>, task: Task, sending: Task) -> impl IntoView {
    let settings = live_resource(api::report_settings);
    view! {
        <Loaded resource=settings loading="Loading the report's schedule…" let:settings>
            <ReportForm channels=channels.clone() settings task sending />
        </Loaded>
    }
}

#[component]
fn ReportForm(
    channels: Vec<Channel>,
    settings: ReportSettings,
    task: Task,
    sending: Task,
) -> impl IntoView {
    let current = settings.schedule;
    let channel = RwSignal::new(
        current
            .map(|schedule| schedule.channel.to_string())
            .unwrap_or_default(),
    );
    let weekday = RwSignal::new(current.map_or(1, |schedule| schedule.weekday).to_string());
    let hour = RwSignal::new(current.map_or(7, |schedule| schedule.hour).to_string());
    let errors = FieldErrors::new(&["channel", "weekday", "hour", "utc_offset_minutes"]);
    let submit = task.on_submit(move || {
        errors.clear();
        let schedule = channel
            .get_untracked()
            .parse()
            .ok()
            .map(|channel| Schedule {
                channel,
                weekday: weekday.get_untracked().parse().unwrap_or(1),
                hour: hour.get_untracked().parse().unwrap_or(7),
                utc_offset_minutes: browser_utc_offset_minutes(),
            });
        let request = ReportSettings {
            schedule,
            next_at_ms: None,
            last_sent_at_ms: None,
        };
        task.refreshing().call(
            "Saving…".to_owned(),
            &errors.all(),
            async move { api::set_report_settings(&request).await },
            |saved| {
                Outcome::Done(match saved.schedule {
                    Some(_) => "Saved: the report goes out weekly.".to_owned(),
                    None => "Saved: no report goes out.".to_owned(),
                })
            },
        );
    });
    let send_now = move |_| {
        sending.call(
            "Asking the arrays and sending…".to_owned(),
            &[],
            api::send_report_now(),
            |()| Outcome::Done("Sent: it is listed under Messages.".to_owned()),
        );
    };
    let field_error = move |field: &'static str| {
        move || {
            errors.of(field).get().map(|message| {
                view! { <span class="field-error" role="alert">{message}</span> }
            })
        }
    };
    view! {
        <div class="card" id="report-schedule">
            <p class="muted">
                "Each array's use, growth and days to full, its volumes no protection group with a schedule covers, and each group's oldest snapshot: "
                "mail carries it as a page with the CSV attached; chat and webhooks get its summary. Anyone downloads it for their arrays from the Fleet page."
            </p>
            {settings.next_at_ms.map(|next| view! {
                <p id="report-next">"Next: " <Timestamp epoch_ms=next /></p>
            })}
            {settings.last_sent_at_ms.map(|last| view! {
                <p class="muted" id="report-last">"Last sent: " <Timestamp epoch_ms=last /></p>
            })}
            <form class="inline" id="report-form" on:submit=submit novalidate>
                <label>
                    <span>"Sent through"</span>
                    <select id="report-channel" on:change=move |event| channel.set(event_target_value(&event))>
                        <option value="" selected=move || channel.get().is_empty()>"Not sent"</option>
                        {channels.into_iter().map(|option| {
                            let value = option.id.to_string();
                            let selected = value.clone();
                            view! {
                                <option value=value selected=move || channel.get() == selected>
                                    {format!("{} ({})", option.name, option.kind.label())}
                                </option>
                            }
                        }).collect_view()}
                    </select>
                    {field_error("channel")}
                </label>
                <label>
                    <span>"Every"</span>
                    <select id="report-weekday" on:change=move |event| weekday.set(event_target_value(&event))>
                        {WEEKDAYS.iter().zip(1u8..).map(|(name, number)| view! {
                            <option value=number.to_string() selected=move || weekday.get() == number.to_string()>{*name}</option>
                        }).collect_view()}
                    </select>
                    {field_error("weekday")}
                </label>
                <label>
                    <span>"At (your time)"</span>
                    <select id="report-hour" on:change=move |event| hour.set(event_target_value(&event))>
                        {hour_options(current.map_or(7, |schedule| schedule.hour))}
                    </select>
                    {field_error("hour")}
                    {field_error("utc_offset_minutes")}
                </label>
                <button id="report-save" type="submit" disabled=move || task.running()>"Save"</button>
            </form>
            {current.is_some().then(|| view! {
                <button class="secondary" id="report-send" disabled=move || sending.running() on:click=send_now>"Send now"</button>
            })}
        </div>
    }
}
