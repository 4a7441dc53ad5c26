//! Notifications, for admins of every array: where messages go (channels, each with a test
//! button that shows what the receiver answered), what the portal tells of (rules), and
//! what it sent and where each message stands.

use std::collections::BTreeSet;

use leptos::prelude::*;

use crate::components::live::Answer;
use shared::api::{
    AlertSeverity, ApiError, Channel, ChannelKind, Delivery, DeliveryState, EmailSettings,
    NewChannel, NewRule, PersonalMail, QuietHours, Rule, RuleCondition, SmtpSecurity,
    validate_new_channel, validate_new_rule,
};

use super::notification_report::ReportSchedule;
use super::notification_silences::Silences;
use crate::api::{self, ApiResult};
use crate::components::{
    AdminsOnly, ArrayScope, ArrayScopePicker, Confirm, Field, FieldErrors, Loaded, Outcome,
    OutcomeLine, PlainTable, Task, Timestamp, browser_utc_offset_minutes, describe_arrays,
    hour_options, live_resource, page_title,
};

#[component]
pub fn NotificationsPage() -> impl IntoView {
    page_title("Notifications");
    view! {
        <h1>"Notifications"</h1>
        <AdminsOnly refusal="Notifications are kept by admins of every array.">
            <NotificationsBody />
        </AdminsOnly>
    }
}

#[component]
fn NotificationsBody() -> impl IntoView {
    let channels = live_resource(api::notification_channels);
    let rules = live_resource(api::notification_rules);
    let deliveries = live_resource(api::deliveries);
    let channel_task = Task::new();
    let rule_task = Task::new();
    let delivery_task = Task::new();
    // Above the report's form, which is drawn afresh when its settings are fetched again.
    let report_task = Task::new();
    let report_sending = Task::new();
    view! {
        <p class="muted">
            "The portal watches the arrays the rules name (one call to each, every minute by default) and sends a message when a condition "
            "begins and another when it clears, once, whichever replica watches. A receiver that does not answer is tried again for a quarter of an hour."
        </p>
        <h2>"Channels"</h2>
        <CreateChannel />
        <OutcomeLine id="channel-outcome" outcome=channel_task.outcome />
        <Loaded resource=channels loading="Loading channels…" let:list>
            <ChannelTable channels=list task=channel_task />
        </Loaded>
        <h2>"Rules"</h2>
        <CreateRule channels />
        <OutcomeLine id="rule-outcome" outcome=rule_task.outcome />
        <Loaded resource=rules loading="Loading rules…" let:list>
            <RuleTable rules=list task=rule_task />
        </Loaded>
        <h2>"Silences"</h2>
        <Silences rules />
        <h2>"Mail to people"</h2>
        <Loaded resource=channels loading="Loading channels…" let:list>
            <PersonalMailChoice channels=list />
        </Loaded>
        <h2>"Capacity and protection report"</h2>
        <OutcomeLine id="report-outcome" outcome=report_task.outcome />
        <OutcomeLine id="report-send-outcome" outcome=report_sending.outcome />
        <Loaded resource=channels loading="Loading channels…" let:list>
            <ReportSchedule channels=list task=report_task sending=report_sending />
        </Loaded>
        <h2>"Messages"</h2>
        <OutcomeLine id="delivery-outcome" outcome=delivery_task.outcome />
        <Loaded resource=deliveries loading="Loading messages…" let:list>
            <DeliveryTable deliveries=list task=delivery_task />
        </Loaded>
    }
}

