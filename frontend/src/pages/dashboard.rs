//! The landing page: what needs attention first (arrays not answering, failing hardware,
//! full within a month, over 80 %, critical alerts), then every array in the user's scope at a
//! glance — reachable or not, how full and when full, whether its hardware is healthy, how
//! busy, how many objects and open alerts — with the fleet's totals on top, sorted as the
//! user chooses, refreshed with the rest of the app and on demand.

use leptos::prelude::*;
use leptos_router::components::A;
use shared::api::{
    Action, AlertCounts, ArrayFigures, ArrayStatus, FleetSummary, Fullness, HardwareHealth,
    Pure1Fleet, full_in, needs_attention,
};
use shared::size::format_size;
use shared::units::{
    format_bandwidth, format_count, format_iops, format_latency, format_reduction, format_share,
};

use crate::api;
use crate::components::live::answer_signal;
use crate::components::table::SortHeader;
use crate::components::{Live, Loaded, Timestamp, UrlState, live_resource, page_title};
use crate::session::Session;

/// A sortable figure of an array; arrays that did not answer sort last.
fn sort_value(status: &ArrayStatus, key: &str) -> Option<f64> {
    let figures = status.figures.as_ref()?;
    Some(match key {
        "used" => figures.used_share(),
        "reduction" => figures.data_reduction,
        "volumes" => figures.volumes as f64,
        "hosts" => figures.hosts as f64,
        "iops" => figures.load.iops() as f64,
        "bandwidth" => figures.load.bytes_per_sec() as f64,
        "latency" => figures.load.usec_per_op() as f64,
        "alerts" => {
            let alerts = &figures.alerts;
            (alerts.critical * 1_000_000 + alerts.warning * 1000 + alerts.info) as f64
        }
        _ => return None,
    })
}

fn sorted(mut arrays: Vec<ArrayStatus>, sort: &str) -> Vec<ArrayStatus> {
    let (key, descending) = match sort.strip_prefix('-') {
        Some(key) => (key, true),
        None => (sort, false),
    };
    if key == "name" {
        arrays.sort_by(|a, b| a.name.cmp(&b.name));
        if descending {
            arrays.reverse();
        }
        return arrays;
    }
    arrays.sort_by(|a, b| match (sort_value(a, key), sort_value(b, key)) {
        (Some(a), Some(b)) if descending => b.total_cmp(&a),
        (Some(a), Some(b)) => a.total_cmp(&b),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    });
    arrays
}

#[component]
pub fn Dashboard() -> impl IntoView {
    page_title("Fleet");
    let live = expect_context::<Live>();
    let state = UrlState::new("name");
    // Asking the arrays now rather than reusing figures a few seconds old.
    let ask_now = RwSignal::new(false);
    let summary = live_resource(move || {
        let refresh = ask_now.get_untracked();
        ask_now.update_untracked(|asked| *asked = false);
        api::fleet_summary(refresh)
    });
    let refresh = move |_| {
        ask_now.set(true);
        live.changed();
    };
    // Read inside the figures' boundary, a resource of forecasts (slow behind an array that
    // does not answer) would hold every figure back.
    let forecasts = answer_signal(|| async { Some(days_to_full().await) });
    view! {
        <h1>"Fleet"</h1>
        <Loaded resource=summary loading="Asking the arrays…" let:summary>
            <FleetView summary state forecasts />
        </Loaded>
        <p class="muted">
            "Each array is asked at once with its own deadline; figures are reused for a few seconds. "
            <button class="secondary" id="fleet-refresh" on:click=refresh>"Ask the arrays now"</button>
        </p>
        <p class="muted" id="fleet-report">
            "Capacity and protection report (use, growth, days to full, unprotected volumes, oldest snapshots), asked of your arrays now: "
            <a href="/api/reports/fleet.csv" download>"CSV"</a> " · "
            <a href="/api/reports/fleet.html" download>"HTML file"</a>
        </p>
        <Pure1Section />
    }
}

/// Each array's forecast days to full, asked once a visit, not at every refresh (the forecast
/// reads a month of history and moves by the day), of every array at once, so a slow one
/// holds back only its own.
async fn days_to_full() -> Vec<(String, f64)> {
    let Ok(arrays) = api::arrays().await else {
        return Vec::new();
    };
    let asked = arrays.into_iter().map(|array| async move {
        let runway = api::forecast(&array.name).await.ok()?.to_100?;
        Some((array.name, runway.days))
    });
    futures_util::future::join_all(asked)
        .await
        .into_iter()
        .flatten()
        .collect()
}

