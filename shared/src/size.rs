//! Volume sizes as storage admins type and read them: binary units, as Purity shows them.

use std::fmt;

/// 1 KiB; the suffixes K, M, G, T and P are powers of it, as on the array.
pub const KIB: u64 = 1024;
pub const MIB: u64 = KIB * 1024;
pub const GIB: u64 = MIB * 1024;
pub const TIB: u64 = GIB * 1024;
pub const PIB: u64 = TIB * 1024;

/// The smallest volume an array creates.
pub const MIN_VOLUME_SIZE: u64 = MIB;
/// The largest volume an array creates.
pub const MAX_VOLUME_SIZE: u64 = 4 * PIB;
/// Volume sizes are whole sectors.
pub const SECTOR_SIZE: u64 = 512;

const UNITS: [(char, u64); 5] = [('P', PIB), ('T', TIB), ('G', GIB), ('M', MIB), ('K', KIB)];

/// Why a size was refused; the message is meant for the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SizeError {
    Empty,
    Syntax(String),
    NotSectorMultiple(u64),
    TooSmall(u64),
    TooLarge(u64),
}

impl fmt::Display for SizeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SizeError::Empty => write!(f, "enter a size, such as 500M, 10G or 1T"),
            SizeError::Syntax(text) => write!(
                f,
                "\"{text}\" is not a size: use a number with K, M, G, T or P (binary units), such as 500M or 1.5T"
            ),
            SizeError::NotSectorMultiple(bytes) => {
                write!(f, "{bytes} bytes is not a multiple of {SECTOR_SIZE} bytes")
            }
            SizeError::TooSmall(bytes) => write!(
                f,
                "{} is below the minimum volume size of {}",
                format_size(*bytes),
                format_size(MIN_VOLUME_SIZE)
            ),
            SizeError::TooLarge(bytes) => write!(
                f,
                "{} is above the maximum volume size of {}",
                format_size(*bytes),
                format_size(MAX_VOLUME_SIZE)
            ),
        }
    }
}

impl std::error::Error for SizeError {}

/// Parses `5G`, `500M`, `1.5T`, `10GiB`, `2 t` or a plain byte count into bytes.
pub fn parse_size(text: &str) -> Result<u64, SizeError> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(SizeError::Empty);
    }
    let syntax = || SizeError::Syntax(trimmed.to_owned());
    let upper = trimmed.to_ascii_uppercase();
    let without_b = upper
        .strip_suffix("IB")
        .or_else(|| upper.strip_suffix('B'))
        .unwrap_or(&upper)
        .trim_end();
    let (number, multiplier) = match without_b.chars().last() {
        Some(unit) if unit.is_ascii_alphabetic() => {
            let multiplier = UNITS
                .iter()
                .find(|(letter, _)| *letter == unit)
                .map(|(_, multiplier)| *multiplier)
                .ok_or_else(syntax)?;
            (without_b[..without_b.len() - 1].trim_end(), multiplier)
        }
        _ => (without_b, 1),
    };
    scale(number, multiplier).ok_or_else(syntax)
}

/// Multiplies a decimal number by a unit exactly, refusing fractions of a byte.
fn scale(number: &str, multiplier: u64) -> Option<u64> {
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    if whole.is_empty() && fraction.is_empty() {
        return None;
    }
    if !whole
        .chars()
        .chain(fraction.chars())
        .all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let whole_value: u64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let mut bytes = whole_value.checked_mul(multiplier)?;
    if !fraction.is_empty() {
        let digits = u32::try_from(fraction.len()).ok()?;
        let denominator = 10u128.checked_pow(digits)?;
        let numerator = u128::from(fraction.parse::<u64>().ok()?) * u128::from(multiplier);
        if numerator % denominator != 0 {
            return None;
        }
        bytes = bytes.checked_add(u64::try_from(numerator / denominator).ok()?)?;
    }
    Some(bytes)
}

/// Checks what an array requires of a new volume's size.
pub fn validate_volume_size(bytes: u64) -> Result<u64, SizeError> {
    if !bytes.is_multiple_of(SECTOR_SIZE) {
        Err(SizeError::NotSectorMultiple(bytes))
    } else if bytes < MIN_VOLUME_SIZE {
        Err(SizeError::TooSmall(bytes))
    } else if bytes > MAX_VOLUME_SIZE {
        Err(SizeError::TooLarge(bytes))
    } else {
        Ok(bytes)
    }
}