#[component]
fn CreateChannel() -> impl IntoView {
    let name = RwSignal::new(String::new());
    let kind = RwSignal::new(ChannelKind::Slack);
    let url = RwSignal::new(String::new());
    let mail = MailForm::new();
    let errors = FieldErrors::new(&[
        "name",
        "kind",
        "webhook_url",
        "signing_secret",
        "email.smtp_host",
        "email.smtp_port",
        "email.security",
        "email.username",
        "email.password",
        "email.from",
        "email.to",
    ]);
    let task = Task::new();
    let secret = RwSignal::new(None::<String>);
    let submit = task.on_submit(move || {
        errors.clear();
        secret.set(None);
        let kind = kind.get_untracked();
        let email = if kind == ChannelKind::Email {
            match mail.settings() {
                Ok(settings) => Some(settings),
                Err(problem) => {
                    errors.show(problem, task.outcome);
                    return;
                }
            }
        } else {
            None
        };
        let request = NewChannel {
            name: name.get_untracked().trim().to_owned(),
            kind,
            webhook_url: if email.is_some() {
                String::new()
            } else {
                url.get_untracked().trim().to_owned()
            },
            email,
            signing_secret: None,
        };
        if let Err(problem) = validate_new_channel(&request) {
            errors.show(problem, task.outcome);
            return;
        }
        let label = request.name.clone();
        task.refreshing().call(
            format!("Adding {label}…"),
            &errors.all(),
            async move { api::create_channel(&request).await },
            move |made| {
                name.set(String::new());
                url.set(String::new());
                mail.password.set(String::new());
                let note = if made.signing_secret.is_some() {
                    ": copy its signing secret now, it is not shown again"
                } else {
                    ""
                };
                secret.set(made.signing_secret);
                Outcome::Done(format!("Added {}{note}.", made.channel.name))
            },
        );
    });
    view! {
        <div class="card">
            <form class="inline" id="create-channel" on:submit=submit novalidate>
                <Field id="channel-name" label="Name" placeholder="storage on-call" value=name error=errors.of("name") />
                <label>
                    <span>"Kind"</span>
                    <select id="channel-kind" on:change=move |event| {
                        if let Some(choice) = ChannelKind::parse(&event_target_value(&event)) {
                            kind.set(choice);
                        }
                    }>
                        {ChannelKind::ALL.into_iter().map(|choice| view! {
                            <option value=choice.as_str() selected=move || kind.get() == choice>{choice.label()}</option>
                        }).collect_view()}
                    </select>
                </label>
                <Show
                    when=move || kind.get() == ChannelKind::Email
                    fallback=move || view! {
                        <Field id="channel-url" label="Webhook address" placeholder="https://hooks.slack.com/services/…" value=url error=errors.of("webhook_url") />
                    }
                >
                    <Field id="channel-smtp-host" label="SMTP server" placeholder="smtp.example.com" value=mail.host error=errors.of("email.smtp_host") />
                    <Field id="channel-smtp-port" label="Port (blank: the usual)" kind="number" value=mail.port error=errors.of("email.smtp_port") />
                    <label>
                        <span>"Security"</span>
                        <select id="channel-smtp-security" on:change=move |event| mail.security.set(event_target_value(&event))>
                            <option value="starttls">"STARTTLS (587)"</option>
                            <option value="tls">"TLS (465)"</option>
                            <option value="none">"None: a relay on this machine (25)"</option>
                        </select>
                        {move || errors.of("email.security").get().map(|message| view! { <span id="channel-smtp-security-error" class="field-error" role="alert">{message}</span> })}
                    </label>
                    <Field id="channel-smtp-username" label="Username (optional)" value=mail.username error=errors.of("email.username") />
                    <Field id="channel-smtp-password" label="Password" kind="password" value=mail.password error=errors.of("email.password") />
                    <Field id="channel-mail-from" label="From" placeholder="flashdeck@example.com" value=mail.from error=errors.of("email.from") />
                    <Field id="channel-mail-to" label="To (comma-separated)" placeholder="storage-oncall@example.com" value=mail.to error=errors.of("email.to") />
                </Show>
                <button id="channel-create" type="submit" disabled=move || task.running()>"Add channel"</button>
            </form>
            <OutcomeLine id="channel-create-outcome" outcome=task.outcome />
            {move || secret.get().map(|secret| view! {
                <p class="new-token">
                    <label>
                        <span>"Signing secret (HMAC-SHA256 of timestamp.body, in x-flashdeck-signature), shown only now"</span>
                        <input id="channel-secret" readonly value=secret />
                    </label>
                </p>
            })}
        </div>
    }
}

