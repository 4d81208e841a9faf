//! Reading a SQLite file page by page, without SQLite, for `recover` when
//! SQLite itself can't reach a page: the page size (from the header, else
//! the size whose pages look like B-tree pages), table B-tree pages and
//! their rows (payload, rowid and record, with overflow chains), the table
//! list of page 1 and the free-page list. Layout: the SQLite file format
//! document (<https://www.sqlite.org/fileformat2.html>).

use std::collections::HashSet;
use std::path::Path;

use rusqlite::types::Value;

/// Page sizes tried, in order, when the header can't tell.
const PAGE_SIZES: [usize; 8] = [4096, 1024, 2048, 8192, 16384, 32768, 65536, 512];

/// Page types of table B-trees.
const TABLE_INTERIOR: u8 = 0x05;
const TABLE_LEAF: u8 = 0x0D;
const INDEX_INTERIOR: u8 = 0x02;
const INDEX_LEAF: u8 = 0x0A;

/// A database file held in memory, read page by page.
pub(crate) struct PageFile {
    bytes: Vec<u8>,
    page_size: usize,
    /// Page size less the reserved bytes at each page's end.
    usable: usize,
    /// Whether page 1 starts with a SQLite header whose page size is valid.
    header_ok: bool,
}

/// One row found on a table leaf page.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PageRow {
    pub(crate) rowid: i64,
    pub(crate) values: Vec<Value>,
}

/// The rows of one table leaf page: those decoded, and how many cells
/// could not be (a bad record, an overflow chain that is broken).
#[derive(Debug, Default)]
pub(crate) struct LeafRows {
    pub(crate) rows: Vec<PageRow>,
    pub(crate) broken: usize,
}

/// The pages of one table B-tree reached from its root.
#[derive(Debug, Default)]
pub(crate) struct TreeWalk {
    pub(crate) leaves: Vec<u32>,
    /// Every page reached, interior ones included.
    pub(crate) reached: HashSet<u32>,
    /// False when a page on the way is not a table B-tree page (damaged,
    /// or past the end of the file): the leaves under it were not reached.
    pub(crate) complete: bool,
}

/// One row of the table list (`sqlite_schema`).
#[derive(Debug, Clone)]
pub(crate) struct SchemaEntry {
    pub(crate) kind: String,
    pub(crate) name: String,
    pub(crate) root: u32,
}

/// A B-tree page's header, checked for consistency.
struct PageHeader {
    kind: u8,
    /// Offsets of the cells within the page.
    cells: Vec<usize>,
    right_child: u32,
    first_freeblock: usize,
}

impl PageFile {
    pub(crate) fn read(path: &Path) -> std::io::Result<PageFile> {
        Ok(PageFile::from_bytes(std::fs::read(path)?))
    }

    pub(crate) fn from_bytes(bytes: Vec<u8>) -> PageFile {
        if let Some((page_size, reserved)) = header_page_size(&bytes) {
            return PageFile { bytes, page_size, usable: page_size - reserved, header_ok: true };
        }
        let mut best = (0, PAGE_SIZES[0]);
        for size in PAGE_SIZES {
            let file = PageFile { bytes: Vec::new(), page_size: size, usable: size, header_ok: false };
            let good = (2..=(bytes.len() / size) as u32).filter(|&n| file.looks_like_table_page(&bytes, n)).count();
            if good > best.0 {
                best = (good, size);
            }
        }
        PageFile { bytes, page_size: best.1, usable: best.1, header_ok: false }
    }

    /// Whole pages in the file.
    pub(crate) fn page_count(&self) -> u32 {
        (self.bytes.len() / self.page_size) as u32
    }

