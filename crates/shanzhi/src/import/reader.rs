//! Reading ledger files: JSON Lines or CSV, row by row, each row parsed and validated.
//!
//! Runs on its own thread, so that parsing and validation (CPU) overlap with the database writes
//! of the batch before. A bad row becomes a [`Rejected`] row with its line and reasons; it never
//! stops the file.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use anyhow::{Context, bail};
use serde::Serialize;
use shanzhi_core::pii::scrub_text;
use shanzhi_core::record::{PartyRecord, Scalar};
use shanzhi_core::{CaseRecord, FieldError, LedgerRecord, RecordContext};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    JsonLines,
    Csv,
}

impl Format {
    /// By extension (`.jsonl`, `.ndjson`, `.json`, `.csv`); otherwise by the first byte.
    pub fn detect(path: &Path) -> anyhow::Result<Format> {
        match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
            Some("jsonl" | "ndjson" | "json") => return Ok(Format::JsonLines),
            Some("csv") => return Ok(Format::Csv),
            _ => {}
        }
        let mut head = [0u8; 64];
        let n = File::open(path)?.read(&mut head)?;
        let first = head[..n].iter().copied().find(|b| !b.is_ascii_whitespace() && !matches!(b, 0xEF | 0xBB | 0xBF));
        Ok(if first == Some(b'{') { Format::JsonLines } else { Format::Csv })
    }
}

/// A row that will not enter the ledger, and why. Nothing here holds a clear ID or phone number.
#[derive(Debug, Clone, Serialize)]
pub struct Rejected {
    pub line: u64,
    pub errors: Vec<RejectReason>,
    /// The record as read, with personal numbers masked, when the row could be parsed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record: Option<LedgerRecord>,
    /// The start of the raw row, scrubbed, when it could not be parsed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub raw: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RejectReason {
    pub field: String,
    pub code: String,
    pub message: String,
}

impl From<FieldError> for RejectReason {
    fn from(e: FieldError) -> Self {
        RejectReason { field: e.field, code: e.code.to_owned(), message: e.message }
    }
}

impl Rejected {
    fn unparsable(line: u64, code: &str, message: String, raw: &str) -> Self {
        // Scrub first, then cut: a cut could leave too few digits of a number to recognise it.
        let raw: String = scrub_text(raw).chars().take(500).collect();
        Rejected {
            line,
            errors: vec![RejectReason { field: String::new(), code: code.to_owned(), message: scrub_text(&message) }],
            record: None,
            raw: Some(raw).filter(|r| !r.is_empty()),
        }
    }

    fn invalid(line: u64, record: &LedgerRecord, errors: Vec<FieldError>) -> Self {
        Rejected {
            line,
            errors: errors.into_iter().map(Into::into).collect(),
            record: Some(record.redacted()),
            raw: None,
        }
    }

