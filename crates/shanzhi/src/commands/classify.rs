use std::io::{BufRead, BufWriter, Write};
use std::process::ExitCode;

use serde_json::{Value, json};
use shanzhi_text::Analysis;

use crate::config::Config;
use crate::ledger;

const MAX_LINE: usize = 1 << 20;

/// Streams stdin to stdout, one result per input line; a malformed line gives an error object
/// for that line and the stream goes on.
pub fn run(config: &Config) -> anyhow::Result<ExitCode> {
    let gazetteer = ledger::load_gazetteer(config)?;
    let departments = ledger::load_departments(config, &gazetteer)?;
    let analyzer = crate::text::analyzer(&gazetteer, &departments)?;
    let stdin = std::io::stdin().lock();
    let mut out = BufWriter::new(std::io::stdout().lock());
    for (n, line) in stdin.split(b'\n').enumerate() {
        let line = line?;
        // A record's text has at most 20,000 characters; a longer line is refused unread.
        if line.len() > MAX_LINE {
            let result = error(n + 1, "line_too_long", "the line is longer than 1 MB");
            serde_json::to_writer(&mut out, &result)?;
            out.write_all(b"\n")?;
            continue;
        }
        let result = match std::str::from_utf8(&line) {
            Err(_) => error(n + 1, "invalid_utf8", "the line is not valid UTF-8"),
            Ok(text) => match input_text(text.trim_end_matches('\r')) {
                Ok(None) => continue,
                Ok(Some(text)) => analysis_json(&gazetteer, &analyzer.analyze(&text)),
                Err(message) => error(n + 1, "bad_json", &message),
            },
        };
        serde_json::to_writer(&mut out, &result)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
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
