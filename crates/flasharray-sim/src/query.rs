//! The `filter` and `sort` query parameters every REST 2.x list endpoint takes, evaluated on
//! an item's JSON form so that one implementation serves every resource.
//!
//! Filters: `name='vol*'`, `provisioned>1073741824`, `destroyed=false`,
//! `contains(name,'prod') and not(name='prod-old')`, `a=1 or (b!='x' and c<3)`. String
//! comparisons ignore case; `*` in a quoted string is a wildcard; nested fields are dotted
//! (`space.total_physical`). Sorts: `name`, `-provisioned` or `provisioned-` (descending),
//! several separated by commas.

use std::borrow::Cow;
use std::cmp::Ordering;

use serde_json::Value;

/// A parsed filter expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    Compare {
        field: String,
        op: Op,
        value: Literal,
    },
    Contains {
        field: String,
        text: String,
    },
    Not(Box<Filter>),
    And(Box<Filter>, Box<Filter>),
    Or(Box<Filter>, Box<Filter>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Text(String),
    Number(f64),
    Bool(bool),
    Null,
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    Text(String),
    Number(f64),
    Op(Op),
    Open,
    Close,
    Comma,
}

fn tokenize(input: &str) -> Result<Vec<Token>, String> {
    let mut tokens = Vec::new();
    let mut chars = input.char_indices().peekable();
    while let Some(&(at, c)) = chars.peek() {
        match c {
            ' ' | '\t' => {
                chars.next();
            }
            '(' | ')' | ',' => {
                chars.next();
                tokens.push(match c {
                    '(' => Token::Open,
                    ')' => Token::Close,
                    _ => Token::Comma,
                });
            }
            '\'' | '"' => {
                chars.next();
                let mut text = String::new();
                loop {
                    match chars.next() {
                        Some((_, q)) if q == c => break,
                        Some((_, other)) => text.push(other),
                        None => {
                            return Err(format!("unterminated string starting at position {at}"));
                        }
                    }
                }
                tokens.push(Token::Text(text));
            }
            '=' | '!' | '<' | '>' => {
                chars.next();
                let with_equals = chars.next_if(|&(_, next)| next == '=').is_some();
                let op = match (c, with_equals) {
                    ('=', _) => Op::Eq,
                    ('!', true) => Op::Ne,
                    ('<', false) => Op::Lt,
                    ('<', true) => Op::Le,
                    ('>', false) => Op::Gt,
                    ('>', true) => Op::Ge,
                    _ => return Err(format!("unexpected '!' at position {at}")),
                };
                tokens.push(Token::Op(op));
            }
            _ if c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-' => {
                let mut word = String::new();
                while let Some((_, next)) = chars.next_if(|&(_, next)| {
                    next.is_ascii_alphanumeric() || matches!(next, '_' | '.' | '-')
                }) {
                    word.push(next);
                }
                tokens.push(match word.parse::<f64>() {
                    Ok(number) => Token::Number(number),
                    Err(_) => Token::Word(word),
                });
            }
            _ => return Err(format!("unexpected '{c}' at position {at}")),
        }
    }
    Ok(tokens)
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.at).cloned();
        self.at += 1;
        token
    }

    fn keyword(&self, word: &str) -> bool {
        matches!(self.peek(), Some(Token::Word(w)) if w.eq_ignore_ascii_case(word))
    }

    fn expect(&mut self, expected: &Token, what: &str) -> Result<(), String> {
        match self.next() {
            Some(ref token) if token == expected => Ok(()),
            other => Err(format!(
                "expected {what}, found {}",
                describe(other.as_ref())
            )),
        }
    }

    fn or(&mut self) -> Result<Filter, String> {
        let mut left = self.and()?;
        while self.keyword("or") {
            self.at += 1;
            left = Filter::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Filter, String> {
        let mut left = self.unary()?;
        while self.keyword("and") {
            self.at += 1;
            left = Filter::And(Box::new(left), Box::new(self.unary()?));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Filter, String> {
        if self.peek() == Some(&Token::Open) {
            self.at += 1;
            let inner = self.or()?;
            self.expect(&Token::Close, "')'")?;
            return Ok(inner);
        }
        if self.keyword("not") {
            self.at += 1;
            self.expect(&Token::Open, "'(' after not")?;
            let inner = self.or()?;
            self.expect(&Token::Close, "')'")?;
            return Ok(Filter::Not(Box::new(inner)));
        }
        let field = match self.next() {
            Some(Token::Word(word)) => word,
            other => {
                return Err(format!(
                    "expected a field name, found {}",
                    describe(other.as_ref())
                ));
            }
        };
        if field.eq_ignore_ascii_case("contains") && self.peek() == Some(&Token::Open) {
            self.at += 1;
            let field = match self.next() {
                Some(Token::Word(word)) => word,
                other => {
                    return Err(format!(
                        "expected a field name in contains(), found {}",
                        describe(other.as_ref())
                    ));
                }
            };
            self.expect(&Token::Comma, "',' in contains()")?;
            let text = match self.next() {
                Some(Token::Text(text)) => text,
                other => {
                    return Err(format!(
                        "expected a quoted string in contains(), found {}",
                        describe(other.as_ref())
                    ));
                }
            };
            self.expect(&Token::Close, "')'")?;
            return Ok(Filter::Contains { field, text });
        }
        let op = match self.next() {
            Some(Token::Op(op)) => op,
            other => {
                return Err(format!(
                    "expected a comparison after {field}, found {}",
                    describe(other.as_ref())
                ));
            }
        };
        let value = match self.next() {
            Some(Token::Text(text)) => Literal::Text(text),
            Some(Token::Number(number)) => Literal::Number(number),
            Some(Token::Word(word)) if word.eq_ignore_ascii_case("true") => Literal::Bool(true),
            Some(Token::Word(word)) if word.eq_ignore_ascii_case("false") => Literal::Bool(false),
            Some(Token::Word(word)) if word.eq_ignore_ascii_case("null") => Literal::Null,
            other => {
                return Err(format!(
                    "expected a value after {field}, found {}",
                    describe(other.as_ref())
                ));
            }
        };
        Ok(Filter::Compare { field, op, value })
    }
}

fn describe(token: Option<&Token>) -> String {
    match token {
        None => "the end".to_owned(),
        Some(Token::Word(word)) => format!("'{word}'"),
        Some(Token::Text(text)) => format!("'{text}'"),
        Some(Token::Number(number)) => number.to_string(),
        Some(Token::Op(op)) => format!("{op:?}"),
        Some(Token::Open) => "'('".to_owned(),
        Some(Token::Close) => "')'".to_owned(),
        Some(Token::Comma) => "','".to_owned(),
    }
}

impl Filter {
    pub fn parse(input: &str) -> Result<Self, String> {
        let mut parser = Parser {
            tokens: tokenize(input)?,
            at: 0,
        };
        let filter = parser.or()?;
        match parser.peek() {
            None => Ok(filter),
            Some(token) => Err(format!(
                "unexpected {} after the expression",
                describe(Some(token))
            )),
        }
    }

    /// The dotted field names the filter reads.
    pub fn fields(&self) -> Vec<&str> {
        match self {
            Filter::Compare { field, .. } | Filter::Contains { field, .. } => vec![field],
            Filter::Not(inner) => inner.fields(),
            Filter::And(left, right) | Filter::Or(left, right) => {
                let mut fields = left.fields();
                fields.extend(right.fields());
                fields
            }
        }
    }

    pub fn matches(&self, item: &impl Lookup) -> bool {
        match self {
            Filter::Compare { field, op, value } => compare(item.lookup(field), *op, value),
            Filter::Contains { field, text } => item
                .lookup(field)
                .and_then(as_text)
                .is_some_and(|actual| lower(&actual).contains(&*lower(text))),
            Filter::Not(inner) => !inner.matches(item),
            Filter::And(left, right) => left.matches(item) && right.matches(item),
            Filter::Or(left, right) => left.matches(item) || right.matches(item),
        }
    }
}

/// Something `filter` and `sort` can read dotted fields of.
pub trait Lookup {
    fn lookup(&self, path: &str) -> Option<&Value>;
}

impl Lookup for Value {
    fn lookup(&self, path: &str) -> Option<&Value> {
        field_value(self, path)
    }
}

/// `space.total_physical` in `{"space": {"total_physical": 1}}`.
pub fn field_value<'a>(item: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(item, |value, key| value.get(key))
}

fn as_text(value: &Value) -> Option<Cow<'_, str>> {
    match value {
        Value::String(text) => Some(Cow::Borrowed(text)),
        Value::Number(number) => Some(Cow::Owned(number.to_string())),
        Value::Bool(flag) => Some(Cow::Owned(flag.to_string())),
        _ => None,
    }
}

/// `text` in lower case, copied only when it has upper-case letters: filters run over every
/// item of a list, and names are mostly lower case already.
fn lower(text: &str) -> Cow<'_, str> {
    if text.is_ascii() && !text.bytes().any(|byte| byte.is_ascii_uppercase()) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.to_lowercase())
    }
}