    /// `unknown_region: region: …; bad_date: …` for a terminal line.
    pub fn summary(&self) -> String {
        self.errors
            .iter()
            .map(|e| {
                if e.field.is_empty() {
                    format!("{}: {}", e.code, e.message)
                } else {
                    format!("{}: {}: {}", e.code, e.field, e.message)
                }
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// One row of a file: the validated record, or the reason it was rejected.
pub enum Row {
    Valid(CaseRecord),
    Rejected(Rejected),
}

/// Reads `path` and calls `emit` for every row and, after each, with the bytes read so far.
pub fn read_rows(
    path: &Path,
    format: Format,
    ctx: &RecordContext<'_>,
    mut emit: impl FnMut(Row, u64) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let file = File::open(path).with_context(|| format!("opening {}", path.display()))?;
    match format {
        Format::JsonLines => read_json_lines(file, ctx, &mut emit),
        Format::Csv => read_csv(file, ctx, &mut emit),
    }
}

fn validate(line: u64, record: LedgerRecord, ctx: &RecordContext<'_>) -> Row {
    match record.validate(ctx) {
        Ok(record) => Row::Valid(record),
        Err(errors) => Row::Rejected(Rejected::invalid(line, &record, errors)),
    }
}

fn read_json_lines(
    file: File,
    ctx: &RecordContext<'_>,
    emit: &mut dyn FnMut(Row, u64) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let mut reader = BufReader::with_capacity(1 << 20, file);
    let mut buf = Vec::new();
    let (mut line, mut bytes) = (0u64, 0u64);
    loop {
        buf.clear();
        // A line is read up to MAX_LINE bytes; the rest of a longer one is skipped unread.
        let n = (&mut reader).take(MAX_LINE).read_until(b'\n', &mut buf)?;
        if n == 0 {
            return Ok(());
        }
        if buf.last() != Some(&b'\n') && n as u64 == MAX_LINE {
            let skipped = skip_line(&mut reader)?;
            line += 1;
            bytes += n as u64 + skipped;
            let reason =
                format!("the line is longer than {} MB; a record's text has at most 20,000 characters", MAX_LINE >> 20);
            emit(Row::Rejected(Rejected::unparsable(line, "line_too_long", reason, "")), bytes)?;
            continue;
        }
        line += 1;
        bytes += n as u64;
        let mut content = buf.as_slice();
        if line == 1 {
            content = content.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(content);
        }
        let content = content.strip_suffix(b"\n").unwrap_or(content);
        let content = content.strip_suffix(b"\r").unwrap_or(content);
        if content.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let row = match std::str::from_utf8(content) {
            Err(e) => Row::Rejected(Rejected::unparsable(
                line,
                "invalid_utf8",
                format!("the line is not valid UTF-8 (byte {}); save the file as UTF-8", e.valid_up_to() + 1),
                &String::from_utf8_lossy(content),
            )),
            Ok(text) => match serde_json::from_str::<LedgerRecord>(text) {
                Err(e) => Row::Rejected(Rejected::unparsable(
                    line,
                    "bad_json",
                    format!("not a JSON ledger record: {e}"),
                    text,
                )),
                Ok(record) => validate(line, record, ctx),
            },
        };
        emit(row, bytes)?;
    }
}

/// The longest JSON line read: far above any valid record (20,000 characters of text are at most
/// 80 kB), far below what would strain memory.
const MAX_LINE: u64 = 1 << 20;

/// Skips to the end of the current line; returns the bytes skipped.
fn skip_line(reader: &mut impl BufRead) -> std::io::Result<u64> {
    let mut skipped = 0;
    loop {
        let available = reader.fill_buf()?;
        if available.is_empty() {
            return Ok(skipped);
        }
        match available.iter().position(|b| *b == b'\n') {
            Some(i) => {
                reader.consume(i + 1);
                return Ok(skipped + i as u64 + 1);
            }
            None => {
                let n = available.len();
                reader.consume(n);
                skipped += n as u64;
            }
        }
    }
}

/// Columns of the CSV form: the record's field names; `parties` holds a JSON array.
const REQUIRED_COLUMNS: [&str; 5] = ["channel", "external_id", "received_at", "region", "text"];

fn read_csv(
    file: File,
    ctx: &RecordContext<'_>,
    emit: &mut dyn FnMut(Row, u64) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    // Rows of another length than the header are rejected below, not read shifted.
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(BufReader::with_capacity(1 << 20, file));
    let headers: Vec<String> = reader
        .byte_headers()
        .context("reading the CSV header")?
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let h = if i == 0 { h.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(h) } else { h };
            String::from_utf8_lossy(h).trim().to_ascii_lowercase()
        })
        .collect();
    let missing: Vec<&str> = REQUIRED_COLUMNS.iter().copied().filter(|c| !headers.iter().any(|h| h == c)).collect();
    if !missing.is_empty() {
        bail!("the CSV header lacks the column(s) {}; columns are the ledger record's field names", missing.join(", "));
    }
    let mut record = csv::ByteRecord::new();
    loop {
        let line = reader.position().line() + 1;
        let row = match reader.read_byte_record(&mut record) {
            Ok(false) => return Ok(()),
            Ok(true) => {
                let line = record.position().map_or(line, |p| p.line());
                csv_row(line, &headers, &record, ctx)
            }
            Err(e) => {
                let line = e.position().map_or(line, |p| p.line());
                Row::Rejected(Rejected::unparsable(line, "bad_csv", format!("not a CSV row: {e}"), ""))
            }
        };
        let bytes = reader.position().byte();
        emit(row, bytes)?;
    }
}

fn csv_row(line: u64, headers: &[String], row: &csv::ByteRecord, ctx: &RecordContext<'_>) -> Row {
    if row.len() != headers.len() {
        // An unquoted comma in a text shifts every later column: refuse rather than guess.
        return Row::Rejected(Rejected::unparsable(
            line,
            "bad_csv",
            format!("the row has {} fields, the header {}; quote fields that contain commas", row.len(), headers.len()),
            "",
        ));
    }
    let mut fields: Vec<(&str, &str)> = Vec::with_capacity(headers.len());
    for (header, value) in headers.iter().zip(row.iter()) {
        match std::str::from_utf8(value) {
            Ok(v) => fields.push((header, v)),
            Err(_) => {
                let raw: Vec<u8> = row.iter().flat_map(|f| f.iter().copied().chain([b','])).collect();
                return Row::Rejected(Rejected::unparsable(
                    line,
                    "invalid_utf8",
                    format!("column {header} is not valid UTF-8; save the file as UTF-8"),
                    &String::from_utf8_lossy(&raw),
                ));
            }
        }
    }
    let get = |name: &str| fields.iter().find(|(h, _)| *h == name).map(|(_, v)| v.trim()).filter(|v| !v.is_empty());
    let text = |name: &str| get(name).map(str::to_owned);
    let scalar = |name: &str| get(name).map(|v| Scalar::Text(v.to_owned()));
    let parties = match get("parties") {
        None => None,
        Some(json) => match serde_json::from_str::<Vec<PartyRecord>>(json) {
            Ok(parties) => Some(parties),
            Err(e) => {
                return Row::Rejected(Rejected::unparsable(
                    line,
                    "bad_parties",
                    format!("column parties must hold a JSON array of parties: {e}"),
                    json,
                ));
            }
        },
    };
    let record = LedgerRecord {
        channel: text("channel"),
        external_id: scalar("external_id"),
        received_at: text("received_at"),
        region: scalar("region"),
        title: text("title"),
        text: text("text"),
        parties,
        kind: text("kind"),
        category: text("category"),
        incident: text("incident"),
        amount_yuan: scalar("amount_yuan"),
        people_count: scalar("people_count"),
        lat: scalar("lat"),
        lon: scalar("lon"),
    };
    validate(line, record, ctx)
}
