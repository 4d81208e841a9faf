//! The dates an input gives its documents and comments: a leading
//! `YYYY-MM-DD` that is a day of the calendar, from a date line, a JSON
//! `date` or the file name (the order is in `docs/formats.md`, "Dates").

use std::path::Path;

use crate::dates::calendar_date;

/// The `YYYY-MM-DD` that `s` starts with, when it is a plausible date.
pub(super) fn leading_date(s: &str) -> Option<&str> {
    let date = s.get(..10)?;
    let b = date.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if !(digits(0..4) && b[4] == b'-' && digits(5..7) && b[7] == b'-' && digits(8..10)) {
        return None;
    }
    calendar_date(date).then_some(date)
}

/// A document's JSON `date`: its leading `YYYY-MM-DD`; a date that is not
/// one is an error naming it, so the line is reported, not silently
/// undated. An empty string counts as no date.
pub(super) fn json_date(date: Option<&str>) -> Result<Option<String>, String> {
    match date.map(str::trim) {
        None | Some("") => Ok(None),
        Some(d) => leading_date(d)
            .map(|d| Some(d.to_string()))
            .ok_or_else(|| format!("`date` {d:?} is not a day of the calendar (YYYY-MM-DD)")),
    }
}

/// The first `YYYY-MM-DD` in the file name (without its extension) that is
/// not part of a longer run of digits and reads as a date
/// (`breitbart_2015-11-11_the-ninth-circle.txt`: 2015-11-11).
pub(crate) fn date_in_file_name(path: &Path) -> Option<String> {
    let stem = path.file_stem()?.to_string_lossy();
    let b = stem.as_bytes();
    (0..b.len()).find_map(|i| {
        let before_ok = i == 0 || !b[i - 1].is_ascii_digit();
        let after_ok = b.get(i + 10).map_or(true, |c| !c.is_ascii_digit());
        // `i` is a char boundary whenever `b[i]` is an ASCII digit.
        (before_ok && after_ok && b[i].is_ascii_digit())
            .then(|| stem.get(i..).and_then(leading_date).map(str::to_string))
            .flatten()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_file_names() {
        let date = |name: &str| date_in_file_name(Path::new(name));
        assert_eq!(date("corpus/breitbart_2015-11-11_the-ninth-circle.txt").as_deref(), Some("2015-11-11"));
        assert_eq!(date("2024-02-29.jsonl").as_deref(), Some("2024-02-29"));
        assert_eq!(date("x-2015-13-01-2015-12-01.txt").as_deref(), Some("2015-12-01"), "the first that is a date");
        assert_eq!(date("12015-11-11.txt"), None, "part of a longer number");
        assert_eq!(date("2015-11-110.txt"), None);
        assert_eq!(date("no_date_here.txt"), None);
        assert_eq!(date("2015-11-11/plain.txt"), None, "only the file name counts");
        assert_eq!(date("Zoë_2015-11-11.txt").as_deref(), Some("2015-11-11"));
    }
}