/// Orders text ignoring case, without copying ASCII.
fn cmp_ignoring_case(x: &str, y: &str) -> Ordering {
    if x.is_ascii() && y.is_ascii() {
        x.bytes()
            .map(|byte| byte.to_ascii_lowercase())
            .cmp(y.bytes().map(|byte| byte.to_ascii_lowercase()))
    } else {
        x.to_lowercase().cmp(&y.to_lowercase())
    }
}

fn compare(actual: Option<&Value>, op: Op, expected: &Literal) -> bool {
    let actual = actual.unwrap_or(&Value::Null);
    let ordering = match (actual, expected) {
        (Value::Null, Literal::Null) => Some(Ordering::Equal),
        (Value::Null, _) | (_, Literal::Null) => None,
        (Value::Number(number), Literal::Number(wanted)) => {
            number.as_f64().and_then(|n| n.partial_cmp(wanted))
        }
        (Value::Bool(flag), Literal::Bool(wanted)) => Some(flag.cmp(wanted)),
        (_, Literal::Text(pattern)) if pattern.contains('*') && matches!(op, Op::Eq | Op::Ne) => {
            let matched = as_text(actual).is_some_and(|text| glob(&lower(pattern), &lower(&text)));
            return matched == (op == Op::Eq);
        }
        (Value::Number(number), Literal::Text(text)) => text
            .parse::<f64>()
            .ok()
            .and_then(|wanted| number.as_f64().and_then(|n| n.partial_cmp(&wanted))),
        (Value::Bool(flag), Literal::Text(text)) => text
            .to_lowercase()
            .parse::<bool>()
            .ok()
            .map(|wanted| flag.cmp(&wanted)),
        (_, Literal::Text(text)) => as_text(actual).map(|actual| cmp_ignoring_case(&actual, text)),
        (Value::String(text), Literal::Number(wanted)) => {
            text.parse::<f64>().ok().and_then(|n| n.partial_cmp(wanted))
        }
        _ => None,
    };
    match (ordering, op) {
        (None, Op::Ne) => true,
        (None, _) => false,
        (Some(ordering), Op::Eq) => ordering == Ordering::Equal,
        (Some(ordering), Op::Ne) => ordering != Ordering::Equal,
        (Some(ordering), Op::Lt) => ordering == Ordering::Less,
        (Some(ordering), Op::Le) => ordering != Ordering::Greater,
        (Some(ordering), Op::Gt) => ordering == Ordering::Greater,
        (Some(ordering), Op::Ge) => ordering != Ordering::Less,
    }
}

