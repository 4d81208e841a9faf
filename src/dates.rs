//! Calendar dates, the one place that does date arithmetic: `YYYY-MM-DD`
//! checks, days since 1970-01-01 and back, today's date and the time of a
//! log line. A leaf: it imports nothing from the crate.

use std::time::{SystemTime, UNIX_EPOCH};

/// Year, month and day of `s` when it is exactly `YYYY-MM-DD` and a day of
/// the (proleptic Gregorian) calendar.
fn year_month_day(s: &str) -> Option<(u32, u32, u32)> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |acc, &c| c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0')))
    };
    let (year, month, day) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    (1..=days).contains(&day).then_some((year, month, day))
}

/// Whether `s` is exactly `YYYY-MM-DD` and a day of the calendar (no
/// 2016-02-30, no month 13; year 0000 passes).
pub fn calendar_date(s: &str) -> bool {
    year_month_day(s).is_some()
}

/// `Some(date)` when `date` is a valid calendar date written `YYYY-MM-DD`
/// from year 1 on (what `xs:date` and Gephi's `timeformat="date"` accept),
/// else `None`.
pub(crate) fn valid_date(date: &str) -> Option<&str> {
    year_month_day(date).filter(|(year, _, _)| *year >= 1).map(|_| date)
}

/// Days since 1970-01-01 of a valid `YYYY-MM-DD` (Howard Hinnant's
/// days_from_civil).
pub(crate) fn days_from_date(date: &str) -> i64 {
    let n = |r: std::ops::Range<usize>| date[r].parse::<i64>().unwrap_or(1);
    let (y, m, d) = (n(0..4), n(5..7), n(8..10));
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date `days` days after 1970-01-01.
pub(crate) fn date_from_days(days: i64) -> String {
    date_from_unix(days * 86_400)
}

/// The UTC date of a Unix time, `YYYY-MM-DD` (proleptic Gregorian; years
/// clamped to 1..=9999 so the result is always a valid `xs:date`).
pub(crate) fn date_from_unix(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    if year < 1 {
        return "0001-01-01".to_string();
    }
    if year > 9999 {
        return "9999-12-31".to_string();
    }
    format!("{year:04}-{month:02}-{day:02}")
}

fn unix_now() -> i64 {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(0),
        Err(_) => 0,
    }
}

/// Today's UTC date as `YYYY-MM-DD`; `SOURCE_DATE_EPOCH` (seconds), when set,
/// replaces the clock so that outputs can be reproducible.
pub fn today() -> String {
    let secs =
        std::env::var("SOURCE_DATE_EPOCH").ok().and_then(|v| v.trim().parse::<i64>().ok()).unwrap_or_else(unix_now);
    date_from_unix(secs)
}

/// Now, UTC, as `YYYY-MM-DDTHH:MM:SSZ` (log lines, run records).
pub fn now_utc() -> String {
    let secs = unix_now();
    let day = date_from_unix(secs);
    let s = secs.rem_euclid(86_400);
    format!("{day}T{:02}:{:02}:{:02}Z", s / 3600, s / 60 % 60, s % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unix_days_to_dates() {
        assert_eq!(date_from_unix(0), "1970-01-01");
        assert_eq!(date_from_unix(951_782_400), "2000-02-29");
        assert_eq!(date_from_unix(1_709_251_199), "2024-02-29");
        assert_eq!(date_from_unix(-86_400), "1969-12-31");
        assert_eq!(date_from_unix(i64::MIN / 2), "0001-01-01");
        assert_eq!(today().len(), 10);
    }

    #[test]
    fn days_go_both_ways() {
        assert_eq!(days_from_date("1970-01-01"), 0);
        assert_eq!(days_from_date("2000-03-01"), 11_017);
        for d in ["1999-12-31", "2000-02-29", "2024-03-01", "1969-01-01"] {
            assert_eq!(date_from_days(days_from_date(d)), d);
        }
    }

    #[test]
    fn calendar_checks() {
        assert_eq!(valid_date("2024-02-29"), Some("2024-02-29"));
        assert_eq!(valid_date("2023-02-29"), None);
        assert_eq!(valid_date("2023-13-01"), None);
        assert_eq!(valid_date("2023-1-01"), None);
        assert_eq!(valid_date("yesterday"), None);
        assert_eq!(valid_date("0000-01-01"), None);
        assert!(calendar_date("0000-01-01"));
        assert!(!calendar_date("2016-02-30"));
    }
}
