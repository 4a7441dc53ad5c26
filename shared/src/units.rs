//! Figures as the Purity GUI shows them: operations as `12.35K`, bandwidth as `5.14 GB/s` in
//! binary units, latency in µs below a millisecond and ms above, reduction as `4.2 to 1`.

use crate::size::format_size;

/// `950`, `12.35K`, `1.2M` operations.
pub fn format_count(value: f64) -> String {
    let (scaled, suffix) = if value >= 1e6 {
        (value / 1e6, "M")
    } else if value >= 1e3 {
        (value / 1e3, "K")
    } else {
        return format!("{}", value.round() as u64);
    };
    let text = format!("{scaled:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    format!("{text}{suffix}")
}

/// `12.35K IOPS`.
pub fn format_iops(value: f64) -> String {
    format!("{} IOPS", format_count(value))
}

/// `512 MB/s`, in binary units as Purity counts them.
pub fn format_bandwidth(bytes_per_sec: f64) -> String {
    let size = format_size(bytes_per_sec.max(0.0) as u64);
    if size.ends_with(" B") {
        format!("{size}/s")
    } else {
        format!("{size}B/s")
    }
}

/// `350 µs`, `1.25 ms`.
pub fn format_latency(usec: f64) -> String {
    if usec < 1000.0 {
        format!("{} µs", usec.max(0.0).round() as u64)
    } else {
        format!("{:.2} ms", usec / 1000.0)
    }
}

/// `4.2 to 1`.
pub fn format_reduction(ratio: f64) -> String {
    format!("{:.1} to 1", ratio.max(0.0))
}

/// `83 %`.
pub fn format_share(share: f64) -> String {
    format!("{} %", (share * 100.0).round() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn figures_read_as_in_purity() {
        assert_eq!(format_count(950.0), "950");
        assert_eq!(format_count(12_345.0), "12.35K");
        assert_eq!(format_count(1_200_000.0), "1.2M");
        assert_eq!(format_iops(2000.0), "2K IOPS");
        assert_eq!(format_bandwidth(512.0 * 1024.0 * 1024.0), "512 MB/s");
        assert_eq!(format_bandwidth(100.0), "100 B/s");
        assert_eq!(format_latency(349.6), "350 µs");
        assert_eq!(format_latency(1250.0), "1.25 ms");
        assert_eq!(format_reduction(4.16), "4.2 to 1");
        assert_eq!(format_share(0.834), "83 %");
    }

    proptest! {
        #[test]
        fn any_figure_formats_without_panicking(value in proptest::num::f64::ANY) {
            let _ = (format_count(value), format_bandwidth(value), format_latency(value));
        }
    }
}
