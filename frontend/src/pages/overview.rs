//! An array's overview: its capacity and load over the range chosen, from the array's own
//! history.

use leptos::prelude::*;

use crate::components::chart::HistoryCharts;
use crate::components::use_array;

#[component]
pub fn ArrayOverview() -> impl IntoView {
    let array = use_array();
    view! {
        <h1>"Overview of " {array}</h1>
        <HistoryCharts array />
    }
}
