//! Timestamps as arrays send them (milliseconds since the Unix epoch), formatted for people.

/// Formats epoch milliseconds as `YYYY-MM-DD HH:MM:SS UTC`.
pub fn format_timestamp_ms(epoch_ms: i64) -> String {
    let seconds = epoch_ms.div_euclid(1000);
    let days = seconds.div_euclid(86_400);
    let second_of_day = seconds.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC",
        second_of_day / 3600,
        second_of_day % 3600 / 60,
        second_of_day % 60
    )
}

/// Formats epoch milliseconds as RFC 3339 in UTC with milliseconds,
/// `2026-12-06T04:40:05.123Z`, as syslog (RFC 5424) stamps its messages.
pub fn format_rfc3339_ms(epoch_ms: i64) -> String {
    let seconds = epoch_ms.div_euclid(1000);
    let days = seconds.div_euclid(86_400);
    let second_of_day = seconds.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        second_of_day / 3600,
        second_of_day % 3600 / 60,
        second_of_day % 60,
        epoch_ms.rem_euclid(1000)
    )
}

/// `12 s`, `3 min`, `5 h`, `2 d`: an age or a time left, in its largest whole unit.
pub fn describe_seconds(seconds: u64) -> String {
    match seconds {
        0..60 => format!("{seconds} s"),
        60..3_600 => format!("{} min", seconds / 60),
        3_600..86_400 => format!("{} h", seconds / 3_600),
        _ => format!("{} d", seconds / 86_400),
    }
}

/// `12 h 5 min`: a destroyed object's time left before its array eradicates it.
pub fn format_remaining(ms: i64) -> String {
    let minutes = ms.max(0) / 60_000;
    let (hours, minutes) = (minutes / 60, minutes % 60);
    if hours > 0 {
        format!("{hours} h {minutes} min")
    } else {
        format!("{minutes} min")
    }
}

/// Howard Hinnant's days-to-civil algorithm: exact for the proleptic Gregorian calendar.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describes_ages_in_their_largest_unit() {
        assert_eq!(describe_seconds(0), "0 s");
        assert_eq!(describe_seconds(59), "59 s");
        assert_eq!(describe_seconds(60), "1 min");
        assert_eq!(describe_seconds(7_199), "1 h");
        assert_eq!(describe_seconds(86_400 * 3 + 5), "3 d");
    }

    #[test]
    fn remaining_time_never_goes_negative() {
        assert_eq!(format_remaining(-5), "0 min");
        assert_eq!(format_remaining(61 * 60_000), "1 h 1 min");
        assert_eq!(format_remaining(59 * 60_000 + 59_999), "59 min");
    }

    #[test]
    fn formats_known_instants() {
        assert_eq!(format_timestamp_ms(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(
            format_timestamp_ms(951_782_400_000),
            "2000-02-29 00:00:00 UTC"
        );
        assert_eq!(
            format_timestamp_ms(1_795_381_803_999),
            "2026-11-22 21:10:03 UTC"
        );
        assert_eq!(format_timestamp_ms(-1000), "1969-12-31 23:59:59 UTC");
    }
}
