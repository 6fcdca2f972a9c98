use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::process::ExitCode;

use serde_json::{Value, json};
use shanzhi_text::Analysis;

use crate::config::Config;
use crate::ledger;

/// A record's text has at most 20,000 characters; a longer line is refused without being kept.
const MAX_LINE: usize = 1 << 20;
/// Input is read in blocks of this size; answers are flushed whenever a block is used up.
const READ_BUFFER: usize = 64 * 1024;

/// Streams stdin to stdout, one result per input line; a malformed line gives an error object
/// for that line and the stream goes on.
///
/// Answers are flushed whenever every whole line read so far has been answered, so a caller that
/// writes one line and waits gets its answer at once, while piped bulk input is still written
/// in large blocks (one flush per block of input read, not one per line). A line is kept in
/// memory only up to the limit: a longer one is read to its end, dropped and answered with an
/// error.
pub fn run(config: &Config) -> anyhow::Result<ExitCode> {
    let gazetteer = ledger::load_gazetteer(config)?;
    let departments = ledger::load_departments(config, &gazetteer)?;
    let analyzer = crate::text::analyzer(&gazetteer, &departments)?;
    // Requests of 64 KB pass by stdin's own (8 KB) buffer, so what is buffered is all in `input`.
    let input = BufReader::with_capacity(READ_BUFFER, std::io::stdin().lock());
    let out = BufWriter::with_capacity(READ_BUFFER, std::io::stdout().lock());
    stream(input, out, MAX_LINE, |text| analysis_json(&gazetteer, &analyzer.analyze(text)))?;
    Ok(ExitCode::SUCCESS)
}

/// One answer per non-blank line of `input`, flushed whenever no whole line is left buffered.
fn stream<R: Read, W: Write>(
    mut input: BufReader<R>,
    mut out: W,
    max_line: usize,
    analyze: impl Fn(&str) -> Value,
) -> std::io::Result<()> {
    let mut line = Vec::new();
    let mut n = 0;
    while let Some(read) = read_line(&mut input, &mut line, max_line)? {
        n += 1;
        let result = match read {
            Line::TooLong => Some(error(n, "line_too_long", "the line is longer than 1 MB")),
            Line::Complete => match std::str::from_utf8(&line) {
                Err(_) => Some(error(n, "invalid_utf8", "the line is not valid UTF-8")),
                Ok(text) => match input_text(text.trim_end_matches('\r')) {
                    Ok(None) => None,
                    Ok(Some(text)) => Some(analyze(&text)),
                    Err(message) => Some(error(n, "bad_json", &message)),
                },
            },
        };
        if let Some(result) = result {
            serde_json::to_writer(&mut out, &result)?;
            out.write_all(b"\n")?;
        }
        // No whole line is buffered, so the next read may wait for the caller: let it have
        // every answer first. (With piped bulk input this is once per block read.)
        if !input.buffer().contains(&b'\n') {
            out.flush()?;
        }
    }
    out.flush()
}

#[derive(Debug, PartialEq)]
enum Line {
    /// `line` holds the line, without its newline.
    Complete,
    /// The line was longer than the limit: read to its end and dropped, `line` is empty.
    TooLong,
}

/// The next line into `line` (cleared first), holding at most `max` bytes of it; `None` at the
/// end of the input.
fn read_line<R: Read>(input: &mut BufReader<R>, line: &mut Vec<u8>, max: usize) -> std::io::Result<Option<Line>> {
    line.clear();
    let mut too_long = false;
    let mut any = false;
    loop {
        let available = match input.fill_buf() {
            Ok(available) => available,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            break;
        }
        any = true;
        let (chunk, used, end) = match available.iter().position(|&b| b == b'\n') {
            Some(i) => (&available[..i], i + 1, true),
            None => (available, available.len(), false),
        };
        if !too_long {
            if line.len() + chunk.len() > max {
                too_long = true;
                line.clear();
            } else {
                line.extend_from_slice(chunk);
            }
        }
        input.consume(used);
        if end {
            break;
        }
    }
    Ok(match (any, too_long) {
        (false, _) => None,
        (true, true) => Some(Line::TooLong),
        (true, false) => Some(Line::Complete),
    })
}

