//! The report as people read it: a CSV for spreadsheets (one row per array, unprotected
//! volume and protection group), an HTML page for mail, and a few lines of text for chat.
//! Every name in it comes from an array and is written as text, never as markup or formula.

use std::fmt::Write;

use shared::api::{ArrayReport, FleetReport};
use shared::size::format_size;
use shared::time::format_timestamp_ms;

use crate::formats::html_escaped;
use shared::csv::csv_row;

/// What the CSV attachment and download are called.
pub const CSV_FILE_NAME: &str = "flashdeck-capacity-and-protection.csv";
/// What the HTML download is called.
pub const HTML_FILE_NAME: &str = "flashdeck-capacity-and-protection.html";
/// What a report says of an array whose lists it could not read to their end.
const INCOMPLETE: &str = "Incomplete: the array listed more than the report reads (or its pages did not end); counts may be short.";
/// How many unprotected volumes of an array the HTML names; the CSV names them all.
const HTML_VOLUMES: usize = 50;

const CSV_HEADER: [&str; 13] = [
    "section",
    "array",
    "name",
    "capacity_bytes",
    "used_bytes",
    "used_percent",
    "growth_bytes_per_day",
    "days_to_full",
    "scheduled",
    "snapshots",
    "oldest_snapshot",
    "newest_snapshot",
    "error",
];

fn percent(array: &ArrayReport) -> Option<f64> {
    array.used_share().map(|share| share * 100.0)
}

fn days(days: Option<f64>) -> String {
    match days {
        Some(days) if days < 1.0 => "under a day".to_owned(),
        Some(days) => format!("{:.0} days", days.floor()),
        None => "not filling".to_owned(),
    }
}

fn figure(value: Option<f64>, decimals: usize) -> String {
    value
        .map(|value| format!("{value:.decimals$}"))
        .unwrap_or_default()
}

fn time(ms: Option<i64>) -> String {
    ms.map(format_timestamp_ms).unwrap_or_default()
}

/// The report as CSV, with a header line.
pub fn csv(report: &FleetReport) -> String {
    let mut csv = csv_row(&CSV_HEADER);
    for array in &report.arrays {
        let name = array.array.as_str();
        let mut row = vec![String::new(); CSV_HEADER.len()];
        row[0] = "array".to_owned();
        row[1] = name.to_owned();
        row[2] = name.to_owned();
        if let Some(error) = &array.error {
            row[12] = error.clone();
            csv.push_str(&csv_row(&row));
            continue;
        }
        row[3] = array.capacity.to_string();
        row[4] = array.used.to_string();
        row[5] = figure(percent(array), 1);
        row[6] = figure(array.growth_per_day, 0);
        row[7] = figure(array.days_to_full, 1);
        if array.incomplete {
            row[12] = INCOMPLETE.to_owned();
        }
        csv.push_str(&csv_row(&row));
        for volume in &array.unprotected {
            let mut row = vec![String::new(); CSV_HEADER.len()];
            row[0] = "unprotected_volume".to_owned();
            row[1] = name.to_owned();
            row[2] = volume.name.clone();
            row[3] = volume.provisioned.to_string();
            csv.push_str(&csv_row(&row));
        }
        for group in &array.protection_groups {
            let mut row = vec![String::new(); CSV_HEADER.len()];
            row[0] = "protection_group".to_owned();
            row[1] = name.to_owned();
            row[2] = group.name.clone();
            row[8] = group.scheduled.to_string();
            row[9] = group.snapshots.to_string();
            row[10] = time(group.oldest_snapshot_ms);
            row[11] = time(group.newest_snapshot_ms);
            csv.push_str(&csv_row(&row));
        }
    }
    csv
}

/// A few lines for a chat channel or the mail's plain text: the fleet's figures, the arrays
/// that fill soonest, and what is unprotected.
pub fn summary(report: &FleetReport) -> String {
    let answered: Vec<&ArrayReport> = report
        .arrays
        .iter()
        .filter(|array| array.error.is_none())
        .collect();
    let mut text = format!(
        "Capacity and protection report of {} arrays",
        report.arrays.len()
    );
    let failed = report.arrays.len() - answered.len();
    if failed > 0 {
        let _ = write!(text, " ({failed} did not answer)");
    }
    text.push('.');
    for array in &answered {
        let _ = write!(
            text,
            "\n{}: {} of {} used ({}), full in {}; {} of {} volumes unprotected.",
            array.array,
            format_size(array.used),
            format_size(array.capacity),
            percent(array).map_or("?".to_owned(), |percent| format!("{percent:.0} %")),
            days(array.days_to_full),
            array.unprotected_count,
            array.volumes,
        );
    }
    text
}

