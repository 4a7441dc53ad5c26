//! What every Pure1 collection takes: `ids`/`names` (quoted, comma-separated), `filter`,
//! `sort`, `limit` (default and cap 1,000; 0 counts only), `offset` and `continuation_token`,
//! and the page it answers: `{continuation_token, total_item_count, items}`.
//!
//! Without a `sort`, items come in a fixed order (name, then id) and a continuation token
//! names the last item given, so paging with it returns every item exactly once even while
//! items come and go.

use std::cmp::Ordering;

use flasharray_sim::query::{Filter, SortKey, compare_by, parse_sort};
use serde_json::{Value, json};
use shared::pure1::MAX_LIMIT;

use crate::error::Pure1Fault;

/// The query of one collection request, checked.
#[derive(Debug, Default)]
pub struct Collection {
    pub ids: Option<Vec<String>>,
    pub names: Option<Vec<String>>,
    filter: Option<Filter>,
    sort: Vec<SortKey>,
    limit: usize,
    offset: usize,
    after: Option<(String, String)>,
}

/// The query's parameters as given, last value winning.
pub fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .rev()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

/// `'a','b'` (or `a,b`) as `["a", "b"]`; commas inside quotes belong to the value.
pub fn quoted_list(text: &str) -> Vec<String> {
    let mut values = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '\'' => quoted = !quoted,
            ',' if !quoted => values.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    values.push(current);
    values
        .into_iter()
        .map(|value| value.trim().to_owned())
        .filter(|value| !value.is_empty())
        .collect()
}

impl Collection {
    pub fn parse(params: &[(String, String)]) -> Result<Self, Pure1Fault> {
        let number = |name: &str| -> Result<Option<usize>, Pure1Fault> {
            param(params, name)
                .map(|text| {
                    text.trim().parse::<usize>().map_err(|_| {
                        Pure1Fault::bad(
                            name,
                            format!("{name} must be a whole number of 0 or more, not {text:?}."),
                        )
                    })
                })
                .transpose()
        };
        let filter = param(params, "filter")
            .filter(|text| !text.trim().is_empty())
            .map(|text| {
                Filter::parse(text).map_err(|reason| {
                    Pure1Fault::bad("filter", format!("Invalid filter {text:?}: {reason}."))
                })
            })
            .transpose()?;
        let sort = match param(params, "sort") {
            Some(text) if !text.trim().is_empty() => parse_sort(text).map_err(|reason| {
                Pure1Fault::bad("sort", format!("Invalid sort {text:?}: {reason}."))
            })?,
            _ => Vec::new(),
        };
        let after = param(params, "continuation_token")
            .map(|text| text.trim().trim_matches('\''))
            .filter(|text| !text.is_empty())
            .map(|text| {
                decode_token(text).ok_or_else(|| {
                    Pure1Fault::bad(
                        "continuation_token",
                        "Invalid continuation token: pass the one the previous page returned.",
                    )
                })
            })
            .transpose()?;
        Ok(Self {
            ids: param(params, "ids").map(quoted_list),
            names: param(params, "names").map(quoted_list),
            filter,
            sort,
            limit: number("limit")?.map_or(MAX_LIMIT, |limit| limit.min(MAX_LIMIT)),
            offset: number("offset")?.unwrap_or(0),
            after,
        })
    }

    /// The page of `items` (each with `id` and `name`) this query asks for.
    pub fn page(&self, items: Vec<Value>, kind: &str) -> Result<Value, Pure1Fault> {
        let items = self.select(items, kind)?;
        let mut items: Vec<Value> = match &self.filter {
            Some(filter) => items
                .into_iter()
                .filter(|item| filter.matches(item))
                .collect(),
            None => items,
        };
        // The total counts every match, also those earlier pages gave: the SDK stops paging
        // once it has read that many.
        let total = items.len();
        if self.sort.is_empty() {
            items.sort_by(|a, b| key_of(a).cmp(&key_of(b)));
            if let Some(after) = &self.after {
                items.retain(|item| {
                    key_of(item).cmp(&(after.0.as_str(), after.1.as_str())) == Ordering::Greater
                });
            }
        } else {
            items.sort_by(|a, b| compare_by(&self.sort, a, b));
        }
        let remaining = items.len();
        let page: Vec<Value> = items
            .into_iter()
            .skip(self.offset)
            .take(self.limit)
            .collect();
        let more = remaining > self.offset + page.len();
        let mut body = json!({"total_item_count": total, "items": []});
        if self.sort.is_empty()
            && more
            && let Some(last) = page.last()
        {
            let (name, id) = key_of(last);
            body["continuation_token"] = Value::String(encode_token(name, id));
        }
        body["items"] = Value::Array(page);
        Ok(body)
    }

    /// Only the items `ids` and `names` name; each must name one.
    fn select(&self, items: Vec<Value>, kind: &str) -> Result<Vec<Value>, Pure1Fault> {
        let mut items = items;
        for (param, field, wanted) in [("ids", "id", &self.ids), ("names", "name", &self.names)] {
            let Some(wanted) = wanted else { continue };
            if let Some(missing) = wanted
                .iter()
                .find(|value| !items.iter().any(|item| item[field] == **value))
            {
                return Err(Pure1Fault::bad(
                    param,
                    format!("{kind} {missing:?} does not exist."),
                ));
            }
            items.retain(|item| wanted.iter().any(|value| item[field] == **value));
        }
        Ok(items)
    }
}

