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
        return Err(format!(
            "{kind} name \"{name}\" is {} characters long; the limit is {MAX_NAME_LEN}",
            name.len()
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

#[cfg(test)]
mod tests {
    use super::*;

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
        ];
        for (name, reason) in cases {
            let message = validate_object_name("Volume", name).expect_err(name);
            assert!(message.contains(reason), "{name:?}: {message}");
            assert!(message.starts_with("Volume name"), "{message}");
        }
    }
}
