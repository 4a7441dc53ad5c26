//! Times as people read them: the browser's local time with how long ago, UTC on hover; and
//! countdowns that tick.

use leptos::prelude::*;
use shared::time::{describe_seconds, format_remaining, format_timestamp_ms};
use web_sys::js_sys::Date;

use crate::components::live::Live;

/// `12 s ago`.
pub fn relative_seconds(seconds: u64) -> String {
    format!("{} ago", describe_seconds(seconds))
}

/// `2026-11-30 11:05` in the browser's time zone, and the instant as ISO 8601 for machines.
pub fn local_minute(epoch_ms: i64) -> (String, String) {
    let date = Date::new(&wasm_bindgen::JsValue::from_f64(epoch_ms as f64));
    let local = format!(
        "{:04}-{:02}-{:02} {:02}:{:02}",
        date.get_full_year(),
        date.get_month() + 1,
        date.get_date(),
        date.get_hours(),
        date.get_minutes()
    );
    (local, date.to_iso_string().into())
}

/// A `datetime-local` value (`2026-11-23T14:30`), which the browser reads in its own time
/// zone, as epoch milliseconds.
pub fn parse_local_datetime(text: &str) -> Option<i64> {
    let valid_shape = text.len() >= 16 && text.as_bytes().get(10) == Some(&b'T');
    if !valid_shape {
        return None;
    }
    let ms = Date::new(&wasm_bindgen::JsValue::from_str(text)).get_time();
    (!ms.is_nan()).then_some(ms as i64)
}

/// `epoch_ms` as a `datetime-local` value in the browser's time zone.
pub fn local_datetime_value(epoch_ms: i64) -> String {
    local_minute(epoch_ms).0.replacen(' ', "T", 1)
}

/// The hours of a day as `<option>`s, `07:00` for 7, `chosen` selected.
pub fn hour_options(chosen: u8) -> impl IntoView {
    (0..24u8)
        .map(|hour| view! { <option value=hour.to_string() selected=hour == chosen>{format!("{hour:02}:00")}</option> })
        .collect_view()
}

/// How far east of UTC the browser's clock is, in minutes, now.
pub fn browser_utc_offset_minutes() -> i16 {
    let west = Date::new_0().get_timezone_offset();
    i16::try_from(-(west as i64)).unwrap_or_default()
}

/// An instant: local time and its age (or, ahead, how far off it is), the exact UTC time on
/// hover and for machines.
#[component]
pub fn Timestamp(epoch_ms: i64) -> impl IntoView {
    let live = expect_context::<Live>();
    let (local, iso) = local_minute(epoch_ms);
    let age = move || {
        let seconds = (live.now_ms() - epoch_ms as f64) / 1000.0;
        if seconds < -1.0 {
            format!("in {}", describe_seconds(-seconds as u64))
        } else {
            relative_seconds(seconds.max(0.0) as u64)
        }
    };
    view! {
        <time datetime=iso title=format_timestamp_ms(epoch_ms)>
            {local} " (" {age} ")"
        </time>
    }
}

/// Time left before an array eradicates something, counting down from what the array said
/// at `fetched_ms`.
#[component]
pub fn Countdown(remaining_ms: i64, fetched_ms: f64) -> impl IntoView {
    let live = expect_context::<Live>();
    move || {
        let elapsed = (live.now_ms() - fetched_ms).max(0.0) as i64;
        format_remaining(remaining_ms - elapsed)
    }
}
