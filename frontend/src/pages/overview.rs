//! An array's overview: its hardware with what fails first, how long it keeps what is
//! destroyed (SafeMode's posture), then its capacity and load over the range chosen, from the
//! array's own history.

use leptos::prelude::*;
use shared::api::{HardwareHealth, HardwareReport, PartCount, PartRow, describe_duration_ms};
use shared::flasharray::ArrayEradicationConfig;

use crate::api;
use crate::components::chart::HistoryCharts;
use crate::components::{Loaded, PlainTable, array_resource, use_array};

#[component]
pub fn ArrayOverview() -> impl IntoView {
    let array = use_array();
    let report = array_resource(array, |array| async move { api::hardware(&array).await });
    let eradication = array_resource(array, |array| async move {
        api::eradication_config(&array).await
    });
    view! {
        <h1>"Overview of " {array}</h1>
        <h2>"Hardware"</h2>
        <Loaded resource=report loading="Reading the array's hardware…" error_id="hardware-error" let:report>
            <HardwareView report />
        </Loaded>
        <h2>"Destroyed objects and SafeMode"</h2>
        <Loaded resource=eradication loading="Reading the array's eradication delays…" error_id="eradication-error" let:config>
            <EradicationFacts config />
        </Loaded>
        <HistoryCharts array />
    }
}

/// Counted as "19 of 20 healthy".
fn counted(count: PartCount, noun: &str) -> String {
    format!("{} of {} {noun}", count.healthy, count.total)
}

/// What the array is and runs: "FA-X70R4 · Purity//FA 6.9.1 · REST 2.52".
fn identity(report: &HardwareReport) -> String {
    [
        report.model.clone(),
        report
            .purity
            .as_ref()
            .map(|version| format!("Purity//FA {version}")),
        report
            .rest_version
            .as_ref()
            .map(|rest| format!("REST {rest}")),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" · ")
}

#[component]
fn HealthLine(health: HardwareHealth) -> impl IntoView {
    let class = if health.is_healthy() {
        "pill ok"
    } else {
        "pill critical"
    };
    view! {
        <p id="hardware-health">
            <span class=class>{health.summary()}</span>
            " "
            <span class="muted">
                {counted(health.controllers, "controllers ready")} " · "
                {counted(health.drives, "modules healthy")} " · "
                {counted(health.ports, "ports up")}
            </span>
        </p>
    }
}

/// One list of parts: the name, its kind (a controller's mode, a module's type), the
/// array's status word, marked when the part fails, and what else the array says of it.
#[component]
fn PartTable(
    id: &'static str,
    /// What the array calls the parts and their kind, then "Status" and "Details".
    headers: &'static [&'static str; 4],
    rows: Vec<PartRow>,
) -> impl IntoView {
    let rows = rows
        .into_iter()
        .map(|row| {
            let status_class = if row.failing {
                "status error"
            } else {
                "status"
            };
            let label = row.name.clone();
            view! {
                <tr id=format!("part-{}", row.name) data-part=row.name data-failing=row.failing.to_string()>
                    <td class="mono">{label}</td>
                    <td>{row.kind}</td>
                    <td class=status_class>{row.status}</td>
                    <td>{row.details}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <PlainTable id headers>{rows}</PlainTable>
    }
}

#[component]
fn HardwareView(report: HardwareReport) -> impl IntoView {
    let identity = identity(&report);
    view! {
        <p class="muted" id="array-identity">{identity}</p>
        <HealthLine health=report.health />
        <div class="grid">
            <div class="wide">
                <h3>"Controllers"</h3>
                <PartTable id="controllers" headers=&["Name", "Mode", "Status", "Details"] rows=report.controllers />
                <h3>"Flash and NVRAM modules"</h3>
                <PartTable id="drives" headers=&["Bay", "Type", "Status", "Details"] rows=report.drives />
            </div>
            <div class="wide">
                <h3>"Components"</h3>
                <PartTable id="parts" headers=&["Name", "Type", "Status", "Details"] rows=report.parts />
            </div>
        </div>
    }
}

/// How long the array keeps what is destroyed before it eradicates it, and what SafeMode keeps
/// longer, in the array's words.
#[component]
fn EradicationFacts(config: ArrayEradicationConfig) -> impl IntoView {
    let unreported = "not reported by this array's Purity".to_owned();
    let kept = config.enabled_ms().map_or(unreported.clone(), |ms| {
        format!(
            "{}, then the array eradicates them",
            describe_duration_ms(ms)
        )
    });
    // Releases before REST 2.26 keep everything for the one delay.
    let safemode = config.disabled_delay.map(|ms| {
        format!(
            "{} for snapshots of groups whose retention is locked: nobody can eradicate them sooner",
            describe_duration_ms(ms)
        )
    });
    let manual = match config.manual_eradication.as_deref() {
        Some("all-enabled") => "allowed for everything".to_owned(),
        Some("partially-disabled") => {
            "disabled for some objects: protection groups with locked retention keep their snapshots"
                .to_owned()
        }
        Some("all-disabled") => "disabled for everything (SafeMode on the whole array)".to_owned(),
        Some(other) => other.to_owned(),
        None => unreported,
    };
    view! {
        <dl class="facts" id="eradication-facts">
            <dt>"Kept once destroyed"</dt>
            <dd id="eradication-delay">{kept}</dd>
            {safemode.map(|text| view! {
                <dt>"Kept by SafeMode"</dt>
                <dd id="safemode-delay">{text}</dd>
            })}
            <dt>"Eradicating by hand"</dt>
            <dd id="manual-eradication">{manual}</dd>
        </dl>
    }
}