fn key_of(item: &Value) -> (&str, &str) {
    (
        item["name"].as_str().unwrap_or_default(),
        item["id"].as_str().unwrap_or_default(),
    )
}

/// The last item given, hex-encoded so the token is opaque and URL-safe.
fn encode_token(name: &str, id: &str) -> String {
    format!("{name}\u{0}{id}")
        .bytes()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

fn decode_token(token: &str) -> Option<(String, String)> {
    if !token.len().is_multiple_of(2) {
        return None;
    }
    let bytes = (0..token.len())
        .step_by(2)
        .map(|at| u8::from_str_radix(token.get(at..at + 2)?, 16).ok())
        .collect::<Option<Vec<u8>>>()?;
    let text = String::from_utf8(bytes).ok()?;
    let (name, id) = text.split_once('\u{0}')?;
    Some((name.to_owned(), id.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn query(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
            .collect()
    }

    fn items(count: usize) -> Vec<Value> {
        (0..count)
            .map(|i| json!({"id": format!("id-{i}"), "name": format!("vol-{i:03}"), "size": i}))
            .collect()
    }

    #[test]
    fn paging_with_continuation_tokens_returns_every_item_once() {
        let mut seen = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut pairs = vec![("limit", "7")];
            let quoted;
            if let Some(token) = &token {
                quoted = format!("'{token}'");
                pairs.push(("continuation_token", &quoted));
            }
            let page = Collection::parse(&query(&pairs))
                .expect("query")
                .page(items(30), "Volume")
                .expect("page");
            assert_eq!(page["total_item_count"], 30);
            for item in page["items"].as_array().expect("items") {
                seen.push(item["name"].as_str().expect("name").to_owned());
            }
            match page["continuation_token"].as_str() {
                Some(next) => token = Some(next.to_owned()),
                None => break,
            }
        }
        let expected: Vec<String> = (0..30).map(|i| format!("vol-{i:03}")).collect();
        assert_eq!(seen, expected);
    }

    #[test]
    fn a_sorted_page_has_no_continuation_token_and_limit_is_capped() {
        let page = Collection::parse(&query(&[("sort", "size-"), ("limit", "2")]))
            .expect("query")
            .page(items(5), "Volume")
            .expect("page");
        assert!(page.get("continuation_token").is_none());
        assert_eq!(page["items"][0]["size"], 4);
        let capped = Collection::parse(&query(&[("limit", "5000")])).expect("query");
        assert_eq!(capped.limit, MAX_LIMIT);
        let counted = Collection::parse(&query(&[("limit", "0")]))
            .expect("query")
            .page(items(5), "Volume")
            .expect("page");
        assert_eq!(counted["total_item_count"], 5);
        assert_eq!(counted["items"].as_array().map(Vec::len), Some(0));
    }

    #[test]
    fn names_filters_and_refusals_name_their_parameter() {
        let page = Collection::parse(&query(&[("names", "'vol-001','vol-003'")]))
            .expect("query")
            .page(items(5), "Volume")
            .expect("page");
        assert_eq!(page["total_item_count"], 2);
        let missing = Collection::parse(&query(&[("names", "'nope'")]))
            .expect("query")
            .page(items(5), "Volume");
        assert!(
            matches!(missing, Err(Pure1Fault::Request { context: Some(ref c), .. }) if c == "names")
        );
        let filtered = Collection::parse(&query(&[("filter", "size>=3 and contains(name,'vol')")]))
            .expect("query")
            .page(items(5), "Volume")
            .expect("page");
        assert_eq!(filtered["total_item_count"], 2);
        for (name, value) in [
            ("limit", "-1"),
            ("offset", "x"),
            ("filter", "size>"),
            ("continuation_token", "zz"),
        ] {
            let refused = Collection::parse(&query(&[(name, value)]));
            assert!(
                matches!(refused, Err(Pure1Fault::Request { context: Some(ref c), .. }) if c == name),
                "{name}"
            );
        }
    }

    proptest! {
        #[test]
        fn quoted_lists_keep_commas_inside_quotes(values in proptest::collection::vec("[a-z,]{1,8}", 1..5)) {
            let text = values.iter().map(|value| format!("'{value}'")).collect::<Vec<_>>().join(",");
            let expected: Vec<String> = values.iter().map(|value| value.trim().to_owned()).filter(|v| !v.is_empty()).collect();
            prop_assert_eq!(quoted_list(&text), expected);
        }

        #[test]
        fn any_query_text_is_parsed_or_refused_without_panicking(name in "(limit|offset|filter|sort|continuation_token|names)", value in ".{0,40}") {
            let _ = Collection::parse(&[(name, value)]);
        }

        #[test]
        fn continuation_tokens_round_trip(name in "[^\u{0}]{0,20}", id in "[^\u{0}]{0,20}") {
            prop_assert_eq!(decode_token(&encode_token(&name, &id)), Some((name, id)));
        }
    }
}
