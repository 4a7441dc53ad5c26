//! Charts over time, drawn as SVG by the app (no chart library: a few kilobytes of code
//! instead of a dependency): stacked areas or lines against time, the value under the
//! pointer on hover, a "show as table" alternative, and a note when the history is empty or
//! starts inside the range. `HistoryCharts` fetches an array's or a volume's history for the
//! range chosen in the URL and draws capacity and performance.

use leptos::prelude::*;

use crate::components::live::Answer;
use shared::api::{Forecast, HISTORY_RANGES, History, Runway};
use shared::size::format_size;
use shared::units::{format_bandwidth, format_iops, format_latency};
use wasm_bindgen::JsCast;

use crate::api::{self, ApiResult};
use crate::components::live::live_resource;
use crate::components::loaded::Loaded;
use crate::components::table::UrlState;
use crate::components::time::local_minute;

const WIDTH: f64 = 960.0;
const HEIGHT: f64 = 220.0;
/// Room for the value labels on the left and the times below.
const LEFT: f64 = 78.0;
const BOTTOM: f64 = 22.0;

/// What a chart's values are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Bytes,
    Iops,
    Bandwidth,
    Latency,
    /// How far a copy is behind, in milliseconds.
    Lag,
}

impl Unit {
    pub fn format(self, value: f64) -> String {
        match self {
            Unit::Bytes => format_size(value.max(0.0) as u64),
            Unit::Iops => format_iops(value),
            Unit::Bandwidth => format_bandwidth(value),
            Unit::Latency => format_latency(value),
            Unit::Lag if value < 1000.0 => format!("{} ms", value.max(0.0).round() as u64),
            Unit::Lag => shared::time::describe_seconds((value / 1000.0).round() as u64),
        }
    }
}

/// One line or band: a label, its CSS class (its colour), a value per sample time.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub label: &'static str,
    pub class: &'static str,
    pub values: Vec<f64>,
}

/// A straight line from `(start time, value)` to `(end time, value)`, drawn dashed: the
/// capacity forecast's fitted growth, over the history and past its end.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Projection {
    pub from: (i64, f64),
    pub to: (i64, f64),
}

/// Where a value sits on the drawing.
#[derive(Debug, Clone, Copy)]
struct Scale {
    start: f64,
    end: f64,
    top: f64,
}

impl Scale {
    fn x(&self, time: i64) -> f64 {
        let span = (self.end - self.start).max(1.0);
        LEFT + (time as f64 - self.start) / span * (WIDTH - LEFT)
    }

    fn y(&self, value: f64) -> f64 {
        (HEIGHT - BOTTOM) - value / self.top * (HEIGHT - BOTTOM - 6.0)
    }

    fn time_at(&self, x: f64) -> f64 {
        self.start + (x - LEFT) / (WIDTH - LEFT) * (self.end - self.start)
    }
}

/// A round top for the value axis above `max`: 1, 2 or 5 times a power of ten (or of 1024
/// for bytes), so the labels read well.
fn nice_top(max: f64, unit: Unit) -> f64 {
    if max <= 0.0 || !max.is_finite() {
        return 1.0;
    }
    let base: f64 = if unit == Unit::Bytes || unit == Unit::Bandwidth {
        1024.0
    } else {
        10.0
    };
    let power = base.powf((max.ln() / base.ln()).floor());
    [1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0]
        .into_iter()
        .map(|step| step * power)
        .find(|top| *top >= max)
        .unwrap_or(max)
}

