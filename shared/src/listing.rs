//! How a list the browser holds whole is searched, sorted and written as CSV: the part of the
//! UI's list table that needs no browser, tested here.

use std::cmp::Ordering;

use crate::csv::csv_row;
use crate::time::format_rfc3339_ms;

/// One column: the class of its cells and its key in the URL and the CSV, its heading, and
/// whether it holds data (sorted, searched, exported) or only the row's actions.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub key: &'static str,
    pub label: &'static str,
    pub data: bool,
}

impl Column {
    pub const fn data(key: &'static str, label: &'static str) -> Self {
        Self {
            key,
            label,
            data: true,
        }
    }

    pub const fn actions(label: &'static str) -> Self {
        Self {
            key: "actions",
            label,
            data: false,
        }
    }
}

/// What a data cell holds, as sorted, searched and written to CSV: sizes and counts as
/// numbers (bytes, not "1.2 G"), times as instants.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    Number(f64),
    /// Milliseconds since the epoch, written as UTC in RFC 3339; none sorts first.
    Time(Option<i64>),
}

impl Value {
    fn order(&self, other: &Value) -> Ordering {
        match (self, other) {
            (Value::Text(a), Value::Text(b)) => a.to_lowercase().cmp(&b.to_lowercase()),
            (Value::Number(a), Value::Number(b)) => a.total_cmp(b),
            (Value::Time(a), Value::Time(b)) => a.cmp(b),
            _ => Ordering::Equal,
        }
    }

    fn holds(&self, wanted: &str) -> bool {
        matches!(self, Value::Text(text) if text.to_lowercase().contains(wanted))
    }

    fn csv(&self) -> String {
        match self {
            Value::Text(text) => text.clone(),
            Value::Number(number) => number.to_string(),
            Value::Time(Some(ms)) => format_rfc3339_ms(*ms),
            Value::Time(None) => String::new(),
        }
    }
}

impl From<&str> for Value {
    fn from(text: &str) -> Self {
        Value::Text(text.to_owned())
    }
}

impl From<String> for Value {
    fn from(text: String) -> Self {
        Value::Text(text)
    }
}

impl From<u64> for Value {
    fn from(number: u64) -> Self {
        Value::Number(number as f64)
    }
}

impl From<u32> for Value {
    fn from(number: u32) -> Self {
        Value::Number(number.into())
    }
}

/// The indexes of `rows` that hold `wanted` (any case) in a text cell, ordered by `sort` (a
/// data column's key, `-` before it for descending; ties and an unknown key keep the given
/// order). Each row's values follow the data columns' order.
pub fn arranged<R: AsRef<[Value]>>(
    rows: &[R],
    columns: &[Column],
    wanted: &str,
    sort: &str,
) -> Vec<usize> {
    let wanted = wanted.to_lowercase();
    let mut shown: Vec<usize> = (0..rows.len())
        .filter(|&index| {
            wanted.is_empty()
                || rows[index]
                    .as_ref()
                    .iter()
                    .any(|value| value.holds(&wanted))
        })
        .collect();
    let (descending, key) = match sort.strip_prefix('-') {
        Some(key) => (true, key),
        None => (false, sort),
    };
    let data = columns.iter().filter(|column| column.data);
    if let Some(at) = data.clone().position(|column| column.key == key) {
        shown.sort_by(|&a, &b| {
            let order = match (rows[a].as_ref().get(at), rows[b].as_ref().get(at)) {
                (Some(a), Some(b)) => a.order(b),
                _ => Ordering::Equal,
            };
            if descending { order.reverse() } else { order }
        });
    }
    shown
}

/// The rows at `shown` as CSV, headed by the data columns' keys.
pub fn as_csv<R: AsRef<[Value]>>(rows: &[R], columns: &[Column], shown: &[usize]) -> String {
    let header: Vec<&str> = columns
        .iter()
        .filter(|column| column.data)
        .map(|column| column.key)
        .collect();
    let mut text = csv_row(&header);
    for &index in shown {
        let fields: Vec<String> = rows[index].as_ref().iter().map(Value::csv).collect();
        text.push_str(&csv_row(&fields));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const COLUMNS: &[Column] = &[
        Column::data("name", "Name"),
        Column::data("size", "Size"),
        Column::actions("Actions"),
        Column::data("created", "Created"),
    ];

    fn rows() -> Vec<Vec<Value>> {
        [
            ("b-db", 30u64, Some(2_000)),
            ("A-web", 10, None),
            ("c-db", 20, Some(1_000)),
        ]
        .into_iter()
        .map(|(name, size, created)| vec![name.into(), Value::from(size), Value::Time(created)])
        .collect()
    }

    #[test]
    fn rows_are_searched_in_any_case_and_sorted_by_a_data_column() {
        let rows = rows();
        assert_eq!(
            arranged(&rows, COLUMNS, "", ""),
            [0, 1, 2],
            "given order by default"
        );
        assert_eq!(
            arranged(&rows, COLUMNS, "", "name"),
            [1, 0, 2],
            "names in any case"
        );
        assert_eq!(arranged(&rows, COLUMNS, "", "-size"), [0, 2, 1]);
        assert_eq!(
            arranged(&rows, COLUMNS, "", "created"),
            [1, 2, 0],
            "none first"
        );
        assert_eq!(arranged(&rows, COLUMNS, "DB", "size"), [2, 0]);
        assert_eq!(
            arranged(&rows, COLUMNS, "", "actions"),
            [0, 1, 2],
            "no data"
        );
        assert_eq!(
            arranged(&rows, COLUMNS, "30", ""),
            [] as [usize; 0],
            "numbers are not text"
        );
    }

    #[test]
    fn the_csv_holds_the_data_columns_of_the_rows_shown_in_their_order() {
        let rows = rows();
        assert_eq!(
            as_csv(&rows, COLUMNS, &[2, 1]),
            "name,size,created\r\nc-db,20,1970-01-01T00:00:01.000Z\r\nA-web,10,\r\n"
        );
    }

    proptest! {
        #[test]
        fn sorting_keeps_every_match_once_and_orders_it(
            sizes in proptest::collection::vec(0u64..1000, 0..40),
            descending in any::<bool>(),
        ) {
            let rows: Vec<Vec<Value>> = sizes
                .iter()
                .enumerate()
                .map(|(at, size)| vec![format!("v{at}").into(), Value::from(*size), Value::Time(None)])
                .collect();
            let sort = if descending { "-size" } else { "size" };
            let shown = arranged(&rows, COLUMNS, "", sort);
            let mut every = shown.clone();
            every.sort_unstable();
            prop_assert_eq!(every, (0..rows.len()).collect::<Vec<_>>());
            for pair in shown.windows(2) {
                let (a, b) = (sizes[pair[0]], sizes[pair[1]]);
                let ordered = if descending { a >= b } else { a <= b };
                prop_assert!(ordered);
            }
        }
    }
}