/// Which email channel's server sends people mail about themselves (a request waiting
/// for them, their own request decided), to the address each gives on the Requests page.
#[component]
fn PersonalMailChoice(channels: Vec<Channel>) -> impl IntoView {
    let current = live_resource(api::personal_mail);
    let emails: Vec<Channel> = channels
        .into_iter()
        .filter(|channel| channel.kind == ChannelKind::Email)
        .collect();
    if emails.is_empty() {
        return view! {
            <p class="muted" id="personal-mail">
                "Add an email channel to send people mail about their own requests: a change waiting for their decision, their change decided."
            </p>
        }
        .into_any();
    }
    view! {
        <Loaded resource=current loading="Loading…" let:current>
            <PersonalMailForm emails=emails.clone() current=current.channel />
        </Loaded>
    }
    .into_any()
}

#[component]
fn PersonalMailForm(emails: Vec<Channel>, current: Option<i64>) -> impl IntoView {
    let choice = RwSignal::new(current.map(|id| id.to_string()).unwrap_or_default());
    let errors = FieldErrors::new(&["channel"]);
    let task = Task::new();
    let submit = task.on_submit(move || {
        errors.clear();
        let request = PersonalMail {
            channel: choice.get_untracked().parse().ok(),
        };
        task.call(
            "Saving…".to_owned(),
            &errors.all(),
            async move { api::set_personal_mail(&request).await },
            |saved| {
                Outcome::Done(match saved.channel {
                    Some(_) => {
                        "People who ask for it now get mail about their requests.".to_owned()
                    }
                    None => "No mail goes to people now.".to_owned(),
                })
            },
        );
    });
    view! {
        <div class="card">
            <p class="muted">
                "Each person gives their address and chooses what they hear of on the Requests page; the channel's server sends it (its own recipients are left out)."
            </p>
            <form class="inline" id="personal-mail" on:submit=submit novalidate>
                <label>
                    <span>"Sent through"</span>
                    <select id="personal-mail-channel" on:change=move |event| choice.set(event_target_value(&event))>
                        <option value="" selected=move || choice.get().is_empty()>"No mail to people"</option>
                        {emails.into_iter().map(|channel| {
                            let value = channel.id.to_string();
                            let selected = value.clone();
                            view! {
                                <option value=value selected=move || choice.get() == selected>{channel.name}</option>
                            }
                        }).collect_view()}
                    </select>
                    {move || errors.of("channel").get().map(|message| view! { <span id="personal-mail-channel-error" class="field-error" role="alert">{message}</span> })}
                </label>
                <button id="personal-mail-save" type="submit" disabled=move || task.running()>"Save"</button>
            </form>
            <OutcomeLine id="personal-mail-outcome" outcome=task.outcome />
        </div>
    }
}

/// An email channel's fields as typed.
#[derive(Debug, Clone, Copy)]
struct MailForm {
    host: RwSignal<String>,
    port: RwSignal<String>,
    security: RwSignal<String>,
    username: RwSignal<String>,
    password: RwSignal<String>,
    from: RwSignal<String>,
    to: RwSignal<String>,
}

impl MailForm {
    fn new() -> Self {
        Self {
            host: RwSignal::new(String::new()),
            port: RwSignal::new(String::new()),
            security: RwSignal::new("starttls".to_owned()),
            username: RwSignal::new(String::new()),
            password: RwSignal::new(String::new()),
            from: RwSignal::new(String::new()),
            to: RwSignal::new(String::new()),
        }
    }