    fn page<'a>(&self, bytes: &'a [u8], n: u32) -> Option<&'a [u8]> {
        let start = (n as usize).checked_sub(1)? * self.page_size;
        bytes.get(start..start + self.page_size)
    }

    /// The header and cell offsets of page `n`, when they are consistent.
    fn header(&self, bytes: &[u8], n: u32) -> Option<PageHeader> {
        let page = self.page(bytes, n)?;
        let at = if n == 1 { 100 } else { 0 };
        let kind = *page.get(at)?;
        let interior = match kind {
            TABLE_INTERIOR | INDEX_INTERIOR => true,
            TABLE_LEAF | INDEX_LEAF => false,
            _ => return None,
        };
        let u16_at = |i: usize| u16::from_be_bytes([page[i], page[i + 1]]) as usize;
        let first_freeblock = u16_at(at + 1);
        let count = u16_at(at + 3);
        let content = match u16_at(at + 5) {
            0 => 65536,
            c => c,
        };
        let header_len = if interior { 12 } else { 8 };
        let pointers_end = at + header_len + 2 * count;
        if pointers_end > content.min(self.usable) || content > self.usable {
            return None;
        }
        let cells: Vec<usize> = (0..count).map(|i| u16_at(at + header_len + 2 * i)).collect();
        if cells.iter().any(|&c| c < content || c >= self.usable) {
            return None;
        }
        let right_child = if interior { u32_at(page, at + 8) } else { 0 };
        Some(PageHeader { kind, cells, right_child, first_freeblock })
    }

    /// Whether page `n` is a table page whose cells (and free blocks) end
    /// exactly at the page's usable end, as SQLite packs them: the test
    /// that tells the page size when the header is gone.
    fn looks_like_table_page(&self, bytes: &[u8], n: u32) -> bool {
        let Some(h) = self.header(bytes, n) else { return false };
        if h.cells.is_empty() || !(h.kind == TABLE_LEAF || h.kind == TABLE_INTERIOR) {
            return false;
        }
        let page = self.page(bytes, n).expect("header read it");
        let mut end = 0;
        for &c in &h.cells {
            let size = match h.kind {
                TABLE_LEAF => varint(page, c).and_then(|(payload, a)| {
                    let (_, b) = varint(page, c + a)?;
                    let local = self.local_size(payload);
                    Some(a + b + local + if (local as u64) < payload { 4 } else { 0 })
                }),
                _ => varint(page, c + 4).map(|(_, a)| 4 + a),
            };
            match size {
                Some(s) => end = end.max(c + s),
                None => return false,
            }
        }
        let mut free = h.first_freeblock;
        for _ in 0..self.usable / 4 {
            if free == 0 || free + 4 > self.usable {
                break;
            }
            end = end.max(free + u16::from_be_bytes([page[free + 2], page[free + 3]]) as usize);
            free = u16::from_be_bytes([page[free], page[free + 1]]) as usize;
        }
        end == self.usable
    }

    /// Bytes of a table leaf cell's payload kept on the page itself.
    fn local_size(&self, payload: u64) -> usize {
        let u = self.usable as u64;
        let max_local = u - 35;
        if payload <= max_local {
            return payload as usize;
        }
        let min_local = (u - 12) * 32 / 255 - 23;
        let k = min_local + (payload - min_local) % (u - 4);
        (if k <= max_local { k } else { min_local }) as usize
    }

    /// Every page that is a table leaf page.
    pub(crate) fn table_leaves(&self) -> Vec<u32> {
        (1..=self.page_count()).filter(|&n| self.header(&self.bytes, n).is_some_and(|h| h.kind == TABLE_LEAF)).collect()
    }

    /// The rows of table leaf page `n`; `None` when it is not one.
    pub(crate) fn leaf_rows(&self, n: u32) -> Option<LeafRows> {
        let h = self.header(&self.bytes, n).filter(|h| h.kind == TABLE_LEAF)?;
        let page = self.page(&self.bytes, n)?;
        let mut out = LeafRows::default();
        for &c in &h.cells {
            match self.cell_row(page, c) {
                Some(row) => out.rows.push(row),
                None => out.broken += 1,
            }
        }
        Some(out)
    }

    /// One table leaf cell: payload size, rowid, the payload (local part,
    /// then the overflow chain) decoded as a record.
    fn cell_row(&self, page: &[u8], at: usize) -> Option<PageRow> {
        let (payload, a) = varint(page, at)?;
        let (rowid, b) = varint(page, at + a)?;
        if payload > (self.page_count() as u64 + 1) * self.usable as u64 {
            return None;
        }
        let local = self.local_size(payload);
        let start = at + a + b;
        let mut bytes = page.get(start..start + local)?.to_vec();
        if (local as u64) < payload {
            let mut next = u32_at(page, start + local);
            let mut seen = HashSet::new();
            while (bytes.len() as u64) < payload {
                if next < 2 || !seen.insert(next) {
                    return None;
                }
                let over = self.page(&self.bytes, next)?;
                let take = (payload as usize - bytes.len()).min(self.usable - 4);
                bytes.extend_from_slice(&over[4..4 + take]);
                next = u32_at(over, 0);
            }
            if next != 0 {
                return None;
            }
        }
        Some(PageRow { rowid: rowid as i64, values: record(&bytes)? })
    }

    /// The leaves of the table B-tree rooted at page `root`.
    pub(crate) fn walk(&self, root: u32) -> TreeWalk {
        let mut walk = TreeWalk { complete: true, ..TreeWalk::default() };
        let mut todo = vec![root];
        while let Some(n) = todo.pop() {
            if !walk.reached.insert(n) {
                walk.complete = false; // a loop: the tree is damaged
                continue;
            }
            let h = self.header(&self.bytes, n).filter(|h| h.kind == TABLE_LEAF || h.kind == TABLE_INTERIOR);
            let Some(h) = h else {
                walk.reached.remove(&n);
                walk.complete = false;
                continue;
            };
            if h.kind == TABLE_LEAF {
                walk.leaves.push(n);
                continue;
            }
            let page = self.page(&self.bytes, n).expect("header read it");
            todo.push(h.right_child);
            todo.extend(h.cells.iter().map(|&c| u32_at(page, c)));
        }
        walk
    }

    /// The table list (`sqlite_schema`, the B-tree of page 1) as far as it
    /// reads, and whether it read whole; `None` without a valid header.
    pub(crate) fn schema(&self) -> Option<(Vec<SchemaEntry>, TreeWalk)> {
        if !self.header_ok {
            return None;
        }
        let walk = self.walk(1);
        let mut entries = Vec::new();
        for &leaf in &walk.leaves {
            for row in self.leaf_rows(leaf).map(|l| l.rows).unwrap_or_default() {
                if let [Value::Text(kind), Value::Text(name), _, Value::Integer(root), ..] = &row.values[..] {
                    if let Ok(root) = u32::try_from(*root) {
                        entries.push(SchemaEntry { kind: kind.clone(), name: name.clone(), root });
                    }
                }
            }
        }
        Some((entries, walk))
    }

    /// The pages on the free-page list, as far as it reads; `None` without
    /// a valid header.
    pub(crate) fn free_pages(&self) -> Option<HashSet<u32>> {
        if !self.header_ok {
            return None;
        }
        let mut free = HashSet::new();
        let mut trunk = u32_at(&self.bytes, 32);
        while trunk != 0 && free.insert(trunk) {
            let Some(page) = self.page(&self.bytes, trunk) else { break };
            let count = (u32_at(page, 4) as usize).min((self.usable - 8) / 4);
            free.extend((0..count).map(|i| u32_at(page, 8 + 4 * i)));
            trunk = u32_at(page, 0);
        }
        Some(free)
    }
}