/// The report as a self-contained HTML page (styles inline, for mail readers).
pub fn html(report: &FleetReport) -> String {
    let mut page = String::from(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>Capacity and protection report</title></head>\
         <body style=\"font-family: sans-serif; color: #1b1b1f\">",
    );
    let _ = write!(
        page,
        "<h1 style=\"font-size: 1.3em\">Capacity and protection report</h1>\
         <p>Made {} from {} arrays. Sizes are binary, as Purity shows them (1 G = 1024 M).</p>",
        format_timestamp_ms(report.generated_at_ms),
        report.arrays.len()
    );
    let cell = "style=\"padding: 4px 8px; border-bottom: 1px solid #ddd; text-align: left\"";
    let _ = write!(
        page,
        "<table style=\"border-collapse: collapse\"><thead><tr>\
         <th {cell}>Array</th><th {cell}>Used</th><th {cell}>Capacity</th><th {cell}>Used %</th>\
         <th {cell}>Growth a day</th><th {cell}>Full in</th><th {cell}>Volumes</th>\
         <th {cell}>Unprotected</th></tr></thead><tbody>"
    );
    for array in &report.arrays {
        let name = html_escaped(&array.array);
        match &array.error {
            Some(error) => {
                let _ = write!(
                    page,
                    "<tr><td {cell}>{name}</td><td {cell} colspan=\"7\">Not reported: {}</td></tr>",
                    html_escaped(error)
                );
            }
            None => {
                let _ = write!(
                    page,
                    "<tr><td {cell}>{name}</td><td {cell}>{}</td><td {cell}>{}</td>\
                     <td {cell}>{}</td><td {cell}>{}</td><td {cell}>{}</td>\
                     <td {cell}>{}</td><td {cell}>{}</td></tr>",
                    format_size(array.used),
                    format_size(array.capacity),
                    figure(percent(array), 0),
                    array
                        .growth_per_day
                        .map(|growth| format_size(growth.max(0.0) as u64))
                        .unwrap_or_default(),
                    days(array.days_to_full),
                    array.volumes,
                    array.unprotected_count,
                );
            }
        }
    }
    page.push_str("</tbody></table>");
    for array in report.arrays.iter().filter(|array| array.error.is_none()) {
        let name = html_escaped(&array.array);
        let _ = write!(page, "<h2 style=\"font-size: 1.1em\">{name}</h2>");
        if array.incomplete {
            let _ = write!(page, "<p><strong>{INCOMPLETE}</strong></p>");
        }
        if array.unprotected.is_empty() {
            page.push_str("<p>Every volume is in a protection group with a schedule.</p>");
        } else {
            let names: Vec<String> = array
                .unprotected
                .iter()
                .take(HTML_VOLUMES)
                .map(|volume| html_escaped(&volume.name))
                .collect();
            let more = array.unprotected_count.saturating_sub(names.len() as u64);
            let _ = write!(
                page,
                "<p>Not in any protection group with a schedule: {}{}.</p>",
                names.join(", "),
                if more > 0 {
                    format!(" and {more} more (the CSV names them all)")
                } else {
                    String::new()
                }
            );
        }
        if array.protection_groups.is_empty() {
            page.push_str("<p>No protection groups.</p>");
            continue;
        }
        let _ = write!(
            page,
            "<table style=\"border-collapse: collapse\"><thead><tr><th {cell}>Protection group</th>\
             <th {cell}>Schedule</th><th {cell}>Snapshots</th><th {cell}>Oldest snapshot</th>\
             <th {cell}>Newest snapshot</th></tr></thead><tbody>"
        );
        for group in &array.protection_groups {
            let _ = write!(
                page,
                "<tr><td {cell}>{}</td><td {cell}>{}</td><td {cell}>{}</td><td {cell}>{}</td>\
                 <td {cell}>{}</td></tr>",
                html_escaped(&group.name),
                if group.scheduled { "on" } else { "off" },
                group.snapshots,
                time(group.oldest_snapshot_ms),
                time(group.newest_snapshot_ms),
            );
        }
        page.push_str("</tbody></table>");
    }
    page.push_str("</body></html>");
    page
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::api::{GroupReport, ReportVolume};

    fn report() -> FleetReport {
        FleetReport {
            generated_at_ms: 1_796_601_600_000,
            arrays: vec![
                ArrayReport {
                    array: "fa-dr-01".to_owned(),
                    capacity: 100 << 40,
                    used: 84 << 40,
                    growth_per_day: Some(2.0 * (1u64 << 40) as f64),
                    days_to_full: Some(8.2),
                    volumes: 3,
                    unprotected_count: 1,
                    unprotected: vec![ReportVolume {
                        name: "=cmd|' /C calc'!A0".to_owned(),
                        provisioned: 1 << 30,
                    }],
                    protection_groups: vec![GroupReport {
                        name: "<b>nightly</b>".to_owned(),
                        scheduled: true,
                        snapshots: 2,
                        oldest_snapshot_ms: Some(1_796_515_200_000),
                        newest_snapshot_ms: Some(1_796_601_600_000),
                    }],
                    ..ArrayReport::default()
                },
                ArrayReport {
                    array: "fa-gone".to_owned(),
                    error: Some("no answer within 30 s".to_owned()),
                    ..ArrayReport::default()
                },
            ],
        }
    }

    #[test]
    fn the_csv_has_a_row_per_array_volume_and_group_and_no_formulas() {
        let csv = csv(&report());
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 5, "{csv}");
        assert!(lines[0].starts_with("section,array,name,capacity_bytes"));
        assert!(
            lines[1].starts_with("array,fa-dr-01,fa-dr-01,109951162777600,92358976733184,84.0,")
        );
        assert!(lines[1].contains(",8.2,"), "{}", lines[1]);
        assert!(
            lines[2].starts_with("unprotected_volume,fa-dr-01,'=cmd|' /C calc'!A0,1073741824,"),
            "{}",
            lines[2]
        );
        assert!(lines[3].contains("<b>nightly</b>,"));
        assert!(lines[3].contains(",true,2,2026-12-06 00:00:00 UTC,"));
        assert!(lines[4].ends_with("no answer within 30 s"));
    }

    #[test]
    fn the_html_shows_names_as_text_and_the_summary_the_figures() {
        let html = html(&report());
        assert!(html.contains("&lt;b&gt;nightly&lt;/b&gt;"));
        assert!(!html.contains("<b>nightly"));
        assert!(html.contains("Not reported: no answer within 30 s"));
        assert!(html.contains("8 days"));
        let summary = summary(&report());
        assert!(
            summary.contains("of 2 arrays (1 did not answer)"),
            "{summary}"
        );
        assert!(
            summary.contains(
                "fa-dr-01: 84 T of 100 T used (84 %), full in 8 days; 1 of 3 volumes unprotected."
            ),
            "{summary}"
        );
    }
}