/// The arrays that need attention, most urgent first, each with every reason.
#[component]
fn AttentionStrip(
    arrays: Vec<ArrayStatus>,
    forecasts: ReadSignal<Option<Vec<(String, f64)>>>,
) -> impl IntoView {
    let found = move || {
        let days = forecasts.get().unwrap_or_default();
        needs_attention(&arrays, |name| {
            days.iter()
                .find(|(array, _)| array == name)
                .map(|(_, days)| *days)
        })
    };
    view! {
        <section id="attention" aria-labelledby="attention-heading">
            <h2 id="attention-heading">"Needs attention"</h2>
            {move || {
                let found = found();
                if found.is_empty() {
                    return view! {
                        <p class="muted" id="attention-none">
                            "Nothing: every array answers, no hardware fails, none is over 80 % or full within 30 days, and no critical alert is open."
                        </p>
                    }
                    .into_any();
                }
                let items = found
                    .into_iter()
                    .map(|attention| {
                        let href = format!("/arrays/{}/overview", attention.array);
                        let name = attention.array.clone();
                        view! {
                            <li data-array=attention.array data-urgency=attention.urgency.as_str()>
                                <A href=href>{name}</A> ": "
                                <span class="reasons">{attention.reasons.join("; ")}</span>
                            </li>
                        }
                    })
                    .collect_view();
                view! { <ol class="attention" id="attention-list">{items}</ol> }.into_any()
            }}
        </section>
    }
}

/// What Pure1 adds, in a line that leads to the Pure1 page. Fetched on its own, so a slow
/// Pure1 never holds the arrays' figures back.
#[component]
fn Pure1Section() -> impl IntoView {
    let session = expect_context::<Session>();
    let pure1 = live_resource(api::fleet_pure1);
    view! {
        <section id="pure1" aria-labelledby="pure1-heading">
            <h2 id="pure1-heading">"What Pure1 sees"</h2>
            <Loaded resource=pure1 loading="Asking Pure1…" let:fleet>
                {if fleet.connected {
                    view! { <Pure1Summary fleet /> }.into_any()
                } else {
                    view! {
                        <p class="muted" id="pure1-not-connected">
                            "Pure1 is not connected. "
                            <Show when=move || session.may(Action::Pure1Connect)>
                                <A href="/pure1">"Connect Pure1"</A>
                            </Show>
                        </p>
                    }
                    .into_any()
                }}
            </Loaded>
        </section>
    }
}

/// What Pure1 sees, in one line: its arrays, those only it sees, its open alerts, the
/// busiest array; the Pure1 page has the rest.
#[component]
fn Pure1Summary(fleet: Pure1Fleet) -> impl IntoView {
    if let Some(error) = fleet.error {
        return view! { <p class="error" id="pure1-error" role="alert">{error}</p> }.into_any();
    }
    let only_pure1 = fleet.arrays.iter().filter(|array| !array.managed).count();
    let busiest = fleet
        .arrays
        .iter()
        .filter_map(|array| array.load_now.map(|load| (load, array.name.clone())))
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(load, name)| format!("; busiest now: {name} at {:.0} %", load * 100.0));
    let text = format!(
        "Pure1 reports {} arrays ({only_pure1} only Pure1 sees) and {} open alerts{}.",
        fleet.arrays.len(),
        fleet.alerts.len(),
        busiest.unwrap_or_default()
    );
    view! {
        <p id="pure1-summary">{text} " " <A href="/pure1" attr:id="pure1-page-link">"Pure1 page"</A></p>
    }
    .into_any()
}

