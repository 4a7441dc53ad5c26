//! Host port names as storage admins type them: iSCSI IQNs, Fibre Channel WWNs and NVMe NQNs,
//! checked and put in one normal form, as an array stores them.

/// A WWN in the array's form: 16 upper-case hex digits, no separators. Accepts
/// `21:00:00:24:ff:4c:c5:6a`, `21-00-…`, `210000…` in either case.
pub fn normalize_wwn(text: &str) -> Result<String, String> {
    let hex: String = text
        .trim()
        .chars()
        .filter(|c| !matches!(c, ':' | '-' | ' '))
        .collect();
    if hex.len() == 16 && hex.chars().all(|c| c.is_ascii_hexdigit()) {
        Ok(hex.to_ascii_uppercase())
    } else {
        Err(format!(
            "\"{}\" is not a WWN: give 16 hex digits, such as 21:00:00:24:ff:4c:c5:6a",
            text.trim()
        ))
    }
}

/// An IQN (`iqn.YYYY-MM.reverse.domain[:identifier]`) or EUI (`eui.` + 16 hex digits), in
/// lower case.
pub fn normalize_iqn(text: &str) -> Result<String, String> {
    let iqn = text.trim().to_ascii_lowercase();
    let invalid = || {
        format!(
            "\"{}\" is not an IQN: use iqn.YYYY-MM.com.example:name or eui.0123456789ABCDEF",
            text.trim()
        )
    };
    if let Some(rest) = iqn.strip_prefix("iqn.") {
        let (date, authority) = rest.split_at_checked(7).ok_or_else(invalid)?;
        let date_ok = date.len() == 7
            && date.as_bytes()[4] == b'-'
            && date
                .chars()
                .enumerate()
                .all(|(i, c)| i == 4 || c.is_ascii_digit());
        let authority_ok = authority.starts_with('.')
            && authority.len() > 1
            && authority
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-:_".contains(c));
        if date_ok && authority_ok && iqn.len() <= 223 {
            return Ok(iqn);
        }
    } else if let Some(hex) = iqn.strip_prefix("eui.")
        && hex.len() == 16
        && hex.chars().all(|c| c.is_ascii_hexdigit())
    {
        return Ok(format!("eui.{}", hex.to_ascii_uppercase()));
    }
    Err(invalid())
}

/// An NVMe qualified name (`nqn.YYYY-MM.reverse.domain:…`), kept as typed but trimmed.
pub fn normalize_nqn(text: &str) -> Result<String, String> {
    let nqn = text.trim();
    if nqn.starts_with("nqn.")
        && nqn.len() > 12
        && nqn.len() <= 223
        && !nqn.contains(char::is_whitespace)
    {
        Ok(nqn.to_owned())
    } else {
        Err(format!(
            "\"{nqn}\" is not an NQN: use nqn.YYYY-MM.com.example:name"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wwns_in_every_common_form_become_one() {
        for form in [
            "21:00:00:24:ff:4c:c5:6a",
            "21-00-00-24-FF-4C-C5-6A",
            "21000024ff4cc56a",
            " 21000024FF4CC56A ",
        ] {
            assert_eq!(
                normalize_wwn(form),
                Ok("21000024FF4CC56A".to_owned()),
                "{form}"
            );
        }
        assert!(normalize_wwn("21:00:00:24:ff:4c:c5").is_err());
        assert!(
            normalize_wwn("zz000024ff4cc56a")
                .unwrap_err()
                .contains("not a WWN")
        );
    }

    #[test]
    fn iqns_are_checked_and_lower_cased() {
        assert_eq!(
            normalize_iqn("iqn.1998-01.com.VMware:esx01-4a2b"),
            Ok("iqn.1998-01.com.vmware:esx01-4a2b".to_owned())
        );
        assert_eq!(
            normalize_iqn("eui.0123456789abcdef"),
            Ok("eui.0123456789ABCDEF".to_owned())
        );
        for bad in [
            "iqn.98-01.com.x",
            "iqn.1998-01",
            "iqn.1998-01.com x",
            "iscsi-host",
            "eui.123",
        ] {
            assert!(normalize_iqn(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn nqns_need_their_prefix() {
        assert!(normalize_nqn("nqn.2014-08.org.nvmexpress:uuid:1234").is_ok());
        assert!(normalize_nqn("host-nqn").is_err());
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn any_text_is_a_port_name_or_a_reason(text in any::<String>()) {
            if let Ok(wwn) = normalize_wwn(&text) {
                prop_assert_eq!(wwn.len(), 16);
                prop_assert_eq!(normalize_wwn(&wwn), Ok(wwn.clone()));
            }
            if let Ok(iqn) = normalize_iqn(&text) {
                prop_assert_eq!(normalize_iqn(&iqn), Ok(iqn.clone()));
            }
            if let Ok(nqn) = normalize_nqn(&text) {
                prop_assert_eq!(normalize_nqn(&nqn), Ok(nqn.clone()));
            }
        }

        #[test]
        fn wwns_in_any_spelling_agree(bytes in any::<[u8; 8]>(), colons in any::<bool>(), upper in any::<bool>()) {
            let hex: Vec<String> = bytes.iter().map(|byte| format!("{byte:02x}")).collect();
            let text = if colons { hex.join(":") } else { hex.concat() };
            let text = if upper { text.to_uppercase() } else { text };
            prop_assert_eq!(normalize_wwn(&text), Ok(hex.concat().to_uppercase()));
        }
    }
}
