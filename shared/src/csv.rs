//! CSV as the portal writes it, in the browser and on the server alike: RFC 4180 quoting,
//! and names arrays give never read as a spreadsheet formula.

/// RFC 4180 quoting; a leading `=`, `+`, `-`, `@`, tab or carriage return is prefixed with
/// `'` so that a spreadsheet shows a name as text rather than running it as a formula (a
/// number, `-12.5`, is written as it is: it is no formula). A `;` or a tab is quoted too:
/// spreadsheets in many locales split on them, which would start a new cell, and a formula,
/// mid-field.
pub fn csv_field(text: &str) -> String {
    let number = text.parse::<f64>().is_ok_and(f64::is_finite);
    let text = if !number && text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if text.contains([',', ';', '\t', '"', '\r', '\n']) {
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
        assert_eq!(csv_field("\t=1+1"), "\"'\t=1+1\"");
        assert_eq!(csv_field("\r@x"), "\"'\r@x\"");
        assert_eq!(csv_row(&["a", "b,c"]), "a,\"b,c\"\r\n");
        assert_eq!(csv_field("-1234"), "-1234", "a number is no formula");
        assert_eq!(csv_field("-1+1"), "'-1+1");
        assert_eq!(
            csv_field("disk;=HYPERLINK(\"x\")"),
            "\"disk;=HYPERLINK(\"\"x\"\")\""
        );
        assert_eq!(csv_field("a\t=1"), "\"a\t=1\"");
    }

    /// Splits one CSV line at `separator` as a spreadsheet would, to check what was written
    /// reads back.
    fn read_back(line: &str, separator: char) -> Vec<String> {
        let mut fields = vec![String::new()];
        let mut quoted = false;
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            match (c, quoted) {
                ('"', true) if chars.peek() == Some(&'"') => {
                    chars.next();
                    fields.last_mut().unwrap().push('"');
                }
                ('"', _) => quoted = !quoted,
                (c, false) if c == separator => fields.push(String::new()),
                (c, _) => fields.last_mut().unwrap().push(c),
            }
        }
        fields
    }

    proptest! {
        #[test]
        fn a_row_reads_back_as_its_fields_and_starts_no_formula(fields in proptest::collection::vec(".{0,40}", 1..6)) {
            let row = csv_row(&fields);
            let line = row.strip_suffix("\r\n").unwrap();
            // A spreadsheet splitting on `;` or a tab sees no cell that starts a formula.
            for separator in [';', '\t'] {
                for cell in read_back(line, separator) {
                    let number = cell.parse::<f64>().is_ok_and(f64::is_finite);
                    prop_assert!(number || !cell.starts_with(['=', '+', '-', '@']), "{:?}", cell);
                }
            }
            let read = read_back(line, ',');
            prop_assert_eq!(read.len(), fields.len());
            for (read, field) in read.iter().zip(&fields) {
                let unprefixed = read.strip_prefix('\'').filter(|_| read.len() > field.len());
                prop_assert_eq!(unprefixed.unwrap_or(read), field.as_str());
                let number = field.parse::<f64>().is_ok_and(f64::is_finite);
                prop_assert!(number || !read.starts_with(['=', '+', '-', '@', '\t', '\r']));
            }
        }
    }
}
