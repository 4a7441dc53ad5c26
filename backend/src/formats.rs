//! Text written into HTML pages, whose contents (names arrays give) must never be read as
//! markup; CSV is written by `shared::csv`, which the browser uses too.

/// `text` as HTML text or attribute value.
pub fn html_escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

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