    fn settings(&self) -> Result<EmailSettings, ApiError> {
        let optional = |signal: RwSignal<String>| {
            Some(signal.get_untracked().trim().to_owned()).filter(|text| !text.is_empty())
        };
        let smtp_port =
            match optional(self.port) {
                None => None,
                Some(port) => Some(port.parse::<u16>().map_err(|_| {
                    ApiError::for_field("email.smtp_port", "A port from 1 to 65535.")
                })?),
            };
        Ok(EmailSettings {
            smtp_host: self.host.get_untracked().trim().to_owned(),
            smtp_port,
            security: match self.security.get_untracked().as_str() {
                "tls" => SmtpSecurity::Tls,
                "none" => SmtpSecurity::None,
                _ => SmtpSecurity::Starttls,
            },
            username: optional(self.username),
            password: Some(self.password.get_untracked()).filter(|text| !text.is_empty()),
            from: self.from.get_untracked().trim().to_owned(),
            to: self
                .to
                .get_untracked()
                .split(',')
                .map(str::trim)
                .filter(|address| !address.is_empty())
                .map(str::to_owned)
                .collect(),
        })
    }
}

/// A confirmation's action that deletes `name` through `delete`, saying so with `after`.
fn deleting<F>(
    task: Task,
    name: String,
    delete: impl Fn() -> F + Send + Sync + 'static,
    after: &'static str,
) -> Callback<()>
where
    F: Future<Output = ApiResult<()>> + 'static,
{
    Callback::new(move |()| {
        let name = name.clone();
        task.refreshing()
            .call(format!("Deleting {name}…"), &[], delete(), move |()| {
                Outcome::Done(format!("Deleted {name}{after}."))
            });
    })
}

#[component]
fn ChannelTable(channels: Vec<Channel>, task: Task) -> impl IntoView {
    if channels.is_empty() {
        return view! { <p class="muted" id="channels">"No channels yet: add one above."</p> }
            .into_any();
    }
    let rows = channels
        .into_iter()
        .map(|channel| view! { <ChannelRow channel task /> })
        .collect_view();
    view! {
        <PlainTable id="channels" headers=&["Name", "Kind", "Receiver", "Added by", "Added", "Actions"]>{rows}</PlainTable>
    }
    .into_any()
}

#[component]
fn ChannelRow(channel: Channel, task: Task) -> impl IntoView {
    let id = channel.id;
    let name = channel.name.clone();
    let test = {
        let name = name.clone();
        move |_| {
            let name = name.clone();
            task.call(
                format!("Sending a test message to {name}…"),
                &[],
                api::test_channel(id),
                move |answer| {
                    let said = match answer.status {
                        Some(status) => format!("answered {status} {:?}", answer.answer),
                        None => answer.answer,
                    };
                    if answer.delivered {
                        Outcome::Done(format!("{name} took the test message: it {said}."))
                    } else {
                        Outcome::Failed(format!("{name} did not take the test message: {said}."))
                    }
                },
            );
        }
    };
    let delete = deleting(task, name.clone(), move || api::delete_channel(id), "");
    view! {
        <tr data-channel=name.clone()>
            <td class="name">{name.clone()}</td>
            <td class="kind">{channel.kind.label()}</td>
            <td class="host">{channel.host}</td>
            <td>{channel.created_by}</td>
            <td><Timestamp epoch_ms=channel.created_at * 1000 /></td>
            <td class="actions">
                <button class="secondary send-test" on:click=test disabled=move || task.running()>"Send test"</button>
                <Confirm
                    label="Delete…"
                    class="secondary delete"
                    question=format!("Delete {name}?")
                    details="Its address is forgotten; rules that send to it must be deleted first."
                    confirm_label="Delete"
                    task
                    on_confirm=delete
                />
            </td>
        </tr>
    }
}

