//! An array's address as the portal accepts it: `https://HOST` or `https://HOST:PORT`, where
//! HOST is a DNS name, an IPv4 address or a bracketed IPv6 address. Nothing else: a path, a
//! query or credentials in the URL would be sent along with every call, or hide where the
//! calls really go.

/// The longest address accepted.
pub const MAX_URL_LEN: usize = 255;

/// Checks an array's address; the reason when it is refused.
pub fn validate_array_url(url: &str) -> Result<(), String> {
    const EXAMPLE: &str = "Give the array's address as https://HOST or https://HOST:PORT.";
    if url.len() > MAX_URL_LEN {
        return Err(format!(
            "The address is longer than {MAX_URL_LEN} characters. {EXAMPLE}"
        ));
    }
    let Some(authority) = url
        .get(..8)
        .filter(|scheme| scheme.eq_ignore_ascii_case("https://"))
        .map(|_| &url[8..])
    else {
        return Err(EXAMPLE.to_owned());
    };
    let authority = authority.strip_suffix('/').unwrap_or(authority);
    if let Some(bad) = authority
        .chars()
        .find(|c| matches!(c, '/' | '?' | '#' | '@'))
    {
        let what = match bad {
            '/' => "a path",
            '?' => "a query",
            '#' => "a fragment",
            _ => "a user name or password",
        };
        return Err(format!("The address holds {what}. {EXAMPLE}"));
    }
    let (host, port) = match authority.strip_prefix('[') {
        Some(bracketed) => {
            let (inside, after) = bracketed.split_once(']').ok_or(EXAMPLE)?;
            inside
                .parse::<std::net::Ipv6Addr>()
                .map_err(|_| format!("[{inside}] is not an IPv6 address. {EXAMPLE}"))?;
            match after {
                "" => (inside, None),
                _ => (inside, Some(after.strip_prefix(':').ok_or(EXAMPLE)?)),
            }
        }
        None => match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        },
    };
    if host.is_empty() {
        return Err(EXAMPLE.to_owned());
    }
    if !authority.starts_with('[') {
        let valid_label = |label: &str| {
            !label.is_empty()
                && label.len() <= 63
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        };
        if !host.split('.').all(valid_label) {
            return Err(format!("{host:?} is not a host name or address. {EXAMPLE}"));
        }
    }
    if let Some(port) = port
        && !port.parse::<u16>().is_ok_and(|port| port > 0)
    {
        return Err(format!("{port:?} is not a port (1-65535). {EXAMPLE}"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_hosts_addresses_and_ports() {
        for url in [
            "https://fa-prod-01.example.com",
            "https://fa-prod-01.example.com/",
            "HTTPS://FA-1",
            "https://192.0.2.10:8443",
            "https://[2001:db8::10]",
            "https://[::1]:8443",
        ] {
            assert_eq!(validate_array_url(url), Ok(()), "{url}");
        }
    }

    #[test]
    fn refuses_anything_else_saying_what_is_wrong() {
        for (url, reason) in [
            ("http://fa-1", "https://HOST"),
            ("https://", "https://HOST"),
            ("https://fa-1/api", "a path"),
            ("https://fa-1?x=1", "a query"),
            ("https://fa-1#top", "a fragment"),
            ("https://admin:secret@fa-1", "a user name or password"),
            ("https://fa_1", "not a host name"),
            ("https://fa-1:0", "not a port"),
            ("https://fa-1:99999", "not a port"),
            ("https://[not-v6]", "not an IPv6 address"),
            ("https://fa-1:", "not a port"),
        ] {
            let message = validate_array_url(url).expect_err(url);
            assert!(message.contains(reason), "{url}: {message}");
        }
    }

    mod properties {
        use super::super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn any_text_is_accepted_only_as_a_bare_https_address(text in any::<String>()) {
                if validate_array_url(&text).is_ok() {
                    prop_assert!(text.to_ascii_lowercase().starts_with("https://"));
                    let rest = &text[8..];
                    prop_assert!(!rest.trim_end_matches('/').contains(['/', '?', '#', '@']));
                }
            }

            #[test]
            fn any_https_text_is_checked_without_panicking(rest in "[a-z0-9:/?#@\\[\\].-]{0,40}") {
                let _ = validate_array_url(&format!("https://{rest}"));
            }
        }
    }
}
