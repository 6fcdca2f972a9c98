//! The ledger record: the shape in which cases arrive (import files, the intake API, pushes from
//! other systems), and its validation into a [`CaseRecord`].
//!
//! The shape is loose on purpose (numbers may come as strings, unknown fields are ignored) so that
//! exports of other systems load as they are; validation is strict and reports every field at
//! fault, never guessing.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, SubsecRound, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use crate::case::{CaseRecord, CaseText, ExternalId, GeoPoint, Party, PartyKind, PartyRole};
use crate::pii::{self, IdNumber, PhoneNumber, PiiKey};
use crate::{Channel, Gazetteer, Incident, Yuan};

/// A ledger record as written in a JSON Lines file, a CSV row or an API request (DESIGN.md).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LedgerRecord {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<Scalar>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<Scalar>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parties: Option<Vec<PartyRecord>>,
    /// dispute, complaint, help_request, consultation, suggestion (or 矛盾纠纷/投诉/求助/咨询/建议).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// The police classification (警情类别), when the source system gives one: criminal,
    /// public_order, safety_accident, mass_incident, homicide (or 刑事案件/治安案件/安全事故/群体性事件/命案).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incident: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_yuan: Option<Scalar>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub people_count: Option<Scalar>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lat: Option<Scalar>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lon: Option<Scalar>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PartyRecord {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_number: Option<Scalar>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<Scalar>,
}

/// A value that other systems write as a number or as a string.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Scalar {
    Integer(i64),
    /// Integers beyond `i64` (long numeric ids), kept exact.
    Unsigned(u64),
    Float(f64),
    Text(String),
}

impl Scalar {
    fn text(&self) -> String {
        match self {
            Scalar::Integer(i) => i.to_string(),
            Scalar::Unsigned(u) => u.to_string(),
            Scalar::Float(f) => f.to_string(),
            Scalar::Text(s) => s.trim().to_owned(),
        }
    }

    /// The value as an identifier: a string or an integer. A JSON number with a fraction or
    /// beyond 64 bits has lost digits on the way, and two such ids could collide.
    fn identifier(&self) -> Option<String> {
        match self {
            Scalar::Float(_) => None,
            other => Some(other.text()),
        }
    }

    /// The same value with ID and phone numbers in it masked.
    fn scrubbed(&self) -> Scalar {
        match self {
            Scalar::Text(s) => Scalar::Text(pii::scrub_text(s)),
            other => Scalar::Text(pii::scrub_text(&other.text())),
        }
    }
}

/// What validation needs besides the record itself.
pub struct RecordContext<'a> {
    pub gazetteer: &'a Gazetteer,
    pub pii_key: &'a PiiKey,
    /// Records dated more than a day after this are refused as mistyped dates.
    pub now: DateTime<Utc>,
}

/// One field at fault: a machine-readable code, the field's path, and a message for people.
/// Messages never contain an ID or phone number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub code: &'static str,
    pub message: String,
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// Cases and their clocks are kept in UTC; times written without an offset are Beijing time.
fn china_standard_time() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

/// Parses the date-times that exports use: RFC 3339, or a local time without offset.
pub fn parse_received_at(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        // Both stores keep microseconds; a finer time would read back different.
        return Some(t.with_timezone(&Utc).trunc_subsecs(6));
    }
    const LOCAL_FORMATS: [&str; 6] = [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
        "%Y/%m/%d %H:%M:%S",
        "%Y/%m/%d %H:%M",
    ];
    let local = LOCAL_FORMATS.iter().find_map(|f| NaiveDateTime::parse_from_str(text, f).ok()).or_else(|| {
        ["%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日"]
            .iter()
            .find_map(|f| NaiveDate::parse_from_str(text, f).ok())
            .and_then(|d| d.and_hms_opt(0, 0, 0))
    })?;
    china_standard_time().from_local_datetime(&local).single().map(|t| t.with_timezone(&Utc))
}

struct Errors(Vec<FieldError>);

impl Errors {
    fn push(&mut self, field: impl Into<String>, code: &'static str, message: impl std::fmt::Display) {
        // Any message may quote input; scrub it so no number leaks into a report or a log.
        self.0.push(FieldError { field: field.into(), code, message: pii::scrub_text(&message.to_string()) });
    }
}

/// Whether `s` holds a control character other than a line break or a tab.
pub fn has_control_characters(s: &str) -> bool {
    s.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
}