/// Page size and reserved bytes from a valid 100-byte header.
fn header_page_size(bytes: &[u8]) -> Option<(usize, usize)> {
    if bytes.get(..16)? != b"SQLite format 3\0" {
        return None;
    }
    let size = match u16::from_be_bytes([*bytes.get(16)?, *bytes.get(17)?]) {
        1 => 65536,
        n => n as usize,
    };
    let reserved = *bytes.get(20)? as usize;
    (size.is_power_of_two() && (512..=65536).contains(&size) && size - reserved >= 480).then_some((size, reserved))
}

fn u32_at(bytes: &[u8], at: usize) -> u32 {
    bytes.get(at..at + 4).map_or(0, |b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

/// A SQLite varint at `at`: its value and length (1 to 9 bytes).
fn varint(bytes: &[u8], at: usize) -> Option<(u64, usize)> {
    let mut value: u64 = 0;
    for i in 0..9 {
        let b = *bytes.get(at + i)?;
        if i == 8 {
            return Some(((value << 8) | b as u64, 9));
        }
        value = (value << 7) | (b & 0x7f) as u64;
        if b & 0x80 == 0 {
            return Some((value, i + 1));
        }
    }
    None
}

/// A record: header size, serial types, then the values, which must fill
/// the payload exactly; text must be UTF-8.
pub(crate) fn record(payload: &[u8]) -> Option<Vec<Value>> {
    let (header_len, mut at) = varint(payload, 0)?;
    let header_len = usize::try_from(header_len).ok().filter(|&h| h <= payload.len() && h >= at)?;
    let mut types = Vec::new();
    while at < header_len {
        let (t, n) = varint(payload, at)?;
        types.push(t);
        at += n;
    }
    if at != header_len {
        return None;
    }
    let mut values = Vec::with_capacity(types.len());
    for t in types {
        let size = match t {
            0 | 8 | 9 => 0,
            1..=4 => t as usize,
            5 => 6,
            6 | 7 => 8,
            10 | 11 => return None,
            n => ((n - 12) / 2) as usize,
        };
        let body = payload.get(at..at.checked_add(size)?)?;
        at += size;
        values.push(match t {
            0 => Value::Null,
            7 => Value::Real(f64::from_bits(u64::from_be_bytes(body.try_into().ok()?))),
            8 => Value::Integer(0),
            9 => Value::Integer(1),
            1..=6 => {
                let mut v: i64 = if body[0] & 0x80 != 0 { -1 } else { 0 };
                for &b in body {
                    v = (v << 8) | b as i64;
                }
                Value::Integer(v)
            }
            n if n % 2 == 0 => Value::Blob(body.to_vec()),
            _ => Value::Text(String::from_utf8(body.to_vec()).ok()?),
        });
    }
    (at == payload.len()).then_some(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_and_records_decode() {
        assert_eq!(varint(&[0x7f], 0), Some((127, 1)));
        assert_eq!(varint(&[0x81, 0x00], 0), Some((128, 2)));
        assert_eq!(varint(&[0xff; 9], 0), Some((u64::MAX, 9)));
        // header 4 bytes: NULL, int8, text of 2 bytes (17), float; then the body.
        let mut rec = vec![5, 0, 1, 17, 7, 0xfe, b'h', b'i'];
        rec.extend_from_slice(&1.5f64.to_be_bytes());
        assert_eq!(
            record(&rec),
            Some(vec![Value::Null, Value::Integer(-2), Value::Text("hi".into()), Value::Real(1.5)])
        );
        assert_eq!(record(&rec[..rec.len() - 1]), None, "a short body");
        let mut bad = rec.clone();
        bad[6] = 0xff;
        assert_eq!(record(&bad), None, "text that is not UTF-8");
    }

    #[test]
    fn rows_are_read_with_page_1_overwritten_and_the_page_size_found() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("t.db");
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute_batch("PRAGMA page_size = 1024; CREATE TABLE t (a TEXT NOT NULL, b INTEGER NOT NULL);").unwrap();
        for i in 0..300 {
            // Every 50th row overflows its page.
            let text = if i % 50 == 0 { "long ".repeat(400) } else { format!("row {i}") };
            conn.execute("INSERT INTO t(a, b) VALUES (?1, ?2)", rusqlite::params![text, i]).unwrap();
        }
        drop(conn);
        let mut bytes = std::fs::read(&db).unwrap();
        let whole = PageFile::from_bytes(bytes.clone());
        let (entries, _) = whole.schema().unwrap();
        assert!(entries.iter().any(|e| e.kind == "table" && e.name == "t" && whole.walk(e.root).complete));
        bytes[..1024].iter_mut().for_each(|b| *b = 0x5a);
        let file = PageFile::from_bytes(bytes);
        assert_eq!(file.page_size, 1024);
        assert!(file.schema().is_none() && file.free_pages().is_none());
        let rows: Vec<PageRow> =
            file.table_leaves().into_iter().flat_map(|n| file.leaf_rows(n).unwrap().rows).collect();
        assert_eq!(rows.len(), 300);
        let row = |i: i64| rows.iter().find(|r| r.rowid == i + 1).unwrap().values.clone();
        assert_eq!(row(7), vec![Value::Text("row 7".into()), Value::Integer(7)]);
        assert_eq!(row(100), vec![Value::Text("long ".repeat(400)), Value::Integer(100)]);
    }
}
