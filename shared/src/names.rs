//! Object names as a FlashArray accepts them (volumes, hosts, host groups, protection groups).

/// The longest name an array accepts.
pub const MAX_NAME_LEN: usize = 63;

/// Checks a name against the array's rules: 1–63 characters of letters, digits and `-`,
/// starting and ending with a letter or digit, and containing at least one letter.
///
/// `kind` is the object's name as an admin says it ("Volume", "Host"), used in the message.
pub fn validate_object_name(kind: &str, name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err(format!("{kind} name is required"));
    }
    if name.len() > MAX_NAME_LEN {
        // Not quoted back: an overlong name can be any size.
        return Err(format!(
            "{kind} name is {} characters long; the limit is {MAX_NAME_LEN}",
            name.chars().count()
        ));
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-'))
    {
        return Err(format!(
            "{kind} name \"{name}\" contains '{bad}'; use only letters, digits and '-'"
        ));
    }
    let first_and_last_ok = name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric());
    if !first_and_last_ok {
        return Err(format!(
            "{kind} name \"{name}\" must begin and end with a letter or digit"
        ));
    }
    if !name.chars().any(|c| c.is_ascii_alphabetic()) {
        return Err(format!(
            "{kind} name \"{name}\" must contain at least one letter"
        ));
    }
    Ok(())
}

/// Where a pod's name ends and its volume's begins: `POD::VOLUME`.
pub const POD_SEPARATOR: &str = "::";

/// Checks a volume's name, which names its pod first when it lives in one (`POD::VOLUME`),
/// each part as [`validate_object_name`] says.
pub fn validate_volume_name(name: &str) -> Result<(), String> {
    match name.split_once(POD_SEPARATOR) {
        Some((pod, volume)) => {
            validate_object_name("Pod", pod).and_then(|()| validate_object_name("Volume", volume))
        }
        None => validate_object_name("Volume", name),
    }
}

/// The most names one pattern may expand to.
pub const MAX_PATTERN_NAMES: usize = 1000;

/// The longest pattern accepted: longer than any name it could make, since a bracket
/// stands for at most [`MAX_NAME_LEN`] characters.
pub const MAX_PATTERN_LEN: usize = 255;