/// `*` matches any run of characters, including none.
fn glob(pattern: &str, text: &str) -> bool {
    let mut parts = pattern.split('*').peekable();
    let first = parts.next().unwrap_or_default();
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    if parts.peek().is_none() {
        return rest.is_empty();
    }
    while let Some(part) = parts.next() {
        if parts.peek().is_none() {
            return rest.len() >= part.len() && rest.ends_with(part);
        }
        match find(rest, part) {
            Some(found) => rest = &rest[found + part.len()..],
            None => return false,
        }
    }
    true
}

/// Where `needle` first occurs in `haystack`. Names and the parts of a pattern are short, so a
/// plain scan beats `str::find`, which prepares a searcher on every call, and a filter runs
/// it once per listed item.
fn find(haystack: &str, needle: &str) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    haystack
        .as_bytes()
        .windows(needle.len())
        .position(|window| window == needle.as_bytes())
}

/// One key of a `sort` parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SortKey {
    pub field: String,
    pub descending: bool,
}

/// Parses `name,-provisioned,created-`. The spec writes descending as a trailing `-`, the SDK
/// documentation as a leading one; arrays take both.
pub fn parse_sort(input: &str) -> Result<Vec<SortKey>, String> {
    input
        .split(',')
        .map(str::trim)
        .map(|key| {
            let (field, descending) = match (key.strip_prefix('-'), key.strip_suffix('-')) {
                (Some(field), _) | (_, Some(field)) => (field, true),
                _ => (key, false),
            };
            if field.is_empty()
                || !field
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '_' || c == '.')
            {
                return Err(format!("invalid sort field {key:?}"));
            }
            Ok(SortKey {
                field: field.to_owned(),
                descending,
            })
        })
        .collect()
}

