//! A list the browser holds whole (host groups, protection groups, users, alerts, the recycle
//! bin): searched, sorted and paged here, its state in the URL, exported as CSV. A page says
//! only what its columns are and how one row looks; `shared::listing` does the arranging.

use leptos::prelude::*;
use shared::listing::{Column, Value, arranged, as_csv};

use super::UrlState;
use super::export::{Csv, CsvExport};
use super::table::{EmptyState, PAGE_SIZE, Pager, SortHeader};

/// One row: its data cells' values, in the order of the table's data columns, and how it is
/// drawn (a `<tr>` whose cells carry the columns' keys as classes).
pub struct Row {
    values: Vec<Value>,
    draw: Box<dyn Fn() -> AnyView>,
}

impl Row {
    pub fn new(values: Vec<Value>, draw: impl Fn() -> AnyView + 'static) -> Self {
        Self {
            values,
            draw: Box::new(draw),
        }
    }
}

impl AsRef<[Value]> for Row {
    fn as_ref(&self) -> &[Value] {
        &self.values
    }
}

/// The table, its pager when it has more than a page, and "Export CSV" for every row that
/// matches. The page keeps its search box outside whatever redraws the table, so that a
/// refresh never interrupts typing.
#[component]
pub fn ListTable(
    id: &'static str,
    columns: &'static [Column],
    rows: Vec<Row>,
    state: UrlState,
    /// The exported file's name, with `.csv`.
    #[prop(into)]
    file: String,
    /// What the table says when it has no rows at all.
    empty_id: &'static str,
    #[prop(into)] empty: String,
) -> impl IntoView {
    let total_rows = rows.len();
    let rows = StoredValue::new_local(rows);
    let shown = Memo::new(move |_| {
        let (search, sort) = (state.search(), state.sort());
        rows.with_value(|rows| arranged(rows, columns, &search, &sort))
    });
    let headers = columns
        .iter()
        .map(|column| {
            if column.data {
                view! { <SortHeader key=column.key label=column.label state /> }.into_any()
            } else {
                view! { <th class=column.key>{column.label}</th> }.into_any()
            }
        })
        .collect_view();
    let body = move || {
        let offset = state.offset() as usize;
        shown.with(|shown| {
            rows.with_value(|rows| {
                shown
                    .iter()
                    .skip(offset)
                    .take(PAGE_SIZE as usize)
                    .map(|&index| (rows[index].draw)())
                    .collect_view()
            })
        })
    };
    let footer = move || {
        let matching = shown.with(Vec::len);
        if total_rows == 0 {
            return view! { <EmptyState id=empty_id text=empty.clone() /> }.into_any();
        }
        if matching == 0 {
            let text = format!("Nothing here holds “{}”.", state.search());
            return view! { <EmptyState id=empty_id text /> }.into_any();
        }
        let on_page = matching
            .saturating_sub(state.offset() as usize)
            .min(PAGE_SIZE as usize);
        (matching > PAGE_SIZE as usize)
            .then(|| view! { <Pager total=matching as u64 shown=on_page state /> })
            .into_any()
    };
    let gather: super::export::Gather = Box::new(move || {
        let csv = shown.with_untracked(|shown| {
            rows.with_value(|rows| Csv {
                text: as_csv(rows, columns, shown),
                rows: shown.len(),
                of: shown.len() as u64,
            })
        });
        Box::pin(async move { Ok(csv) })
    });
    view! {
        <div class="list-tools">
            <CsvExport id=format!("{id}-csv") file gather />
        </div>
        <table id=id>
            <thead><tr>{headers}</tr></thead>
            <tbody>{body}</tbody>
        </table>
        {footer}
    }
}
