//! How history events are written: the kind's code in `kind`, its fields as a JSON object in
//! `detail`; the same in both dialects.

use serde_json::Value;
use shanzhi_core::EventKind;

use crate::StoreError;

pub(crate) fn encode(kind: &EventKind) -> String {
    let mut detail = serde_json::to_value(kind).expect("events serialize");
    if let Value::Object(fields) = &mut detail {
        fields.remove("kind");
    }
    detail.to_string()
}

pub(crate) fn decode(kind: &str, detail: &str) -> Result<EventKind, StoreError> {
    let corrupt = |why: String| StoreError::Corrupt(format!("event `{kind}` with detail {detail}: {why}"));
    let mut fields: serde_json::Map<String, Value> =
        serde_json::from_str(detail).map_err(|e| corrupt(e.to_string()))?;
    fields.insert("kind".into(), Value::String(kind.to_owned()));
    serde_json::from_value(Value::Object(fields)).map_err(|e| corrupt(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use shanzhi_core::{CaseStatus, Channel};

    #[test]
    fn every_kind_round_trips() {
        for kind in [
            EventKind::Registered { channel: Channel::Petition },
            EventKind::StatusChanged { from: CaseStatus::Registered, to: CaseStatus::Routed },
            EventKind::CategoryChanged { from: None, to: Some("劳资纠纷".into()) },
            EventKind::CategoryConfirmed { category: "wage_arrears".into() },
            EventKind::LinkConfirmed,
        ] {
            assert_eq!(decode(kind.code(), &encode(&kind)).unwrap(), kind);
        }
        assert!(decode("exploded", "{}").is_err());
    }

    #[test]
    fn details_written_before_the_workflow_still_read() {
        // The shape 0.1 wrote: no `kind` inside the detail.
        assert_eq!(
            decode("status_changed", r#"{"from":"registered","to":"routed"}"#).unwrap(),
            EventKind::StatusChanged { from: CaseStatus::Registered, to: CaseStatus::Routed }
        );
        assert_eq!(
            decode("registered", r#"{"channel":"police"}"#).unwrap(),
            EventKind::Registered { channel: Channel::Police }
        );
    }
}