/// `{"text": …}` or a plain line; `None` for a blank line.
fn input_text(line: &str) -> Result<Option<String>, String> {
    let trimmed = line.trim();
    if trimmed.is_empty() {
        return Ok(None);
    }
    if !trimmed.starts_with('{') {
        return Ok(Some(trimmed.to_owned()));
    }
    let value: Value = serde_json::from_str(trimmed).map_err(|e| format!("not JSON: {e}"))?;
    match value.get("text").and_then(Value::as_str) {
        Some(text) if !text.trim().is_empty() => Ok(Some(text.to_owned())),
        _ => Err("the object has no non-empty string `text`".into()),
    }
}

fn error(line: usize, code: &str, message: &str) -> Value {
    json!({ "error": { "line": line, "code": code, "message": shanzhi_core::pii::scrub_text(message) } })
}

fn analysis_json(gazetteer: &shanzhi_core::Gazetteer, a: &Analysis<'_>) -> Value {
    let c = &a.classification;
    json!({
        "category": c.category.code,
        "category_name": c.category.name,
        "confidence": (c.confidence * 1000.0).round() / 1000.0,
        "evidence": c.evidence,
        "department": c.category.department,
        "industry": c.category.industry.to_string(),
        "entities": {
            "amounts_yuan": a.entities.amounts_yuan,
            "people_count": a.entities.people_count,
            "organizations": a.entities.organizations,
            // The canonical key that spelling variants of one organisation share (null for
            // placeholder names such as 杭州某某公司).
            "organization_keys": a.entities.organizations.iter().map(|o| shanzhi_text::extract::organization_key(o)).collect::<Vec<_>>(),
            "places": a.entities.places.iter().map(|p| json!({
                "code": p.to_string(),
                "name": gazetteer.display_name(*p),
            })).collect::<Vec<_>>(),
            "persons": a.entities.persons,
            "dates": a.entities.dates,
        },
        "risk": {
            "level": a.risk.level.code(),
            "score": a.risk.score,
            "signals": a.risk.signals.iter().map(|s| json!({ "kind": s.kind, "label": s.label, "term": s.term })).collect::<Vec<_>>(),
        },
        "pii": a.pii.iter().map(|k| k.code()).collect::<Vec<_>>(),
        "masked_text": a.masked_text,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(input: &[u8], max: usize) -> Vec<(Line, Vec<u8>)> {
        let mut reader = BufReader::with_capacity(4, input);
        let mut line = Vec::new();
        let mut lines = Vec::new();
        while let Some(read) = read_line(&mut reader, &mut line, max).unwrap() {
            lines.push((read, line.clone()));
        }
        lines
    }

    #[test]
    fn a_line_over_the_limit_is_dropped_and_the_next_is_read() {
        let got = lines(b"short\n0123456789abc\nnext\nlast", 8);
        assert_eq!(
            got,
            vec![
                (Line::Complete, b"short".to_vec()),
                (Line::TooLong, Vec::new()),
                (Line::Complete, b"next".to_vec()),
                (Line::Complete, b"last".to_vec()),
            ]
        );
        assert_eq!(lines(b"12345678\n\n", 8), vec![(Line::Complete, b"12345678".to_vec()), (Line::Complete, vec![])]);
        assert_eq!(lines(b"123456789", 8), vec![(Line::TooLong, vec![])]);
        assert!(lines(b"", 8).is_empty());
    }

    /// Counts the flushes, and what had been written at each.
    #[derive(Default)]
    struct Flushes {
        written: Vec<u8>,
        flushed_at: Vec<usize>,
    }

    impl Write for Flushes {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.written.extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            self.flushed_at.push(self.written.len());
            Ok(())
        }
    }

    #[test]
    fn answers_are_flushed_once_per_block_of_input_and_bad_lines_answer_errors() {
        let input: Vec<u8> = b"a\nb\n{\"text\": 1}\n\nxxxxxxxxxxxxxxxxxxxxxxxxxxxx\nc\n".to_vec();
        let mut flushes = Flushes::default();
        let reader = BufReader::with_capacity(1024, input.as_slice());
        stream(reader, &mut flushes, 16, |text| json!({ "text": text })).unwrap();
        let answers: Vec<Value> = String::from_utf8(flushes.written.clone())
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(answers.len(), 5, "{answers:?}");
        assert_eq!(answers[2]["error"]["code"], "bad_json");
        assert_eq!(
            (answers[3]["error"]["line"].as_u64(), answers[3]["error"]["code"].as_str()),
            (Some(5), Some("line_too_long"))
        );
        assert_eq!(answers[4]["text"], "c");
        // All the input came in one block: one flush when it was used up, one at the end.
        assert_eq!(flushes.flushed_at, vec![flushes.written.len(), flushes.written.len()]);
    }
}