/// Orders two items by the sort keys: numbers by value, text ignoring case, missing first.
pub fn compare_by<L: Lookup>(keys: &[SortKey], a: &L, b: &L) -> Ordering {
    keys.iter()
        .map(|key| {
            let ordering = compare_values(a.lookup(&key.field), b.lookup(&key.field));
            if key.descending {
                ordering.reverse()
            } else {
                ordering
            }
        })
        .find(|ordering| *ordering != Ordering::Equal)
        .unwrap_or(Ordering::Equal)
}

fn compare_values(a: Option<&Value>, b: Option<&Value>) -> Ordering {
    match (a, b) {
        (Some(Value::Number(x)), Some(Value::Number(y))) => x
            .as_f64()
            .partial_cmp(&y.as_f64())
            .unwrap_or(Ordering::Equal),
        (Some(Value::String(x)), Some(Value::String(y))) => cmp_ignoring_case(x, y),
        (Some(Value::Bool(x)), Some(Value::Bool(y))) => x.cmp(y),
        (None | Some(Value::Null), None | Some(Value::Null)) => Ordering::Equal,
        (None | Some(Value::Null), _) => Ordering::Less,
        (_, None | Some(Value::Null)) => Ordering::Greater,
        _ => Ordering::Equal,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn volume(name: &str, provisioned: u64, destroyed: bool) -> Value {
        json!({"name": name, "provisioned": provisioned, "destroyed": destroyed, "space": {"total_physical": provisioned / 4}})
    }

    fn matching(filter: &str) -> Vec<String> {
        let volumes = [
            volume("prod-db01", 100, false),
            volume("Prod-Log", 50, false),
            volume("test-1", 10, true),
        ];
        let filter = Filter::parse(filter).expect("parses");
        volumes
            .iter()
            .filter(|item| filter.matches(*item))
            .map(|item| item["name"].as_str().unwrap_or_default().to_owned())
            .collect()
    }

    #[test]
    fn compares_text_ignoring_case_with_wildcards() {
        assert_eq!(matching("name='prod-log'"), ["Prod-Log"]);
        assert_eq!(matching("name='prod*'"), ["prod-db01", "Prod-Log"]);
        assert_eq!(matching("name!='*log'"), ["prod-db01", "test-1"]);
        assert_eq!(matching("name=\"*db*\""), ["prod-db01"]);
    }

    #[test]
    fn compares_numbers_booleans_and_nested_fields() {
        assert_eq!(matching("provisioned>50"), ["prod-db01"]);
        assert_eq!(matching("provisioned<=50"), ["Prod-Log", "test-1"]);
        assert_eq!(matching("destroyed=true"), ["test-1"]);
        assert_eq!(matching("destroyed='false'"), ["prod-db01", "Prod-Log"]);
        assert_eq!(
            matching("space.total_physical>=12"),
            ["prod-db01", "Prod-Log"]
        );
    }

    #[test]
    fn combines_with_and_or_not_contains_and_parentheses() {
        assert_eq!(
            matching("contains(name,'PROD') and not(provisioned=100)"),
            ["Prod-Log"]
        );
        assert_eq!(
            matching("name='test*' or (provisioned>60 and destroyed=false)"),
            ["prod-db01", "test-1"]
        );
        assert_eq!(matching("NOT(contains(name,'prod'))"), ["test-1"]);
    }

    #[test]
    fn refuses_malformed_filters_with_the_reason() {
        for (filter, reason) in [
            ("name=", "expected a value"),
            ("name='x", "unterminated string"),
            ("(name='x'", "expected ')'"),
            ("name 'x'", "expected a comparison"),
            ("name='x' extra", "unexpected 'extra'"),
            ("name ! 'x'", "unexpected '!'"),
        ] {
            let error = Filter::parse(filter).expect_err(filter);
            assert!(error.contains(reason), "{filter}: {error}");
        }
    }

    #[test]
    fn sorts_by_several_keys_either_way() {
        assert_eq!(
            parse_sort("-provisioned,name-,created"),
            Ok(vec![
                SortKey {
                    field: "provisioned".into(),
                    descending: true
                },
                SortKey {
                    field: "name".into(),
                    descending: true
                },
                SortKey {
                    field: "created".into(),
                    descending: false
                },
            ])
        );
        assert!(parse_sort("name;drop").is_err());
        let mut volumes = [
            volume("b", 10, false),
            volume("A", 10, false),
            volume("c", 99, false),
        ];
        let keys = parse_sort("-provisioned,name").expect("parses");
        volumes.sort_by(|a, b| compare_by(&keys, a, b));
        let names: Vec<&str> = volumes.iter().filter_map(|v| v["name"].as_str()).collect();
        assert_eq!(names, ["c", "A", "b"]);
    }

    #[test]
    fn globs_anchor_both_ends() {
        assert!(glob("a*c", "abbc"));
        assert!(glob("*", ""));
        assert!(!glob("a*c", "abcd"));
        assert!(glob("a*b*c", "aXbYc"));
        assert!(!glob("ab*ba", "aba"));
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn any_filter_text_parses_or_says_why(text in any::<String>()) {
            if let Err(message) = Filter::parse(&text) {
                prop_assert!(!message.is_empty());
            }
        }

        #[test]
        fn filter_like_text_never_panics(text in "[a-z_.()=<>!'\" *,0-9-]{0,60}") {
            if let Ok(filter) = Filter::parse(&text) {
                let item = serde_json::json!({"name": "vol-1", "provisioned": 5, "space": {"total_physical": 1}});
                let _ = filter.matches(&item);
            }
        }

        #[test]
        fn find_agrees_with_the_standard_library(haystack in ".{0,24}", needle in ".{0,4}") {
            prop_assert_eq!(find(&haystack, &needle), haystack.find(needle.as_str()));
        }

        #[test]
        fn find_agrees_where_matches_are_common(haystack in "[aé-]{0,20}", needle in "[aé-]{1,3}") {
            prop_assert_eq!(find(&haystack, &needle), haystack.find(needle.as_str()));
        }

        #[test]
        fn any_sort_text_parses_or_says_why(text in "[a-z_.,-]{0,40}|.{0,40}") {
            let _ = parse_sort(&text);
        }
    }
}