#[component]
fn FleetView(
    summary: FleetSummary,
    state: UrlState,
    forecasts: ReadSignal<Option<Vec<(String, f64)>>>,
) -> impl IntoView {
    if summary.arrays.is_empty() {
        return view! {
            <p class="muted empty" id="fleet-empty">
                "No arrays in your scope. " <A href="/arrays">"Register an array"</A> " or ask an admin for access."
            </p>
        }
        .into_any();
    }
    let totals = summary.totals.clone();
    let oldest = summary
        .arrays
        .iter()
        .map(|status| status.as_of)
        .min()
        .unwrap_or(0);
    let share = if totals.capacity == 0 {
        0.0
    } else {
        totals.used as f64 / totals.capacity as f64
    };
    let arrays = summary.arrays;
    let attention = arrays.clone();
    let rows = move || {
        let days = forecasts.get().unwrap_or_default();
        sorted(arrays.clone(), &state.sort())
            .into_iter()
            .map(|status| {
                let days_to_full = days
                    .iter()
                    .find(|(array, _)| *array == status.name)
                    .map(|(_, days)| *days);
                view! { <ArrayRow status days_to_full /> }
            })
            .collect_view()
    };
    view! {
        <AttentionStrip arrays=attention forecasts />
        <p class="muted" id="fleet-as-of">"Figures as of " <Timestamp epoch_ms=oldest /></p>
        <div class="grid totals" id="fleet-totals">
            <div class="card">
                <span class="label">"Arrays"</span>
                <strong id="total-arrays">{totals.arrays}</strong>
                {(totals.unreachable > 0).then(|| view! {
                    <span class="error" id="total-unreachable">{totals.unreachable} " not answering"</span>
                })}
            </div>
            <div class="card">
                <span class="label">"Capacity used"</span>
                <CapacityBar used=totals.used capacity=totals.capacity />
                <span id="total-used">{format_size(totals.used)} " of " {format_size(totals.capacity)} " (" {format_share(share)} ")"</span>
            </div>
            <div class="card">
                <span class="label">"Volumes"</span>
                <strong id="total-volumes">{totals.volumes}</strong>
                <span class="muted">{totals.hosts} " hosts"</span>
            </div>
            <div class="card">
                <span class="label">"Load now"</span>
                <strong id="total-iops">{format_iops(totals.load.iops() as f64)}</strong>
                <span class="muted">
                    {format_bandwidth(totals.load.bytes_per_sec() as f64)} " · "
                    {format_latency(totals.load.usec_per_op() as f64)}
                </span>
            </div>
            <div class="card">
                <span class="label">"Open alerts"</span>
                <A href="/alerts"><AlertPills counts=totals.alerts /></A>
            </div>
        </div>
        <div class="wide">
            <table id="fleet">
                <thead>
                    <tr>
                        <SortHeader key="name" label="Array" state />
                        <SortHeader key="used" label="Capacity used" state />
                        <th>"Full in"</th>
                        <th>"Hardware"</th>
                        <SortHeader key="reduction" label="Data reduction" state />
                        <SortHeader key="volumes" label="Volumes" state />
                        <SortHeader key="hosts" label="Hosts" state />
                        <th>"Protection groups"</th>
                        <th>"Destroyed"</th>
                        <SortHeader key="iops" label="IOPS" state />
                        <SortHeader key="bandwidth" label="Bandwidth" state />
                        <SortHeader key="latency" label="Latency" state />
                        <SortHeader key="alerts" label="Alerts" state />
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

/// Used of capacity as a bar coloured at 70, 80 and 90 %.
#[component]
fn CapacityBar(used: u64, capacity: u64) -> impl IntoView {
    let share = if capacity == 0 {
        0.0
    } else {
        used as f64 / capacity as f64
    };
    view! { <ShareBar share label="Capacity used" /> }
}

/// A share (0.84 = 84 %) as a meter bar coloured at 70, 80 and 90 %.
#[component]
pub fn ShareBar(
    share: f64,
    label: &'static str,
    #[prop(default = "")] class: &'static str,
) -> impl IntoView {
    let level = Fullness::of(share);
    let percent = (share * 100.0).clamp(0.0, 100.0);
    view! {
        <span
            class=format!("bar {class} {}", level.class())
            role="meter"
            aria-label=label
            aria-valuemin="0"
            aria-valuemax="100"
            aria-valuenow=format!("{percent:.0}")
            data-level=level.class()
        >
            <span style=format!("width: {percent:.1}%")></span>
        </span>
    }
}

/// The array's parts in a word, linking to its Overview where they are listed.
#[component]
fn HealthCell(array: String, health: HardwareHealth) -> impl IntoView {
    let class = if health.is_healthy() {
        "pill ok"
    } else {
        "pill critical"
    };
    let failing = health
        .failing
        .iter()
        .map(|part| part.name.clone())
        .collect::<Vec<_>>()
        .join(", ");
    let (healthy, summary) = (health.is_healthy().to_string(), health.summary());
    view! {
        <td class="health" data-healthy=healthy>
            <A href=format!("/arrays/{array}/overview")><span class=class>{summary}</span></A>
            <span class="muted small failing">{failing}</span>
        </td>
    }
}

#[component]
fn AlertPills(counts: AlertCounts) -> impl IntoView {
    if counts.total() == 0 {
        return view! { <span class="muted alerts-none">"none"</span> }.into_any();
    }
    let pill = |count: u64, severity: &'static str| {
        (count > 0).then(|| view! { <span class=format!("pill {severity}") data-severity=severity>{count} " " {severity}</span> })
    };
    view! {
        <span class="pills">
            {pill(counts.critical, "critical")}
            {pill(counts.warning, "warning")}
            {pill(counts.info, "info")}
        </span>
    }
    .into_any()
}

#[component]
fn ArrayRow(status: ArrayStatus, days_to_full: Option<f64>) -> impl IntoView {
    let name = status.name.clone();
    let href = format!("/arrays/{name}/overview");
    let version = status.figures.as_ref().map(|figures| {
        let rest = figures
            .rest_version
            .as_ref()
            .map(|rest| format!("· REST {rest}"));
        [figures.os.clone(), figures.version.clone(), rest]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ")
    });
    let cells = match status.figures {
        Some(figures) => view! { <Figures array=name.clone() figures days_to_full /> }.into_any(),
        None => {
            let since = status
                .failing_since
                .map(|since| view! { " since " <Timestamp epoch_ms=since /> });
            view! {
                <td colspan="12" class="unreachable">
                    <span class="error">"Not answering" {since} ": " {status.error.unwrap_or_default()}</span>
                </td>
            }
            .into_any()
        }
    };
    let label = name.clone();
    view! {
        <tr data-array=name>
            <td class="name"><A href=href>{label}</A><span class="muted small version">{version}</span></td>
            {cells}
        </tr>
    }
}

#[component]
fn Figures(array: String, figures: ArrayFigures, days_to_full: Option<f64>) -> impl IntoView {
    let share = figures.used_share();
    let kinds = format!(
        "unique {} · snapshots {} · shared {} · system {}",
        format_size(figures.unique),
        format_size(figures.snapshots),
        format_size(figures.shared),
        format_size(figures.system)
    );
    let alerts_href = format!("/alerts?array={array}");
    view! {
        <td class="capacity">
            <CapacityBar used=figures.used capacity=figures.capacity />
            <span class="used">{format_size(figures.used)} " of " {format_size(figures.capacity)} " (" {format_share(share)} ")"</span>
            <span class="muted small kinds">{kinds}</span>
        </td>
        <td class="full-in">
            {match days_to_full {
                Some(days) => full_in(days).trim_start_matches("full ").to_owned(),
                None => "–".to_owned(),
            }}
        </td>
        {match figures.health {
            Some(health) => view! { <HealthCell array=array.clone() health /> }.into_any(),
            None => view! {
                <td class="health" title="This array's Purity release does not report its hardware.">
                    <span class="muted">"not reported"</span>
                </td>
            }
            .into_any(),
        }}
        <td class="reduction">{format_reduction(figures.data_reduction)}</td>
        <td class="num volumes">{figures.volumes}</td>
        <td class="num hosts">{figures.hosts}</td>
        <td class="num groups">{figures.protection_groups}</td>
        <td class="num destroyed">
            {if figures.destroyed > 0 {
                view! { <A href="/recycle-bin">{figures.destroyed}</A> }.into_any()
            } else {
                view! { "0" }.into_any()
            }}
        </td>
        <td class="num iops">{format_count(figures.load.iops() as f64)}</td>
        <td class="num bandwidth">{format_bandwidth(figures.load.bytes_per_sec() as f64)}</td>
        <td class="num latency">{format_latency(figures.load.usec_per_op() as f64)}</td>
        <td class="alerts"><A href=alerts_href><AlertPills counts=figures.alerts /></A></td>
    }
}