/// Expands a name pattern as the Purity GUI takes it: `db-[1-8]` is `db-1` … `db-8`, and
/// `vol[01-12]` keeps the zero padding (`vol01` … `vol12`). A name without brackets is itself.
/// Every resulting name is checked with [`validate_object_name`] (volumes' with
/// [`validate_volume_name`], as they may be in a pod).
pub fn expand_name_pattern(kind: &str, pattern: &str) -> Result<Vec<String>, String> {
    if pattern.len() > MAX_PATTERN_LEN {
        return Err(format!(
            "The name pattern is {} characters long; the limit is {MAX_PATTERN_LEN}",
            pattern.chars().count()
        ));
    }
    let mut names = vec![String::new()];
    let mut rest = pattern;
    while let Some(open) = rest.find('[') {
        let close = rest[open..]
            .find(']')
            .map(|offset| open + offset)
            .ok_or_else(|| format!("\"{pattern}\" has a '[' without its ']'"))?;
        let range = &rest[open + 1..close];
        let (low, high) = range
            .split_once('-')
            .ok_or_else(|| format!("\"[{range}]\" is not a range such as [1-8]"))?;
        let parse = |text: &str| {
            text.parse::<u64>()
                .map_err(|_| format!("\"[{range}]\" is not a range of numbers such as [1-8]"))
        };
        let (first, last) = (parse(low)?, parse(high)?);
        if first > last {
            return Err(format!(
                "\"[{range}]\" counts down; write it as [{high}-{low}]"
            ));
        }
        let width = if low.starts_with('0') && low.len() > 1 {
            low.len()
        } else {
            0
        };
        if width > MAX_NAME_LEN {
            return Err(format!(
                "\"[{range}]\" pads numbers to {width} digits; a name has at most {MAX_NAME_LEN} characters"
            ));
        }
        let count = (last - first)
            .checked_add(1)
            .and_then(|count| usize::try_from(count).ok())
            .and_then(|count| names.len().checked_mul(count))
            .filter(|total| *total <= MAX_PATTERN_NAMES)
            .ok_or_else(|| format!("\"{pattern}\" makes more than {MAX_PATTERN_NAMES} names"))?;
        let prefix = &rest[..open];
        let mut expanded = Vec::with_capacity(count);
        for name in &names {
            expanded.extend((first..=last).map(|number| format!("{name}{prefix}{number:0width$}")));
        }
        names = expanded;
        rest = &rest[close + 1..];
    }
    if rest.contains(']') {
        return Err(format!("\"{pattern}\" has a ']' without its '['"));
    }
    let names: Vec<String> = names.into_iter().map(|name| name + rest).collect();
    for name in &names {
        if kind == "Volume" {
            validate_volume_name(name)?;
        } else {
            validate_object_name(kind, name)?;
        }
    }
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_volume_may_name_its_pod() {
        assert_eq!(validate_volume_name("prod::db-1"), Ok(()));
        assert_eq!(
            expand_name_pattern("Volume", "prod::db-[1-2]"),
            Ok(vec!["prod::db-1".to_owned(), "prod::db-2".to_owned()])
        );
        for name in ["::db", "prod::", "a::b::c", "pr_d::db", "prod:db"] {
            assert!(validate_volume_name(name).is_err(), "{name}");
        }
        assert!(validate_object_name("Host", "prod::h").is_err());
    }

    #[test]
    fn accepts_names_arrays_accept() {
        for name in ["vol1", "v", "db-01", "A1-b2", &"x".repeat(63)] {
            assert_eq!(validate_object_name("Volume", name), Ok(()), "{name}");
        }
    }

    #[test]
    fn refuses_names_arrays_refuse_with_the_reason() {
        let cases = [
            ("", "required"),
            ("-vol", "begin and end"),
            ("vol-", "begin and end"),
            ("vol_1", "contains '_'"),
            ("vol 1", "contains ' '"),
            ("12345", "at least one letter"),
            (&"x".repeat(64), "64 characters"),
            (&"x".repeat(100_000), "100000 characters"),
        ];
        for (name, reason) in cases {
            let message = validate_object_name("Volume", name).expect_err(name);
            assert!(message.contains(reason), "{name:?}: {message}");
            assert!(message.starts_with("Volume name"), "{message}");
        }
    }

    #[test]
    fn patterns_expand_ranges_keeping_zero_padding() {
        assert_eq!(
            expand_name_pattern("Volume", "db-[1-3]"),
            Ok(vec!["db-1".into(), "db-2".into(), "db-3".into()])
        );
        assert_eq!(
            expand_name_pattern("Volume", "vol[08-10]-x"),
            Ok(vec!["vol08-x".into(), "vol09-x".into(), "vol10-x".into()])
        );
        assert_eq!(
            expand_name_pattern("Volume", "plain"),
            Ok(vec!["plain".into()])
        );
        assert_eq!(
            expand_name_pattern("Volume", "r[1-2]c[1-2]").map(|names| names.len()),
            Ok(4)
        );
    }

    #[test]
    fn bad_patterns_say_what_is_wrong() {
        for (pattern, expected) in [
            ("db-[1-8", "without its ']'"),
            ("db-[8-1]", "counts down"),
            ("db-[a-c]", "range of numbers"),
            ("db-[1]", "not a range"),
            ("db-[1-2000]", "more than 1000"),
            ("db_[1-2]", "contains '_'"),
            ("db]", "without its '['"),
            ("v[0-4294967295]", "more than 1000"),
            ("v[0-18446744073709551615]", "more than 1000"),
            ("v[0-99999999999999999999]", "range of numbers"),
            (
                "v[0000000000000000000000000000000000000000000000000000000000000001-2]",
                "pads numbers to 64",
            ),
        ] {
            let error = expand_name_pattern("Volume", pattern).unwrap_err();
            assert!(error.contains(expected), "{pattern}: {error}");
        }
    }

    #[test]
    fn an_overlong_pattern_is_refused_before_it_is_read() {
        let pattern = format!("v[{}1-2]", "0".repeat(200_000));
        let error = expand_name_pattern("Volume", &pattern).unwrap_err();
        assert!(error.contains("the limit is 255"), "{error}");
        assert!(error.len() < 100, "the message does not quote the pattern");
    }

    #[test]
    fn an_overlong_name_is_not_quoted_back() {
        let message = validate_object_name("User", &"x".repeat(2_000_000)).unwrap_err();
        assert!(message.len() < 100, "{}", message.len());
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn any_pattern_expands_to_valid_names_or_says_why(pattern in "[a-z0-9\\[\\]-]{0,40}") {
            match expand_name_pattern("Volume", &pattern) {
                Ok(names) => {
                    prop_assert!(!names.is_empty() && names.len() <= MAX_PATTERN_NAMES);
                    for name in names {
                        prop_assert!(validate_object_name("Volume", &name).is_ok());
                    }
                }
                Err(message) => prop_assert!(!message.is_empty() && message.len() < 400),
            }
        }

        #[test]
        fn ranges_of_any_bounds_never_exceed_the_cap(
            low in any::<u64>(), high in any::<u64>(), zeros in 0usize..80
        ) {
            let pattern = format!("v[{}{low}-{high}]", "0".repeat(zeros));
            if let Ok(names) = expand_name_pattern("Volume", &pattern) {
                prop_assert!(names.len() <= MAX_PATTERN_NAMES);
                prop_assert!(names.iter().all(|name| name.len() <= MAX_NAME_LEN));
            }
        }

        #[test]
        fn any_text_is_a_name_or_a_reason(name in any::<String>()) {
            if let Err(message) = validate_object_name("Host", &name) {
                prop_assert!(message.starts_with("Host name"));
            }
        }
    }
}
