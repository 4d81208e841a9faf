//! Tabular gold files: a CSV reader that follows Python's `csv` module
//! (excel dialect, non-strict), and the line decoder of the SemEval files
//! (UTF-8, else Windows-1252).

use anyhow::{bail, Context, Result};

use crate::eval::example::split_lines;

/// A CSV file read as Python's `csv.DictReader` reads it.
pub(crate) struct CsvTable {
    header: Vec<String>,
    pub(crate) rows: Vec<Vec<String>>,
}

impl CsvTable {
    pub(crate) fn parse(text: &str) -> Result<CsvTable> {
        let mut records = parse_csv(text)?.into_iter();
        let header = records.next().context("empty file (no header)")?;
        // DictReader skips empty rows (blank lines).
        let rows = records.filter(|r| !r.is_empty()).collect();
        Ok(CsvTable { header, rows })
    }

    /// Index of the first header name found among `names` (the last column
    /// of that name, as a Python dict keeps it).
    pub(crate) fn column(&self, names: &[&str]) -> Result<usize> {
        names
            .iter()
            .find_map(|name| self.header.iter().rposition(|h| h == name))
            .with_context(|| format!("no column {} in header {:?}", names.join(" / "), self.header))
    }

    pub(crate) fn field<'a>(&self, row: &'a [String], c: usize, n: usize) -> Result<&'a str> {
        row.get(c).map(String::as_str).with_context(|| {
            format!(
                "record {}: {} fields, no {:?}",
                n + 1,
                row.len(),
                self.header.get(c).map(String::as_str).unwrap_or("")
            )
        })
    }
}

/// Records of a CSV text, following Python's `csv.reader` (excel dialect:
/// `,` delimiter, `"` quotes, `""` an escaped quote, not strict) over a file
/// opened with `newline=""`: quoted fields may hold delimiters, quotes and
/// line breaks (kept as they are); a blank line is an empty record.
pub fn parse_csv(text: &str) -> Result<Vec<Vec<String>>> {
    #[derive(PartialEq, Clone, Copy)]
    enum St {
        StartRecord,
        StartField,
        InField,
        InQuoted,
        QuoteInQuoted,
        EatCrnl,
    }
    let mut records = Vec::new();
    let mut fields: Vec<String> = Vec::new();
    let mut field = String::new();
    let mut state = St::StartRecord;
    // `None` is the end-of-line marker the C parser feeds after each line.
    let step =
        |c: Option<char>, state: &mut St, fields: &mut Vec<String>, field: &mut String, line: usize| -> Result<()> {
            let save = |fields: &mut Vec<String>, field: &mut String| fields.push(std::mem::take(field));
            let mut s = *state;
            if s == St::StartRecord {
                match c {
                    None => return Ok(()),
                    Some('\n' | '\r') => {
                        *state = St::EatCrnl;
                        return Ok(());
                    }
                    _ => s = St::StartField,
                }
            }
            *state = match (s, c) {
                (St::StartField, Some('"')) => St::InQuoted,
                (St::QuoteInQuoted, Some('"')) => {
                    field.push('"');
                    St::InQuoted
                }
                // Outside quotes (and after a closing quote) every other character
                // is read the same way.
                (St::StartField | St::InField | St::QuoteInQuoted, c) => match c {
                    None => {
                        save(fields, field);
                        St::StartRecord
                    }
                    Some('\n' | '\r') => {
                        save(fields, field);
                        St::EatCrnl
                    }
                    Some(',') => {
                        save(fields, field);
                        St::StartField
                    }
                    Some(ch) => {
                        field.push(ch);
                        St::InField
                    }
                },
                (St::InQuoted, None) => St::InQuoted,
                (St::InQuoted, Some('"')) => St::QuoteInQuoted,
                (St::InQuoted, Some(ch)) => {
                    field.push(ch);
                    St::InQuoted
                }
                (St::EatCrnl, Some('\n' | '\r')) => St::EatCrnl,
                (St::EatCrnl, None) => St::StartRecord,
                (St::EatCrnl, Some(_)) => bail!("line {line}: new-line character seen in unquoted field"),
                (St::StartRecord, _) => unreachable!(),
            };
            Ok(())
        };
    for (i, line) in split_lines(text).into_iter().enumerate() {
        for c in line.chars() {
            step(Some(c), &mut state, &mut fields, &mut field, i + 1)?;
        }
        step(None, &mut state, &mut fields, &mut field, i + 1)?;
        if state == St::StartRecord {
            records.push(std::mem::take(&mut fields));
        }
    }
    // End of data inside a record (an unterminated quoted field): Python
    // saves the field and returns the record.
    if state == St::InQuoted {
        fields.push(std::mem::take(&mut field));
        records.push(fields);
    }
    Ok(records)
}

/// Windows-1252 for bytes 0x80..=0x9F (`None`: undefined there).
const CP1252_HIGH: [Option<char>; 32] = [
    Some('\u{20ac}'),
    None,
    Some('\u{201a}'),
    Some('\u{192}'),
    Some('\u{201e}'),
    Some('\u{2026}'),
    Some('\u{2020}'),
    Some('\u{2021}'),
    Some('\u{2c6}'),
    Some('\u{2030}'),
    Some('\u{160}'),
    Some('\u{2039}'),
    Some('\u{152}'),
    None,
    Some('\u{17d}'),
    None,
    None,
    Some('\u{2018}'),
    Some('\u{2019}'),
    Some('\u{201c}'),
    Some('\u{201d}'),
    Some('\u{2022}'),
    Some('\u{2013}'),
    Some('\u{2014}'),
    Some('\u{2dc}'),
    Some('\u{2122}'),
    Some('\u{161}'),
    Some('\u{203a}'),
    Some('\u{153}'),
    None,
    Some('\u{17e}'),
    Some('\u{178}'),
];

/// `_decode_line`: UTF-8, else Windows-1252 (undefined bytes replaced);
/// C1 control characters and U+FFFD become spaces.
pub(crate) fn decode_line(b: &[u8]) -> String {
    let s: String = match std::str::from_utf8(b) {
        Ok(s) => s.to_string(),
        Err(_) => b
            .iter()
            .map(|&x| match x {
                0x80..=0x9f => CP1252_HIGH[(x - 0x80) as usize].unwrap_or('\u{fffd}'),
                _ => x as char,
            })
            .collect(),
    };
    s.chars().map(|c| if matches!(c, '\u{80}'..='\u{9f}' | '\u{fffd}') { ' ' } else { c }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cp1252_fallback() {
        assert_eq!(decode_line(b"caf\xe9 \x93ok\x94 \x81x"), "café “ok”  x");
        assert_eq!(decode_line("naïve\u{85}".as_bytes()), "naïve ");
    }
}