/// Parses and validates a volume size typed by a person.
pub fn parse_volume_size(text: &str) -> Result<u64, SizeError> {
    parse_size(text).and_then(validate_volume_size)
}

/// Formats bytes the way the Purity GUI does: the largest binary unit, up to two decimals.
pub fn format_size(bytes: u64) -> String {
    for (letter, multiplier) in UNITS {
        if bytes >= multiplier {
            let hundredths =
                (u128::from(bytes) * 100 + u128::from(multiplier) / 2) / u128::from(multiplier);
            let whole = hundredths / 100;
            let fraction = hundredths % 100;
            return match fraction {
                0 => format!("{whole} {letter}"),
                f if f % 10 == 0 => format!("{whole}.{} {letter}", f / 10),
                f => format!("{whole}.{f:02} {letter}"),
            };
        }
    }
    format!("{bytes} B")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_units_admins_type() {
        assert_eq!(parse_size("5M"), Ok(5 * MIB));
        assert_eq!(parse_size("500m"), Ok(500 * MIB));
        assert_eq!(parse_size("5G"), Ok(5 * GIB));
        assert_eq!(parse_size("1T"), Ok(TIB));
        assert_eq!(parse_size("2P"), Ok(2 * PIB));
        assert_eq!(parse_size("1.5T"), Ok(TIB + TIB / 2));
        assert_eq!(parse_size("10GiB"), Ok(10 * GIB));
        assert_eq!(parse_size("10 GB"), Ok(10 * GIB));
        assert_eq!(parse_size(" 4k "), Ok(4 * KIB));
        assert_eq!(parse_size("1048576"), Ok(MIB));
    }

    #[test]
    fn refuses_what_is_not_a_size() {
        for text in ["", "  ", "G", "5X", "five", "1.2.3G", "-5G", "5GG", "1e3"] {
            assert!(parse_size(text).is_err(), "{text:?} was accepted");
        }
        assert_eq!(parse_size(""), Err(SizeError::Empty));
        assert_eq!(parse_size("0.3K"), Err(SizeError::Syntax("0.3K".into())));
    }

    #[test]
    fn volume_sizes_follow_the_array_rules() {
        assert_eq!(parse_volume_size("1M"), Ok(MIB));
        assert_eq!(parse_volume_size("4P"), Ok(4 * PIB));
        assert_eq!(
            parse_volume_size("1023K"),
            Err(SizeError::TooSmall(1023 * KIB))
        );
        assert_eq!(parse_volume_size("5P"), Err(SizeError::TooLarge(5 * PIB)));
        assert_eq!(
            parse_volume_size("1048577"),
            Err(SizeError::NotSectorMultiple(1_048_577))
        );
    }

    #[test]
    fn formats_like_the_purity_gui() {
        assert_eq!(format_size(5 * MIB), "5 M");
        assert_eq!(format_size(500 * MIB), "500 M");
        assert_eq!(format_size(TIB + TIB / 2), "1.5 T");
        assert_eq!(format_size(GIB + GIB / 4), "1.25 G");
        assert_eq!(format_size(1023), "1023 B");
        assert_eq!(format_size(4 * PIB), "4 P");
    }

    #[test]
    fn messages_name_the_problem() {
        assert!(
            SizeError::TooSmall(KIB)
                .to_string()
                .contains("minimum volume size of 1 M")
        );
        assert!(
            SizeError::Syntax("5X".into())
                .to_string()
                .contains("\"5X\"")
        );
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn any_text_is_a_size_or_a_reason(text in any::<String>()) {
            if let Ok(bytes) = parse_volume_size(&text) {
                prop_assert_eq!(validate_volume_size(bytes), Ok(bytes));
            }
        }

        #[test]
        fn numbers_with_units_never_overflow(number in any::<u64>(), unit in "[KMGTPEkmgtpe]?[iI]?[bB]?") {
            let _ = parse_size(&format!("{number}{unit}"));
            let _ = parse_size(&format!("{number}.{number}{unit}"));
        }

        #[test]
        fn whole_sizes_read_back_as_shown(count in 1u64..1024, unit in 0usize..UNITS.len()) {
            let bytes = count * UNITS[unit].1;
            prop_assert_eq!(parse_size(&format_size(bytes)), Ok(bytes));
        }
    }
}
