//! "Export CSV" beside a list: the rows as filtered and sorted, every page of them, handed to
//! the browser as a file.

use std::future::Future;
use std::pin::Pin;

use leptos::prelude::*;
use shared::listing::{Column, Value, as_csv};
use wasm_bindgen::JsCast;
use web_sys::js_sys::Array;
use web_sys::{Blob, BlobPropertyBag, HtmlElement, Url};

use super::{Outcome, OutcomeLine, Task};
use crate::api::ApiResult;

/// A list written as CSV, how many rows it holds, and how many the list has in all.
pub struct Csv {
    pub text: String,
    pub rows: usize,
    pub of: u64,
}

/// What gathers a list's rows when someone asks for them.
pub type Gather = Box<dyn Fn() -> Pin<Box<dyn Future<Output = ApiResult<Csv>>>>>;

/// Rows asked for at a time from a list the array pages, the most the portal's API gives.
const EXPORT_PAGE: u32 = 1000;
/// Most rows one export gathers from a list the array pages.
const EXPORT_MOST: usize = 50_000;

/// What gathers a list the array pages on `array`, as the page's `query` now has it: `page`
/// asks for the rows from an offset (array, query, offset, limit) and says how many match.
pub fn paged_csv<Q, F, Fut>(
    columns: &'static [Column],
    array: Memo<String>,
    query: impl Fn() -> Q + 'static,
    page: F,
) -> Gather
where
    Q: Clone + 'static,
    F: Fn(String, Q, u32, u32) -> Fut + Copy + 'static,
    Fut: Future<Output = ApiResult<(Vec<Vec<Value>>, u64)>> + 'static,
{
    Box::new(move || {
        let (array, query) = (array.get_untracked(), query());
        Box::pin(every_page(columns, move |offset, limit| {
            page(array.clone(), query.clone(), offset, limit)
        }))
    })
}

/// A list the array pages, gathered page by page: `page` asks for the rows from an offset
/// and says how many match in all. Stops at [`EXPORT_MOST`] rows.
async fn every_page<F, Fut>(columns: &'static [Column], page: F) -> ApiResult<Csv>
where
    F: Fn(u32, u32) -> Fut,
    Fut: Future<Output = ApiResult<(Vec<Vec<Value>>, u64)>>,
{
    let mut rows: Vec<Vec<Value>> = Vec::new();
    let of = loop {
        let (items, total) = page(rows.len() as u32, EXPORT_PAGE).await?;
        let got = items.len();
        rows.extend(items);
        if got == 0 || rows.len() as u64 >= total || rows.len() >= EXPORT_MOST {
            break total;
        }
    };
    rows.truncate(EXPORT_MOST);
    let shown: Vec<usize> = (0..rows.len()).collect();
    Ok(Csv {
        text: as_csv(&rows, columns, &shown),
        rows: rows.len(),
        of: of.max(rows.len() as u64),
    })
}

/// The button, and a line that says what was exported or why not.
#[component]
pub fn CsvExport(
    /// The button's id; the line's is `{id}-outcome`.
    #[prop(into)]
    id: String,
    /// The file's name, with `.csv`.
    #[prop(into)]
    file: Signal<String>,
    gather: Gather,
) -> impl IntoView {
    let task = Task::new();
    let gather = StoredValue::new_local(gather);
    let export = move |_| {
        let answer = gather.with_value(|gather| gather());
        let file = file.get_untracked();
        task.call("Exporting…", &[], answer, move |csv| {
            match download(&file, &csv.text) {
                Ok(()) if csv.of > csv.rows as u64 => Outcome::Done(format!(
                    "Exported the first {} of {} rows to {file}; narrow the search for the rest.",
                    csv.rows, csv.of
                )),
                Ok(()) => Outcome::Done(format!("Exported {} rows to {file}.", csv.rows)),
                Err(why) => Outcome::Failed(format!("The browser did not take the file: {why}")),
            }
        });
    };
    let line = format!("{id}-outcome");
    view! {
        <button id=id type="button" class="secondary csv" disabled=move || task.running() on:click=export>
            "Export CSV"
        </button>
        <OutcomeLine id=line outcome=task.outcome />
    }
}

/// Hands `text` to the browser as a download named `file`.
fn download(file: &str, text: &str) -> Result<(), String> {
    let described = |error: wasm_bindgen::JsValue| format!("{error:?}");
    let options = BlobPropertyBag::new();
    options.set_type("text/csv;charset=utf-8");
    let parts = Array::of1(&text.into());
    let blob = Blob::new_with_str_sequence_and_options(&parts, &options).map_err(described)?;
    let url = Url::create_object_url_with_blob(&blob).map_err(described)?;
    let document = document();
    let link = document.create_element("a").map_err(described)?;
    link.set_attribute("href", &url).map_err(described)?;
    link.set_attribute("download", file).map_err(described)?;
    link.unchecked_into::<HtmlElement>().click();
    // The download starts after the click returns; a minute later the browser has the file.
    set_timeout(
        move || {
            let _ = Url::revoke_object_url(&url);
        },
        std::time::Duration::from_secs(60),
    );
    Ok(())
}
