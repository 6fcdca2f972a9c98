//! How history events are written: a kind code and a JSON detail, the same in both dialects.

use serde_json::{Value, json};
use shanzhi_core::{CaseStatus, Channel, EventKind};

use crate::StoreError;

pub(crate) fn encode(kind: &EventKind) -> String {
    let detail = match kind {
        EventKind::Registered { channel } => json!({ "channel": channel.code() }),
        EventKind::StatusChanged { from, to } => json!({ "from": from.code(), "to": to.code() }),
        EventKind::CategoryChanged { from, to } => json!({ "from": from, "to": to }),
    };
    detail.to_string()
}

pub(crate) fn decode(kind: &str, detail: &str) -> Result<EventKind, StoreError> {
    let corrupt = || StoreError::Corrupt(format!("event `{kind}` with detail {detail}"));
    let detail: Value = serde_json::from_str(detail).map_err(|_| corrupt())?;
    let text = |field: &str| detail.get(field).and_then(Value::as_str);
    let status = |field: &str| text(field).and_then(|s| s.parse::<CaseStatus>().ok()).ok_or_else(corrupt);
    Ok(match kind {
        "registered" => EventKind::Registered {
            channel: text("channel").and_then(|c| c.parse::<Channel>().ok()).ok_or_else(corrupt)?,
        },
        "status_changed" => EventKind::StatusChanged { from: status("from")?, to: status("to")? },
        "category_changed" => {
            EventKind::CategoryChanged { from: text("from").map(str::to_owned), to: text("to").map(str::to_owned) }
        }
        _ => return Err(corrupt()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_round_trips() {
        for kind in [
            EventKind::Registered { channel: Channel::Petition },
            EventKind::StatusChanged { from: CaseStatus::Registered, to: CaseStatus::Routed },
            EventKind::CategoryChanged { from: None, to: Some("劳资纠纷".into()) },
        ] {
            assert_eq!(decode(kind.code(), &encode(&kind)).unwrap(), kind);
        }
        assert!(decode("exploded", "{}").is_err());
    }
}