#[component]
fn CreateRule(channels: Answer<ApiResult<Vec<Channel>>>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let watches = RwSignal::new("capacity_over".to_owned());
    let severity = RwSignal::new(AlertSeverity::Critical);
    let percent = RwSignal::new("85".to_owned());
    let days = RwSignal::new("30".to_owned());
    let alert_code = RwSignal::new(String::new());
    let arrays = ArrayScope::every();
    let chosen = RwSignal::new(BTreeSet::<i64>::new());
    let repeat = RwSignal::new(String::new());
    let quiet_from = RwSignal::new(String::new());
    let quiet_until = RwSignal::new("7".to_owned());
    let errors = FieldErrors::new(&[
        "name",
        "condition.percent",
        "condition.days",
        "condition.code",
        "arrays",
        "channels",
        "repeat_hours",
        "quiet_hours",
    ]);
    let task = Task::new();
    let submit = task.on_submit(move || {
        errors.clear();
        let condition = match watches.get_untracked().as_str() {
            "capacity_over" => {
                let Ok(percent) = percent.get_untracked().trim().parse::<u8>() else {
                    errors
                        .of("condition.percent")
                        .set(Some("Give a whole number of percent, 1 to 99.".to_owned()));
                    return;
                };
                RuleCondition::CapacityOver { percent }
            }
            "full_within" => {
                let Ok(days) = days.get_untracked().trim().parse::<u16>() else {
                    errors
                        .of("condition.days")
                        .set(Some("Give a whole number of days, 1 to 365.".to_owned()));
                    return;
                };
                RuleCondition::FullWithin { days }
            }
            "alert_open" => {
                let code = alert_code.get_untracked();
                let code = match code.trim() {
                    "" => None,
                    code => match code.parse::<i64>() {
                        Ok(code) => Some(code),
                        Err(_) => {
                            errors
                                .of("condition.code")
                                .set(Some("An alert code is a number, such as 1001.".to_owned()));
                            return;
                        }
                    },
                };
                RuleCondition::AlertOpen {
                    severity: severity.get_untracked(),
                    code,
                }
            }
            "replication_behind" => RuleCondition::ReplicationBehind,
            "protection_unscheduled" => RuleCondition::ProtectionUnscheduled,
            _ => RuleCondition::NotAnswering,
        };
        let scope = match arrays.value() {
            Ok(scope) => scope,
            Err(message) => {
                errors.of("arrays").set(Some(message));
                return;
            }
        };
        let request = NewRule {
            name: name.get_untracked().trim().to_owned(),
            condition,
            arrays: scope,
            channels: chosen.get_untracked().into_iter().collect(),
            repeat_hours: repeat.get_untracked().parse().ok(),
            quiet_hours: quiet_from
                .get_untracked()
                .parse()
                .ok()
                .map(|from_hour| QuietHours {
                    from_hour,
                    until_hour: quiet_until.get_untracked().parse().unwrap_or_default(),
                    utc_offset_minutes: browser_utc_offset_minutes(),
                }),
        };
        if let Err(problem) = validate_new_rule(&request) {
            errors.show(problem, task.outcome);
            return;
        }
        let label = request.name.clone();
        task.refreshing().call(
            format!("Adding {label}…"),
            &errors.all(),
            async move { api::create_rule(&request).await },
            move |rule| {
                name.set(String::new());
                Outcome::Done(format!("Added {}: the next watch applies it.", rule.name))
            },
        );
    });
    // Outside a loading boundary: the list changes when a channel is added, and the form
    // (with its outcome) must outlive that.
    let channel_boxes = move || {
        let channels = channels.get().and_then(Result::ok).unwrap_or_default();
        channels
            .into_iter()
            .map(|channel| {
                let id = channel.id;
                view! {
                    <label class="check">
                        <input
                            type="checkbox"
                            id=format!("rule-channel-{id}")
                            data-channel=channel.name.clone()
                            prop:checked=move || chosen.with(|set| set.contains(&id))
                            on:change=move |event| {
                                let on = event_target_checked(&event);
                                chosen.update(|set| {
                                    if on {
                                        set.insert(id);
                                    } else {
                                        set.remove(&id);
                                    }
                                });
                            }
                        />
                        {channel.name}
                    </label>
                }
            })
            .collect_view()
    };
    view! {
        <div class="card">
            <form class="inline" id="create-rule" on:submit=submit novalidate>
                <Field id="rule-name" label="Name" placeholder="Nearly full" value=name error=errors.of("name") />
                <label>
                    <span>"When an array is"</span>
                    <select id="rule-condition" on:change=move |event| watches.set(event_target_value(&event))>
                        {[
                            ("capacity_over", "more than … % full"),
                            ("full_within", "full within … days at its growth"),
                            ("not_answering", "not answering"),
                            ("alert_open", "raising alerts"),
                            ("replication_behind", "replicating behind its schedule"),
                            ("protection_unscheduled", "holding a protection group with no schedule"),
                        ].into_iter().map(|(value, label)| view! {
                            <option value=value selected=move || watches.with(|kind| kind == value)>{label}</option>
                        }).collect_view()}
                    </select>
                </label>
                <Show when=move || watches.with(|kind| kind == "capacity_over")>
                    <Field id="rule-percent" label="Percent full" kind="number" value=percent error=errors.of("condition.percent") />
                </Show>
                <Show when=move || watches.with(|kind| kind == "full_within")>
                    <Field id="rule-days" label="Days" kind="number" value=days error=errors.of("condition.days") />
                </Show>
                <Show when=move || watches.with(|kind| kind == "alert_open")>
                    <label>
                        <span>"Of severity"</span>
                        <select id="rule-severity" on:change=move |event| {
                            severity.set(if event_target_value(&event) == "warning" {
                                AlertSeverity::Warning
                            } else {
                                AlertSeverity::Critical
                            });
                        }>
                            <option value="critical" selected=move || severity.get() == AlertSeverity::Critical>"critical"</option>
                            <option value="warning" selected=move || severity.get() == AlertSeverity::Warning>"warning or critical"</option>
                        </select>
                    </label>
                    <Field id="rule-alert-code" label="Of code (optional)" placeholder="every code" kind="number" value=alert_code error=errors.of("condition.code") />
                </Show>
                <ArrayScopePicker id="rule-arrays".to_owned() scope=arrays error=errors.of("arrays") />
                <fieldset class="scope" id="rule-channels">
                    <legend>"Send to"</legend>
                    {channel_boxes}
                    {move || errors.of("channels").get().map(|message| view! { <span class="field-error" role="alert">{message}</span> })}
                </fieldset>
                <label>
                    <span>"Tell again while it holds"</span>
                    <select id="rule-repeat" on:change=move |event| repeat.set(event_target_value(&event))>
                        {[("", "never"), ("1", "every hour"), ("4", "every 4 hours"), ("12", "every 12 hours"), ("24", "every day")]
                            .into_iter()
                            .map(|(value, label)| view! { <option value=value>{label}</option> })
                            .collect_view()}
                    </select>
                    {move || errors.of("repeat_hours").get().map(|message| view! { <span class="field-error" role="alert">{message}</span> })}
                </label>
                <label>
                    <span>"Quiet hours from (your time)"</span>
                    <select id="rule-quiet-from" on:change=move |event| quiet_from.set(event_target_value(&event))>
                        <option value="">"none"</option>
                        {hour_options(7)}
                    </select>
                </label>
                <Show when=move || !quiet_from.get().is_empty()>
                    <label>
                        <span>"until"</span>
                        <select id="rule-quiet-until" on:change=move |event| quiet_until.set(event_target_value(&event))>
                            {hour_options(7)}
                        </select>
                        {move || errors.of("quiet_hours").get().map(|message| view! { <span id="rule-quiet-error" class="field-error" role="alert">{message}</span> })}
                    </label>
                </Show>
                <button id="rule-create" type="submit" disabled=move || task.running()>"Add rule"</button>
            </form>
            <OutcomeLine id="rule-create-outcome" outcome=task.outcome />
        </div>
    }
}

