//! Text written into other formats: HTML pages and CSV files, whose contents (names arrays
//! give) must never be read as markup or as a spreadsheet formula.

/// `text` as HTML text or attribute value.
pub fn html_escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// RFC 4180 quoting; a leading `=`, `+`, `-`, `@`, tab or carriage return is prefixed with
/// `'` so that a spreadsheet shows a name as text rather than running it as a formula (a
/// number, `-12.5`, is written as it is: it is no formula).
pub fn csv_field(text: &str) -> String {
    let number = text.parse::<f64>().is_ok_and(f64::is_finite);
    let text = if !number && text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if text.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// One CSV line of `fields`, ended by CRLF.
pub fn csv_row<S: AsRef<str>>(fields: &[S]) -> String {
    let mut row = fields
        .iter()
        .map(|field| csv_field(field.as_ref()))
        .collect::<Vec<_>>()
        .join(",");
    row.push_str("\r\n");
    row
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn csv_fields_are_quoted_and_never_formulas() {
        assert_eq!(csv_field("db-01"), "db-01");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(csv_field(""), "");
        assert_eq!(csv_field("\t=1+1"), "'\t=1+1");
        assert_eq!(csv_field("\r@x"), "\"'\r@x\"");
        assert_eq!(csv_row(&["a", "b,c"]), "a,\"b,c\"\r\n");
        assert_eq!(csv_field("-1234"), "-1234", "a number is no formula");
        assert_eq!(csv_field("-1+1"), "'-1+1");
    }

    #[test]
    fn html_text_is_never_markup() {
        assert_eq!(
            html_escaped("<script>alert('x') & \"y\"</script>"),
            "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;"
        );
    }

    proptest! {
        #[test]
        fn escaped_html_has_no_markup_characters(text in ".{0,200}") {
            let escaped = html_escaped(&text);
            prop_assert!(!escaped.contains(['<', '>', '"', '\'']));
        }
    }
}
