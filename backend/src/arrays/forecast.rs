//! How fast an array fills: its used space over the last [`FORECAST_DAYS`] fitted, for the
//! forecast, the placement advice and the notifications that warn before it is full.

use flasharray::ArrayClient;
use shared::api::{FORECAST_DAYS, Forecast, forecast};
use shared::flasharray::{HistoryWindow, SPACE_RESOLUTIONS};

use crate::clock::unix_now_ms;

const DAY_MS: i64 = 86_400_000;
/// Points asked for: enough for a fit, few enough to be quick.
const POINTS: i64 = 400;

/// The array's used space over the last [`FORECAST_DAYS`], fitted; and what it uses now.
pub async fn forecast_of(client: &ArrayClient) -> Result<(Forecast, u64), flasharray::Error> {
    let now = unix_now_ms();
    let window = HistoryWindow::for_points(
        now - FORECAST_DAYS * DAY_MS,
        now,
        POINTS,
        &SPACE_RESOLUTIONS,
    );
    let (history, current) =
        tokio::try_join!(client.array_space(Some(&window)), client.array_space(None))?;
    let now_point = current
        .first()
        .or(history.last())
        .map(shared::api::SpacePoint::from);
    let capacity = now_point.as_ref().map_or(0, |point| point.capacity);
    let used_now = now_point.as_ref().map_or(0, |point| point.used());
    let points: Vec<(i64, f64)> = history
        .iter()
        .map(|space| {
            let point = shared::api::SpacePoint::from(space);
            (point.time, point.used() as f64)
        })
        .collect();
    Ok((forecast(client.name(), capacity, &points, now), used_now))
}