/// "again every 4 h; quiet 22:00–07:00 (UTC+01:00)", or "once".
fn describe_timing(rule: &Rule) -> String {
    let mut timing: Vec<String> = Vec::new();
    if let Some(hours) = rule.repeat_hours {
        timing.push(format!("again every {hours} h"));
    }
    if let Some(quiet) = rule.quiet_hours {
        timing.push(format!("quiet {}", quiet.describe()));
    }
    if timing.is_empty() {
        "once".to_owned()
    } else {
        timing.join("; ")
    }
}

#[component]
fn RuleTable(rules: Vec<Rule>, task: Task) -> impl IntoView {
    if rules.is_empty() {
        return view! { <p class="muted" id="rules">"No rules yet: nothing is watched."</p> }
            .into_any();
    }
    let rows = rules
        .into_iter()
        .map(|rule| {
            let id = rule.id;
            let name = rule.name.clone();
            let delete = deleting(
                task,
                name.clone(),
                move || api::delete_rule(id),
                ": nothing more is sent for it",
            );
            view! {
                <tr data-rule=name.clone()>
                    <td class="name">{name.clone()}</td>
                    <td class="condition">{rule.condition.describe()}</td>
                    <td class="arrays">{describe_arrays(rule.arrays.as_deref())}</td>
                    <td class="channels">{rule.channels.len()}</td>
                    <td class="timing">{describe_timing(&rule)}</td>
                    <td>{rule.created_by}</td>
                    <td class="actions">
                        <Confirm
                            label="Delete…"
                            class="secondary delete"
                            question=format!("Delete {name}?")
                            details="Nothing more is sent for it, not even when what it raised clears."
                            confirm_label="Delete"
                            task
                            on_confirm=delete
                        />
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <PlainTable id="rules" headers=&["Name", "When an array is", "Arrays", "Channels", "Timing", "Added by", "Actions"]>{rows}</PlainTable>
    }
    .into_any()
}

#[component]
fn DeliveryTable(deliveries: Vec<Delivery>, task: Task) -> impl IntoView {
    if deliveries.is_empty() {
        return view! { <p class="muted" id="deliveries">"Nothing sent yet."</p> }.into_any();
    }
    let rows = deliveries
        .into_iter()
        .map(|delivery| {
            let state = delivery.state;
            let array = delivery.array.clone();
            let id = delivery.id;
            let retry = move |_| {
                task.refreshing().call(
                    format!("Sending message {id} again…"),
                    &[],
                    api::retry_delivery(id),
                    move |()| Outcome::Done(format!("Message {id} is being sent again.")),
                );
            };
            view! {
                <tr data-delivery=delivery.id data-state=state.as_str() data-array=array>
                    <td><Timestamp epoch_ms=delivery.created_at_ms /></td>
                    <td class="array">{delivery.array}</td>
                    <td class="event">{match (&delivery.recipient, delivery.resolved) {
                        (Some(_), _) => "to a person",
                        (None, true) => "resolved",
                        (None, false) => "raised",
                    }}</td>
                    <td class="summary">{delivery.summary}</td>
                    <td>{delivery.rule}</td>
                    <td class="channel">
                        {delivery.channel}
                        {delivery.recipient.map(|recipient| format!(" → {recipient}"))}
                    </td>
                    <td class="state">
                        <span class=match state {
                            DeliveryState::Failed => "badge bad",
                            _ => "badge",
                        }>{state.as_str()}</span>
                        {(delivery.attempts > 1).then(|| format!(" after {} attempts", delivery.attempts))}
                    </td>
                    <td class="last-error">{delivery.last_error.unwrap_or_default()}</td>
                    <td class="actions">
                        {(state == DeliveryState::Failed).then(|| view! {
                            <button class="secondary retry" on:click=retry disabled=move || task.running()>"Try again"</button>
                        })}
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <PlainTable id="deliveries" headers=&["When", "Array", "Event", "What", "Rule", "Channel", "State", "Receiver's last refusal", "Actions"]>{rows}</PlainTable>
    }
    .into_any()
}
