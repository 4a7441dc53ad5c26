//! An array's overview: its hardware with what fails first, then its capacity and load over
//! the range chosen, from the array's own history.

use leptos::prelude::*;
use shared::api::{HardwareHealth, HardwareReport, PartCount};
use shared::flasharray::{Drive, Hardware};
use shared::size::format_size;

use crate::api;
use crate::components::chart::HistoryCharts;
use crate::components::{Loaded, live_resource, use_array};

#[component]
pub fn ArrayOverview() -> impl IntoView {
    let array = use_array();
    let report = live_resource(move || {
        let array = array.get();
        async move { api::hardware(&array).await }
    });
    view! {
        <h1>"Overview of " {array}</h1>
        <h2>"Hardware"</h2>
        <Loaded resource=report loading="Reading the array's hardware…" error_id="hardware-error" let:report>
            <HardwareView report />
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
    let first = report.controllers.first();
    [
        first.and_then(|controller| controller.model.clone()),
        first
            .and_then(|controller| controller.version.clone())
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

/// A part's status in the array's word, marked when the part fails.
fn status_cell(status: Option<String>, failing: bool) -> impl IntoView {
    let class = if failing { "status error" } else { "status" };
    view! { <td class=class>{status.unwrap_or_default()}</td> }
}

/// One part's row: its name, then `cells`.
fn part_row(name: String, failing: bool, cells: impl IntoView + 'static) -> impl IntoView {
    let label = name.clone();
    view! {
        <tr data-part=name data-failing=failing.to_string()>
            <td class="mono">{label}</td>
            {cells}
        </tr>
    }
}

#[component]
fn HardwareView(report: HardwareReport) -> impl IntoView {
    let identity = identity(&report);
    let controllers = report
        .controllers
        .into_iter()
        .map(|controller| {
            let failing = !controller.is_ready();
            let cells = view! {
                <td>{controller.mode.unwrap_or_default()}</td>
                {status_cell(controller.status, failing)}
                <td>{controller.model.unwrap_or_default()}</td>
                <td>{controller.version.unwrap_or_default()}</td>
            };
            part_row(controller.name, failing, cells)
        })
        .collect_view();
    let drives = report
        .drives
        .into_iter()
        .map(|drive: Drive| {
            let failing = !drive.is_healthy();
            let cells = view! {
                <td>{drive.kind.unwrap_or_default()}</td>
                {status_cell(drive.status, failing)}
                <td class="num">{drive.capacity.filter(|bytes| *bytes > 0).map(format_size)}</td>
                <td>{drive.details}</td>
            };
            part_row(drive.name, failing, cells)
        })
        .collect_view();
    let parts = report
        .parts
        .into_iter()
        .map(|part: Hardware| {
            let failing = part.is_failing();
            let cells = view! {
                <td>{part.kind.map(|kind| kind.replace('_', " "))}</td>
                {status_cell(part.status, failing)}
                <td>{part.details}</td>
            };
            part_row(part.name, failing, cells)
        })
        .collect_view();
    view! {
        <p class="muted" id="array-identity">{identity}</p>
        <HealthLine health=report.health />
        <div class="grid">
            <div class="wide">
                <h3>"Controllers"</h3>
                <table id="controllers">
                    <thead><tr><th>"Name"</th><th>"Mode"</th><th>"Status"</th><th>"Model"</th><th>"Purity"</th></tr></thead>
                    <tbody>{controllers}</tbody>
                </table>
                <h3>"Flash and NVRAM modules"</h3>
                <table id="drives">
                    <thead><tr><th>"Bay"</th><th>"Type"</th><th>"Status"</th><th>"Capacity"</th><th>"Details"</th></tr></thead>
                    <tbody>{drives}</tbody>
                </table>
            </div>
            <div class="wide">
                <h3>"Components"</h3>
                <table id="parts">
                    <thead><tr><th>"Name"</th><th>"Type"</th><th>"Status"</th><th>"Details"</th></tr></thead>
                    <tbody>{parts}</tbody>
                </table>
            </div>
        </div>
    }
}