fn points(times: &[i64], values: &[f64], scale: Scale) -> String {
    times
        .iter()
        .zip(values)
        .map(|(time, value)| format!("{:.1},{:.1}", scale.x(*time), scale.y(*value)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Values over time against the window `start..end` (milliseconds). `stacked` draws each
/// series on top of the ones before; `limit` is a line drawn over them (capacity).
#[component]
pub fn TimeChart(
    #[prop(into)] id: String,
    title: &'static str,
    unit: Unit,
    start: i64,
    end: i64,
    times: Vec<i64>,
    series: Vec<Series>,
    #[prop(default = false)] stacked: bool,
    #[prop(default = None)] limit: Option<Series>,
    #[prop(default = None)] projection: Option<Projection>,
) -> impl IntoView {
    let end = projection.map_or(end, |projection| end.max(projection.to.0));
    let tops: Vec<Vec<f64>> = if stacked {
        let mut running = vec![0.0; times.len()];
        series
            .iter()
            .map(|series| {
                for (sum, value) in running.iter_mut().zip(&series.values) {
                    *sum += value;
                }
                running.clone()
            })
            .collect()
    } else {
        series.iter().map(|series| series.values.clone()).collect()
    };
    let max = tops
        .iter()
        .chain(limit.iter().map(|limit| &limit.values))
        .flatten()
        .copied()
        .chain(
            projection
                .iter()
                .flat_map(|projection| [projection.from.1, projection.to.1]),
        )
        .fold(0.0, f64::max);
    let scale = Scale {
        start: start as f64,
        end: end as f64,
        top: nice_top(max, unit),
    };
    let hovered = RwSignal::new(None::<usize>);
    let shapes = series
        .iter()
        .zip(&tops)
        .enumerate()
        .map(|(index, (series, top))| {
            let upper = points(&times, top, scale);
            if stacked {
                let lower: Vec<f64> = if index == 0 {
                    vec![0.0; times.len()]
                } else {
                    tops[index - 1].clone()
                };
                let mut back: Vec<(i64, f64)> = times.iter().copied().zip(lower).collect();
                back.reverse();
                let back: Vec<String> = back
                    .iter()
                    .map(|(time, value)| format!("{:.1},{:.1}", scale.x(*time), scale.y(*value)))
                    .collect();
                let polygon = format!("{upper} {}", back.join(" "));
                view! { <polygon class=format!("area {}", series.class) points=polygon /> }
                    .into_any()
            } else {
                view! { <polyline class=format!("line {}", series.class) points=upper /> }
                    .into_any()
            }
        })
        .collect_view();
    let limit_line = limit.as_ref().map(|limit| {
        let mut line = points(&times, &limit.values, scale);
        // The limit holds past the last sample, where the forecast runs on towards it.
        if let (Some(last_time), Some(last)) = (times.last(), limit.values.last())
            && end > *last_time
        {
            line.push_str(&format!(" {:.1},{:.1}", scale.x(end), scale.y(*last)));
        }
        view! { <polyline class=format!("line limit {}", limit.class) points=line /> }
    });
    let projection_line = projection.map(|projection| {
        let (from, to) = (projection.from, projection.to);
        view! {
            <line class="line projection" x1=scale.x(from.0) y1=scale.y(from.1) x2=scale.x(to.0) y2=scale.y(to.1) />
        }
    });
    // Nothing above zero: one tick, rather than a scale of made-up bytes.
    let shares: &[f64] = if max > 0.0 { &[0.0, 0.5, 1.0] } else { &[0.0] };
    let value_ticks = shares
        .iter()
        .copied()
        .map(|share| {
            let value = scale.top * share;
            let y = scale.y(value);
            view! {
                <line class="grid" x1=LEFT x2=WIDTH y1=y y2=y />
                <text class="tick" x={LEFT - 6.0} y={y + 4.0} text-anchor="end">{unit.format(value)}</text>
            }
        })
        .collect_view();
    let time_ticks = [start, start + (end - start) / 2, end]
        .into_iter()
        .enumerate()
        .map(|(index, time)| {
            let anchor = ["start", "middle", "end"][index];
            view! {
                <text class="tick" x=scale.x(time) y={HEIGHT - 4.0} text-anchor=anchor>{local_minute(time).0}</text>
            }
        })
        .collect_view();
    let hover_times = times.clone();
    let on_move = move |event: leptos::ev::MouseEvent| {
        let Some(svg) = event
            .current_target()
            .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
        else {
            return;
        };
        let bounds = svg.get_bounding_client_rect();
        let x = (f64::from(event.client_x()) - bounds.left()) / bounds.width().max(1.0) * WIDTH;
        let time = scale.time_at(x);
        let nearest = hover_times
            .iter()
            .enumerate()
            .min_by(|(_, a), (_, b)| {
                (**a as f64 - time)
                    .abs()
                    .total_cmp(&(**b as f64 - time).abs())
            })
            .map(|(index, _)| index);
        hovered.set(nearest);
    };
    let all: Vec<Series> = series.iter().cloned().chain(limit.clone()).collect();
    let readout_series = all.clone();
    let readout_times = times.clone();
    let readout_id = format!("{id}-readout");
    let readout = move || {
        hovered.get().map(|index| {
            let values = readout_series
                .iter()
                .map(|series| {
                    let value = series.values.get(index).copied().unwrap_or(0.0);
                    view! {
                        <span class="reading"><span class=format!("swatch {}", series.class)></span>
                            {series.label} ": " {unit.format(value)}</span>
                    }
                })
                .collect_view();
            let time = readout_times.get(index).copied().unwrap_or(start);
            view! { <p class="readout" id=readout_id.clone()><strong>{local_minute(time).0}</strong> {values}</p> }
        })
    };
    let cursor_times = times.clone();
    let cursor = move || {
        hovered
            .get()
            .and_then(|index| cursor_times.get(index))
            .map(|time| {
                let x = scale.x(*time);
                view! { <line class="cursor" x1=x x2=x y1=0.0 y2={HEIGHT - BOTTOM} /> }
            })
    };
    let legend = all
        .iter()
        .map(|series| {
            view! { <span class="legend-item"><span class=format!("swatch {}", series.class)></span>{series.label}</span> }
        })
        .collect_view();
    let projection_legend = projection.map(|_| {
        view! { <span class="legend-item"><span class="swatch projection"></span>"Fitted growth and forecast"</span> }
    });
    let rows = times
        .iter()
        .enumerate()
        .map(|(index, time)| {
            let cells = all
                .iter()
                .map(|series| {
                    let value = series.values.get(index).copied().unwrap_or(0.0);
                    view! { <td class="num">{unit.format(value)}</td> }
                })
                .collect_view();
            view! { <tr><td>{local_minute(*time).0}</td>{cells}</tr> }
        })
        .collect_view();
    let headers = all
        .iter()
        .map(|series| view! { <th>{series.label}</th> })
        .collect_view();
    let described = format!(
        "{title}: {} samples from {} to {}",
        times.len(),
        local_minute(start).0,
        local_minute(end).0
    );
    view! {
        <figure class="chart" id=id data-points=times.len()>
            <figcaption>{title} <span class="legend">{legend}{projection_legend}</span></figcaption>
            <svg
                viewBox=format!("0 0 {WIDTH} {HEIGHT}")
                role="img"
                aria-label=described
                on:mousemove=on_move
                on:mouseleave=move |_| hovered.set(None)
            >
                {value_ticks}
                {time_ticks}
                {shapes}
                {limit_line}
                {projection_line}
                {cursor}
            </svg>
            {readout}
            <details class="as-table">
                <summary>"Show as table"</summary>
                <table>
                    <thead><tr><th>"Time"</th>{headers}</tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </details>
        </figure>
    }
}

/// What a history holds, said plainly: nothing, or that it starts inside the range.
fn coverage(history: &History) -> Option<String> {
    let first = history
        .space
        .first()
        .map(|point| point.time)
        .into_iter()
        .chain(history.performance.first().map(|point| point.time))
        .min();
    match first {
        None => Some("No history for this range: the array has recorded nothing yet.".to_owned()),
        Some(first) if first > history.start_time + 2 * history.space_resolution => Some(format!(
            "History starts at {}: the array kept nothing from before.",
            local_minute(first).0
        )),
        Some(_) => None,
    }
}

/// The forecast in words: when the array reaches 80 % and 100 %, and how sure that is.
fn describe_forecast(forecast: &Forecast) -> String {
    const MIN_DAYS: f64 = shared::api::MIN_HISTORY_DAYS;
    if !forecast.enough_history {
        return format!(
            "Capacity forecast: not enough history ({:.0} of the {MIN_DAYS:.0} days it needs).",
            forecast.history_days
        );
    }
    let growth = forecast.growth_per_day.unwrap_or(0.0);
    let spread = forecast.growth_uncertainty_per_day.unwrap_or(0.0);
    let rate = format!(
        "{} {} a day (± {})",
        if growth < 0.0 { "shrinking" } else { "growing" },
        format_size(growth.abs() as u64),
        format_size(spread as u64)
    );
    let used = forecast.used_now.unwrap_or(0.0);
    let runway = |level: &str, share: f64, runway: Option<Runway>| match runway {
        Some(runway) => format!(
            "{level} in about {:.0} days ({:.0} to {})",
            runway.days,
            runway.earliest_days,
            runway
                .latest_days
                .map_or("perhaps never".to_owned(), |days| format!("{days:.0} days"))
        ),
        None if used >= share * forecast.capacity as f64 => format!("already {level}"),
        None => format!("{level}: not at this growth"),
    };
    format!(
        "Capacity forecast from the last {:.0} days, {rate}: {}; {}.",
        forecast.history_days,
        runway("80 % full", 0.8, forecast.to_80),
        runway("full", 1.0, forecast.to_100)
    )
}

/// The forecast's line: its fitted growth drawn back over the history it was fitted to (from
/// the chart's start at the earliest), so the history shows whether it agrees, then on from
/// today's use to when the array is full (or one range length past now, whichever is sooner).
fn projection_of(forecast: &Forecast, start: i64, end: i64) -> Option<Projection> {
    const DAY_MS: f64 = 86_400_000.0;
    let (used, per_day) = (forecast.used_now?, forecast.growth_per_day?);
    let at = |time: i64| used + per_day * (time - forecast.as_of) as f64 / DAY_MS;
    let fitted_from = forecast.as_of - (forecast.history_days * DAY_MS) as i64;
    let from = fitted_from.max(start).min(forecast.as_of);
    let horizon = end + (end - start);
    let until = forecast.to_100.map_or(horizon, |full| {
        horizon.min(forecast.as_of + (full.days * DAY_MS) as i64)
    });
    Some(Projection {
        from: (from, at(from).max(0.0)),
        to: (until, at(until).max(0.0)),
    })
}

/// Capacity and performance charts of `history`; `of_array` adds the capacity line, and a
/// `forecast` its growth carried forward and the dates it gives.
#[component]
fn HistoryView(history: History, of_array: bool, forecast: Option<Forecast>) -> impl IntoView {
    let note =
        coverage(&history).map(|note| view! { <p class="muted" id="history-note">{note}</p> });
    let space_times: Vec<i64> = history.space.iter().map(|point| point.time).collect();
    let part = |read: fn(&shared::api::SpacePoint) -> u64| -> Vec<f64> {
        history
            .space
            .iter()
            .map(|point| read(point) as f64)
            .collect()
    };
    let mut space = vec![
        Series {
            label: "Unique",
            class: "s-unique",
            values: part(|point| point.unique),
        },
        Series {
            label: "Snapshots",
            class: "s-snapshots",
            values: part(|point| point.snapshots),
        },
    ];
    if of_array {
        space.push(Series {
            label: "Shared",
            class: "s-shared",
            values: part(|point| point.shared),
        });
        space.push(Series {
            label: "System",
            class: "s-system",
            values: part(|point| point.system),
        });
    }
    let capacity = of_array.then(|| Series {
        label: "Capacity",
        class: "s-capacity",
        values: part(|point| point.capacity),
    });
    let load_times: Vec<i64> = history.performance.iter().map(|point| point.time).collect();
    let load = |read: fn(&shared::api::Load) -> u64| -> Vec<f64> {
        history
            .performance
            .iter()
            .map(|point| read(&point.load) as f64)
            .collect()
    };
    let pair = |read_label, reads: Vec<f64>, write_label, writes: Vec<f64>| {
        vec![
            Series {
                label: read_label,
                class: "s-read",
                values: reads,
            },
            Series {
                label: write_label,
                class: "s-write",
                values: writes,
            },
        ]
    };
    let (start, end) = (history.start_time, history.end_time);
    let projection = forecast
        .as_ref()
        .and_then(|forecast| projection_of(forecast, start, end));
    let forecast_note = forecast
        .as_ref()
        .map(|forecast| view! { <p id="forecast" data-enough=forecast.enough_history.to_string()>{describe_forecast(forecast)}</p> });
    view! {
        {note}
        {forecast_note}
        <TimeChart id="chart-capacity" title="Capacity" unit=Unit::Bytes start end
            times=space_times series=space stacked=true limit=capacity projection />
        <TimeChart id="chart-iops" title="IOPS" unit=Unit::Iops start end times=load_times.clone()
            series=pair("Read", load(|l| l.reads_per_sec), "Write", load(|l| l.writes_per_sec)) />
        <TimeChart id="chart-bandwidth" title="Bandwidth" unit=Unit::Bandwidth start end times=load_times.clone()
            series=pair("Read", load(|l| l.read_bytes_per_sec), "Write", load(|l| l.write_bytes_per_sec)) />
        <TimeChart id="chart-latency" title="Latency" unit=Unit::Latency start end times=load_times
            series=pair("Read", load(|l| l.usec_per_read_op), "Write", load(|l| l.usec_per_write_op)) />
    }
}

/// The range buttons and the charts of the array (or one of its volumes) for that range,
/// kept in the URL (`?range=7d`) and fetched again with every refresh.
#[component]
pub fn HistoryCharts(
    array: Memo<String>,
    #[prop(optional)] volume: Option<Memo<String>>,
) -> impl IntoView {
    let state = UrlState::new("");
    let range = move || {
        Some(state.text("range"))
            .filter(|r| !r.is_empty())
            .unwrap_or_else(|| "24h".to_owned())
    };
    let history = live_resource(move || {
        let (array, volume, range) = (array.get(), volume.map(|volume| volume.get()), range());
        async move {
            let fetched: ApiResult<History> = match volume {
                Some(volume) => api::volume_history(&array, &volume, &range).await,
                None => api::array_history(&array, &range).await,
            };
            fetched
        }
    });
    // A month's trend moves slowly: asked once per array, not with every range or refresh.
    // A chart without its forecast is still worth showing.
    let forecast = Answer::new(move || {
        let array = array.get();
        async move {
            match volume {
                Some(_) => None,
                None => api::forecast(&array).await.ok(),
            }
        }
    });
    let buttons = HISTORY_RANGES
        .iter()
        .map(|(name, _)| {
            let name = *name;
            view! {
                <button
                    class="secondary range"
                    data-range=name
                    aria-pressed=move || (range() == name).to_string()
                    on:click=move |_| state.set(&[("range", Some(name.to_owned()))], false)
                >{name}</button>
            }
        })
        .collect_view();
    view! {
        <section class="history" aria-label="History">
            <div class="toolbar" role="group" aria-label="Time range">{buttons}</div>
            <Loaded resource=history loading="Loading history…" error_id="history-error" let:history>
                <HistoryView history of_array=volume.is_none() forecast=forecast.get().flatten() />
            </Loaded>
        </section>
    }
}