fn non_empty(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn scalar_text(s: &Option<Scalar>) -> Option<String> {
    s.as_ref().map(Scalar::text).filter(|s| !s.is_empty())
}

impl LedgerRecord {
    /// Checks every field and builds the case record, or lists every field at fault.
    pub fn validate(&self, ctx: &RecordContext<'_>) -> Result<CaseRecord, Vec<FieldError>> {
        let mut errors = Errors(Vec::new());
        self.check_characters(&mut errors);

        let channel = match non_empty(&self.channel) {
            None => {
                errors.push("channel", "missing_channel", "channel is required");
                None
            }
            Some(c) => c.parse::<Channel>().map_err(|e| errors.push("channel", "unknown_channel", e)).ok(),
        };
        let external_id = match scalar_text(&self.external_id) {
            None => {
                errors.push("external_id", "missing_external_id", "external_id is required");
                None
            }
            Some(_) => match self.external_id.as_ref().and_then(Scalar::identifier) {
                None => {
                    errors.push("external_id", "bad_external_id", "external_id must be a string or a whole number");
                    None
                }
                Some(id) => ExternalId::parse(&id)
                    .map_err(|e| errors.push("external_id", "bad_external_id", format!("external_id {e}")))
                    .ok(),
            },
        };
        let received_at = match non_empty(&self.received_at) {
            None => {
                errors.push("received_at", "missing_received_at", "received_at is required");
                None
            }
            Some(t) => match parse_received_at(t) {
                None => {
                    errors.push(
                        "received_at",
                        "bad_date",
                        format!("received_at `{t}` is not a date-time (use 2026-03-12T09:41:00+08:00)"),
                    );
                    None
                }
                Some(at) if at > ctx.now + chrono::Duration::days(1) => {
                    errors.push("received_at", "bad_date", format!("received_at `{t}` is in the future"));
                    None
                }
                Some(at) if at.year() < 1990 => {
                    errors.push("received_at", "bad_date", format!("received_at `{t}` is before 1990"));
                    None
                }
                Some(at) => Some(at),
            },
        };
        let region = match scalar_text(&self.region) {
            None => {
                errors.push("region", "missing_region", "region is required (a village or town code or name)");
                None
            }
            Some(_) => match self.region.as_ref().and_then(Scalar::identifier) {
                None => {
                    errors.push("region", "unknown_region", "region must be a code or a name, not a decimal number");
                    None
                }
                Some(r) => ctx.gazetteer.resolve(&r).map_err(|e| errors.push("region", "unknown_region", e)).ok(),
            },
        };
        // The limit applies to the text as stored, that is after masking.
        let text = match self.text.as_deref().map(|t| CaseText::parse(&pii::scrub_text(t))) {
            None | Some(Err(crate::case::TextError::Empty)) => {
                errors.push("text", "missing_text", "text is required");
                None
            }
            Some(Err(e)) => {
                errors.push("text", "text_too_long", format!("text {e}"));
                None
            }
            Some(Ok(t)) => Some(t),
        };
        let title = non_empty(&self.title).and_then(|t| {
            if t.chars().count() > 200 {
                errors.push("title", "title_too_long", "title has more than 200 characters");
                None
            } else {
                Some(pii::scrub_text(t))
            }
        });
        let kind = non_empty(&self.kind).and_then(|k| {
            k.parse::<crate::workflow::CaseKind>().map_err(|e| errors.push("kind", "unknown_kind", e)).ok()
        });
        let category = non_empty(&self.category).and_then(|c| {
            if c.chars().count() > 64 {
                errors.push("category", "bad_category", "category has more than 64 characters");
                None
            } else {
                Some(pii::scrub_text(c))
            }
        });
        let incident = non_empty(&self.incident)
            .and_then(|i| i.parse::<Incident>().map_err(|e| errors.push("incident", "unknown_incident", e)).ok());
        let amount = scalar_text(&self.amount_yuan).and_then(|a| {
            Yuan::parse(&a).map_err(|e| errors.push("amount_yuan", "bad_amount", format!("amount_yuan: {e}"))).ok()
        });
        let people_count = scalar_text(&self.people_count).and_then(|n| match n.parse::<u32>() {
            Ok(n @ 1..=10_000_000) => Some(n),
            _ => {
                errors.push(
                    "people_count",
                    "bad_people_count",
                    format!("people_count `{n}` is not a whole number from 1 to 10,000,000"),
                );
                None
            }
        });
        let location = match (scalar_text(&self.lat), scalar_text(&self.lon)) {
            (None, None) => None,
            (Some(lat), Some(lon)) => match (lat.parse::<f64>(), lon.parse::<f64>()) {
                (Ok(lat), Ok(lon)) => GeoPoint::new(lat, lon).or_else(|| {
                    errors.push("lat", "bad_location", "lat must lie in -90..90 and lon in -180..180");
                    None
                }),
                _ => {
                    errors.push("lat", "bad_location", "lat and lon must be numbers");
                    None
                }
            },
            _ => {
                errors.push("lat", "bad_location", "lat and lon come together");
                None
            }
        };
        let parties: Vec<Party> = self
            .parties
            .iter()
            .flatten()
            .enumerate()
            .filter_map(|(i, p)| p.validate(i, ctx.pii_key, &mut errors))
            .collect();

        // A required field that is None has recorded its error above.
        let (Some(channel), Some(external_id), Some(received_at), Some(region), Some(text), true) =
            (channel, external_id, received_at, region, text, errors.0.is_empty())
        else {
            debug_assert!(!errors.0.is_empty(), "a missing field always records an error");
            return Err(errors.0);
        };
        Ok(CaseRecord {
            channel,
            external_id,
            received_at,
            region,
            title,
            text,
            parties,
            kind,
            category,
            incident,
            amount,
            people_count,
            location,
        })
    }

    /// Control characters (other than line breaks and tabs) have no place in a record, and
    /// PostgreSQL cannot store NUL at all: refused in every field, whatever the store.
    fn check_characters(&self, errors: &mut Errors) {
        let scalar = |s: &Option<Scalar>| s.as_ref().map(Scalar::text);
        let mut fields: Vec<(String, Option<String>)> = vec![
            ("channel".into(), self.channel.clone()),
            ("received_at".into(), self.received_at.clone()),
            ("region".into(), scalar(&self.region)),
            ("title".into(), self.title.clone()),
            ("text".into(), self.text.clone()),
            ("kind".into(), self.kind.clone()),
            ("category".into(), self.category.clone()),
            ("incident".into(), self.incident.clone()),
        ];
        for (i, p) in self.parties.iter().flatten().enumerate() {
            for (name, value) in [("role", &p.role), ("kind", &p.kind), ("name", &p.name)] {
                fields.push((format!("parties[{i}].{name}"), value.clone()));
            }
            fields.push((format!("parties[{i}].id_number"), scalar(&p.id_number)));
            fields.push((format!("parties[{i}].phone"), scalar(&p.phone)));
        }
        for (field, value) in fields {
            if value.as_deref().is_some_and(has_control_characters) {
                errors.push(field, "control_characters", "contains control characters");
            }
        }
    }

    /// A copy that is safe to write to a report: ID and phone numbers masked in every field
    /// (a shifted column can put a number anywhere), invalid ones replaced by `***`.
    pub fn redacted(&self) -> LedgerRecord {
        let scrub = |s: &Option<String>| s.as_deref().map(pii::scrub_text);
        let scrub_scalar = |s: &Option<Scalar>| s.as_ref().map(Scalar::scrubbed);
        let mask = |s: &Option<Scalar>, mask: &dyn Fn(&str) -> Option<String>| {
            s.as_ref().map(|v| Scalar::Text(mask(&v.text()).unwrap_or_else(|| "***".into())))
        };
        LedgerRecord {
            channel: scrub(&self.channel),
            external_id: scrub_scalar(&self.external_id),
            received_at: scrub(&self.received_at),
            region: scrub_scalar(&self.region),
            title: scrub(&self.title),
            text: scrub(&self.text),
            parties: self.parties.as_ref().map(|parties| {
                parties
                    .iter()
                    .map(|p| PartyRecord {
                        role: scrub(&p.role),
                        kind: scrub(&p.kind),
                        name: scrub(&p.name),
                        id_number: mask(&p.id_number, &|s| IdNumber::parse(s).ok().map(|id| id.masked())),
                        phone: mask(&p.phone, &|s| PhoneNumber::parse(s).ok().map(|ph| ph.masked())),
                    })
                    .collect()
            }),
            kind: scrub(&self.kind),
            category: scrub(&self.category),
            incident: scrub(&self.incident),
            amount_yuan: scrub_scalar(&self.amount_yuan),
            people_count: scrub_scalar(&self.people_count),
            lat: scrub_scalar(&self.lat),
            lon: scrub_scalar(&self.lon),
        }
    }
}

impl PartyRecord {
    fn validate(&self, index: usize, key: &PiiKey, errors: &mut Errors) -> Option<Party> {
        let field = |name: &str| format!("parties[{index}].{name}");
        let before = errors.0.len();
        let role = match non_empty(&self.role) {
            None => {
                errors.push(
                    field("role"),
                    "missing_party_role",
                    "party role is required (complainant, respondent, third_party)",
                );
                None
            }
            Some(r) => r.parse::<PartyRole>().map_err(|e| errors.push(field("role"), "bad_party_role", e)).ok(),
        };
        let kind = match non_empty(&self.kind) {
            None => Some(PartyKind::Person),
            Some(k) => k.parse::<PartyKind>().map_err(|e| errors.push(field("kind"), "bad_party_kind", e)).ok(),
        };
        let name = non_empty(&self.name).map(pii::scrub_text);
        if name.as_ref().is_some_and(|n| n.chars().count() > 100) {
            errors.push(field("name"), "bad_party_name", "name has more than 100 characters");
        }
        let id_number = scalar_text(&self.id_number).and_then(|s| match IdNumber::parse(&s) {
            Ok(_) if kind == Some(PartyKind::Organization) => {
                errors.push(field("id_number"), "bad_id_number", "an organization has no resident ID number");
                None
            }
            Ok(id) => Some(key.protect_id_number(&id)),
            Err(e) => {
                errors.push(field("id_number"), "bad_id_number", e);
                None
            }
        });
        let phone = scalar_text(&self.phone).and_then(|s| match PhoneNumber::parse(&s) {
            Ok(p) => Some(key.protect_phone(&p)),
            Err(e) => {
                errors.push(field("phone"), "bad_phone", e);
                None
            }
        });
        if name.is_none() && id_number.is_none() && phone.is_none() && errors.0.len() == before {
            errors.push(field("name"), "empty_party", "a party needs a name, an ID number or a phone");
        }
        if errors.0.len() > before {
            return None;
        }
        Some(Party { role: role?, kind: kind?, name, id_number, phone })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::region::tests::yuhang;

    fn key() -> PiiKey {
        PiiKey::from_secret("test key for record validation").unwrap()
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 28, 0, 0, 0).unwrap()
    }

    fn good() -> serde_json::Value {
        serde_json::json!({
            "channel": "police", "external_id": "110-20260312-0042",
            "received_at": "2026-03-12T09:41:00+08:00",
            "region": "中泰街道南湖村",
            "title": "讨薪", "text": "工地37名工人被拖欠工资共计32万元，工人情绪激动。联系电话13812345678。",
            "parties": [
                {"role": "complainant", "name": "张某某", "id_number": "11010519491231002X", "phone": "13812345678"},
                {"role": "respondent", "name": "杭州某某建筑劳务有限公司", "kind": "organization"}
            ],
            "amount_yuan": 320000, "people_count": "37", "lat": 30.27, "lon": 119.93
        })
    }

    fn validate(v: serde_json::Value) -> Result<CaseRecord, Vec<FieldError>> {
        let g = yuhang();
        let key = key();
        let record: LedgerRecord = serde_json::from_value(v).unwrap();
        record.validate(&RecordContext { gazetteer: &g, pii_key: &key, now: now() })
    }

    fn codes(errors: &[FieldError]) -> Vec<&'static str> {
        errors.iter().map(|e| e.code).collect()
    }

    #[test]
    fn a_full_record_becomes_a_case_record() {
        let case = validate(good()).unwrap();
        assert_eq!(case.channel, Channel::Police);
        assert_eq!(case.region.to_string(), "330110014227");
        assert_eq!(case.received_at, Utc.with_ymd_and_hms(2026, 3, 12, 1, 41, 0).unwrap());
        assert_eq!(case.amount.unwrap().fen(), 32_000_000);
        assert_eq!(case.people_count, Some(37));
        assert_eq!(case.parties.len(), 2);
        let complainant = &case.parties[0];
        assert_eq!(complainant.id_number.as_ref().unwrap().masked, "1101**********002X");
        assert_eq!(complainant.phone.as_ref().unwrap().masked, "138****5678");
        assert_eq!(case.parties[1].kind, PartyKind::Organization);
        // The phone number inside the text is masked before it is stored.
        assert!(case.text.as_str().contains("138****5678"));
        assert!(!case.text.as_str().contains("13812345678"));
    }

    #[test]
    fn local_times_are_beijing_time() {
        let at = parse_received_at("2026-03-12 09:41").unwrap();
        assert_eq!(at, Utc.with_ymd_and_hms(2026, 3, 12, 1, 41, 0).unwrap());
        assert_eq!(parse_received_at("2026年3月12日").unwrap().day(), 11);
        assert!(parse_received_at("12/03/2026").is_none());
    }

    #[test]
    fn every_fault_is_reported_with_its_field() {
        let mut v = good();
        v["channel"] = "fax".into();
        v["received_at"] = "yesterday".into();
        v["region"] = "不存在村".into();
        v["text"] = "".into();
        v["parties"][0]["id_number"] = "110105194912310021".into();
        v["parties"][0]["phone"] = "12345".into();
        let errors = validate(v).unwrap_err();
        assert_eq!(
            codes(&errors),
            ["unknown_channel", "bad_date", "unknown_region", "missing_text", "bad_id_number", "bad_phone"]
        );
        assert_eq!(errors[4].field, "parties[0].id_number");
        // The rejected ID number itself appears nowhere in the messages.
        assert!(errors.iter().all(|e| !e.message.contains("110105194912310021")));
    }

    #[test]
    fn oversized_text_and_future_dates_are_refused() {
        let mut v = good();
        v["text"] = "字".repeat(20_001).into();
        v["received_at"] = "2027-01-01T00:00:00+08:00".into();
        let errors = validate(v).unwrap_err();
        assert_eq!(codes(&errors), ["bad_date", "text_too_long"]);
    }

    #[test]
    fn a_long_text_with_an_old_id_number_is_judged_as_stored_and_never_panics() {
        let mut v = good();
        v["text"] = format!("{}110105491231002", "字".repeat(19_985)).into();
        let case = validate(v).unwrap();
        assert!(case.text.as_str().ends_with("***************"));
        let mut v = good();
        v["text"] = format!("{}110105491231002", "字".repeat(19_986)).into();
        assert_eq!(codes(&validate(v).unwrap_err()), ["text_too_long"]);
    }

    #[test]
    fn ids_that_lost_digits_as_json_numbers_are_refused() {
        let mut v = good();
        v["external_id"] = serde_json::json!(12345678901234567890u64);
        assert_eq!(validate(v).unwrap().external_id.as_str(), "12345678901234567890");
        let mut v = good();
        v["external_id"] = serde_json::json!(1.5);
        assert_eq!(codes(&validate(v).unwrap_err()), ["bad_external_id"]);
    }

    #[test]
    fn numbers_in_names_and_categories_are_masked() {
        let mut v = good();
        v["parties"][1]["name"] = "王某13812345678".into();
        v["category"] = "劳资 13812345678".into();
        let case = validate(v).unwrap();
        assert_eq!(case.parties[1].name.as_deref(), Some("王某138****5678"));
        assert_eq!(case.category.as_deref(), Some("劳资 138****5678"));
    }

    #[test]
    fn times_keep_microseconds() {
        let at = parse_received_at("2026-03-12T09:41:00.123456789+08:00").unwrap();
        assert_eq!(at.timestamp_subsec_nanos(), 123_456_000);
    }

    #[test]
    fn missing_required_fields() {
        let errors = validate(serde_json::json!({})).unwrap_err();
        assert_eq!(
            codes(&errors),
            ["missing_channel", "missing_external_id", "missing_received_at", "missing_region", "missing_text"]
        );
    }

    #[test]
    fn numbers_may_come_as_strings_and_strings_as_numbers() {
        let mut v = good();
        v["region"] = 330110014227u64.into();
        v["external_id"] = 42.into();
        v["amount_yuan"] = "12,000.50".into();
        let case = validate(v).unwrap();
        assert_eq!(case.external_id.as_str(), "42");
        assert_eq!(case.amount.unwrap().fen(), 1_200_050);
    }

    #[test]
    fn redaction_masks_numbers_even_when_invalid() {
        let mut v = good();
        v["parties"][0]["id_number"] = "110105194912310021".into();
        v["region"] = "13812345678".into(); // a shifted column
        let record: LedgerRecord = serde_json::from_value(v).unwrap();
        let shown = serde_json::to_string(&record.redacted()).unwrap();
        assert!(!shown.contains("110105194912310021"));
        assert!(!shown.contains("13812345678"));
        assert!(shown.contains("138****5678"));
    }
}
