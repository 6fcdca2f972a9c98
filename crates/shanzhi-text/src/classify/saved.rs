//! A trained classifier as bytes, to keep in the ledger (`shanzhi train`) and load at start
//! instead of training.
//!
//! The format ([`FORMAT`]) is binary, little-endian, and is read whole or refused:
//!
//! ```text
//! "SZTM"  u16 format version (1)
//! f64 keyword weight; settings: varint epochs, f64 learning rate, f64 l2, u64 seed, f64 prune
//! varint training documents
//! varint classes, each its category code (varint length, UTF-8)
//! f64 bias per class
//! varint features, in the model's order, each:
//!     varint (length << 2 | kind), the name's text (UTF-8); kind 0 a word (`词:…`), 1 a character
//!     bigram (`字:…`), 2 any other name, followed by its u64 id
//!     varint document frequency
//!     a bitmap of the classes whose weight is not zero (one bit per class, ⌈classes / 8⌉ bytes)
//!     f32 per bit set, in class order
//! u64 FNV-1a of every byte before it
//! ```
//!
//! Why this shape: the weights are centred and pruned when training ends (`model.rs`), so three
//! in four are zero and the rest are `f32`; a bitmap per feature (3 bytes for 24 classes) costs
//! less than a class number per weight. Feature ids are FNV hashes of the names, so a name (a
//! word or two characters, 4–10 bytes) gives its id back and explanations keep their words; the
//! ids themselves (8 random bytes each) are not stored. The idf is stored as the document
//! frequency (1–2 bytes) and recomputed with the same expression as in training. The classes are
//! kept by code, so a model loads against a taxonomy whose categories are listed in another
//! order, and is refused by one with other categories. On the shipped corpus the model is 978 KB
//! (169,346 weights of 29,083 features; the dense `f64` table alone would be 5.6 MB); decoding it
//! takes about 10 ms in a release build, where training takes about 0.3 s.
//!
//! A model saved and loaded is the same model: bias and weights are stored bit for bit, and the
//! idf is recomputed by the same code (on another platform `ln` may differ in its last bit).

use std::collections::hash_map::Entry;

use super::features::{self, FeatureId};
use super::model::{FeatureIndex, LinearModel, Training, idf};

/// The format tag of saved models, kept beside them in the ledger.
pub const FORMAT: &str = "shanzhi-text-model/1";

const MAGIC: &[u8; 4] = b"SZTM";
const VERSION: u16 = 1;
/// At most this many classes: a taxonomy has a few dozen.
const MAX_CLASSES: usize = 4_096;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ModelError {
    #[error("this is not a saved text model")]
    NotAModel,
    #[error("the saved text model has format version {0}; this shanzhi reads version {VERSION} (retrain it)")]
    UnknownVersion(u16),
    #[error("the saved text model is damaged: {0}")]
    Damaged(String),
    #[error("the saved text model was trained for another taxonomy ({0}); retrain it")]
    Taxonomy(String),
}

/// What a saved model holds.
pub(super) struct Saved {
    pub model: LinearModel,
    /// The category code of each class, in the model's order.
    pub codes: Vec<String>,
    pub keyword_weight: f64,
}

pub(super) fn encode(model: &LinearModel, codes: &[&str], keyword_weight: f64) -> Vec<u8> {
    let classes = model.classes;
    let mut out = Vec::with_capacity(16 + model.names.len() * 40);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&VERSION.to_le_bytes());
    out.extend_from_slice(&keyword_weight.to_le_bytes());
    let s = model.settings;
    varint(&mut out, s.epochs as u64);
    out.extend_from_slice(&s.learning_rate.to_le_bytes());
    out.extend_from_slice(&s.l2.to_le_bytes());
    out.extend_from_slice(&s.seed.to_le_bytes());
    out.extend_from_slice(&s.prune.to_le_bytes());
    varint(&mut out, u64::from(model.documents));
    varint(&mut out, classes as u64);
    for code in codes {
        varint(&mut out, code.len() as u64);
        out.extend_from_slice(code.as_bytes());
    }
    for b in &model.bias {
        out.extend_from_slice(&b.to_le_bytes());
    }
    varint(&mut out, model.names.len() as u64);
    let ids = ids_by_row(model);
    for (i, name) in model.names.iter().enumerate() {
        match features::parse_name(name).filter(|(kind, text)| features::feature(*kind, text).0 == ids[i]) {
            Some((kind, text)) => {
                varint(&mut out, ((text.len() as u64) << 2) | u64::from(kind == b'b'));
                out.extend_from_slice(text.as_bytes());
            }
            None => {
                varint(&mut out, ((name.len() as u64) << 2) | 2);
                out.extend_from_slice(name.as_bytes());
                out.extend_from_slice(&ids[i].to_le_bytes());
            }
        }
        varint(&mut out, u64::from(model.df[i]));
        let row = &model.weights[i * classes..(i + 1) * classes];
        let mut bitmap = vec![0u8; classes.div_ceil(8)];
        for (k, w) in row.iter().enumerate() {
            if *w != 0.0 {
                bitmap[k / 8] |= 1 << (k % 8);
            }
        }
        out.extend_from_slice(&bitmap);
        for w in row.iter().filter(|w| **w != 0.0) {
            out.extend_from_slice(&w.to_le_bytes());
        }
    }
    let checksum = fnv1a(&out);
    out.extend_from_slice(&checksum.to_le_bytes());
    out
}

/// The id of each row of the model (the index maps ids to rows).
fn ids_by_row(model: &LinearModel) -> Vec<FeatureId> {
    let mut ids = vec![0; model.names.len()];
    for (id, row) in &model.index {
        ids[*row] = *id;
    }
    ids
}

pub(super) fn decode(bytes: &[u8]) -> Result<Saved, ModelError> {
    if bytes.len() < MAGIC.len() + 2 || &bytes[..4] != MAGIC {
        return Err(ModelError::NotAModel);
    }
    let version = u16::from_le_bytes([bytes[4], bytes[5]]);
    if version != VERSION {
        return Err(ModelError::UnknownVersion(version));
    }
    let Some(body_len) = bytes.len().checked_sub(8).filter(|n| *n >= 6) else {
        return Err(damaged("it ends early"));
    };
    let (body, checksum) = bytes.split_at(body_len);
    if fnv1a(body) != u64::from_le_bytes(checksum.try_into().map_err(|_| damaged("it ends early"))?) {
        return Err(damaged("its checksum does not match"));
    }
    let mut r = Reader { bytes: body, at: 6 };
    let keyword_weight = r.finite()?;
    let settings = Training {
        epochs: usize::try_from(r.varint()?).map_err(|_| damaged("epochs"))?,
        learning_rate: r.finite()?,
        l2: r.finite()?,
        seed: r.u64()?,
        prune: r.finite()?,
    };
    let documents = u32::try_from(r.varint()?).map_err(|_| damaged("too many documents"))?;
    let classes = r.count(1)?;
    if classes == 0 || classes > MAX_CLASSES {
        return Err(damaged("the number of classes"));
    }
    let mut codes = Vec::with_capacity(classes);
    for _ in 0..classes {
        let n = r.count(1)?;
        let code = r.text(n)?.to_owned();
        if codes.contains(&code) {
            return Err(damaged(&format!("class `{code}` twice")));
        }
        codes.push(code);
    }
    let bias = (0..classes).map(|_| r.finite()).collect::<Result<Vec<f64>, _>>()?;
    let bitmap_len = classes.div_ceil(8);
    // Each feature takes at least a byte of name header, one of frequency and its bitmap.
    let features = r.count(2 + bitmap_len)?;
    let mut index = FeatureIndex::default();
    index.reserve(features);
    let mut names = Vec::with_capacity(features);
    let mut df = Vec::with_capacity(features);
    let mut weights = vec![0.0_f32; features * classes];
    for i in 0..features {
        let header = r.varint()?;
        let len = usize::try_from(header >> 2).map_err(|_| damaged("a feature's length"))?;
        let text = r.text(len)?;
        let (id, name) = match header & 3 {
            0 => features::feature(b'w', text),
            1 => features::feature(b'b', text),
            2 => (r.u64()?, text.to_owned()),
            _ => return Err(damaged("a feature's kind")),
        };
        match index.entry(id) {
            Entry::Occupied(_) => return Err(damaged(&format!("feature `{name}` twice"))),
            Entry::Vacant(slot) => slot.insert(i),
        };
        names.push(name);
        let frequency = u32::try_from(r.varint()?).ok().filter(|d| (1..=documents).contains(d));
        df.push(frequency.ok_or_else(|| damaged("a document frequency"))?);
        let bitmap = r.take(bitmap_len)?.to_vec();
        let row = &mut weights[i * classes..(i + 1) * classes];
        for (byte, bits) in bitmap.iter().enumerate() {
            for bit in 0..8 {
                if bits & (1 << bit) == 0 {
                    continue;
                }
                let k = byte * 8 + bit;
                let w = f32::from_le_bytes(r.array()?);
                if k >= classes || !w.is_finite() || w == 0.0 {
                    return Err(damaged("a weight"));
                }
                row[k] = w;
            }
        }
    }
    if r.at != body.len() {
        return Err(damaged("bytes follow the last feature"));
    }
    let idf = df.iter().map(|&d| idf(documents, d)).collect();
    let model = LinearModel { classes, bias, weights, index, names, df, documents, idf, settings };
    Ok(Saved { model, codes, keyword_weight })
}

fn damaged(what: &str) -> ModelError {
    ModelError::Damaged(what.to_owned())
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], ModelError> {
        let end =
            self.at.checked_add(n).filter(|end| *end <= self.bytes.len()).ok_or_else(|| damaged("it ends early"))?;
        let taken = &self.bytes[self.at..end];
        self.at = end;
        Ok(taken)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], ModelError> {
        Ok(self.take(N)?.try_into().expect("took N bytes"))
    }

    fn u64(&mut self) -> Result<u64, ModelError> {
        Ok(u64::from_le_bytes(self.array()?))
    }

    fn finite(&mut self) -> Result<f64, ModelError> {
        let value = f64::from_le_bytes(self.array()?);
        if value.is_finite() { Ok(value) } else { Err(damaged("a number that is not finite")) }
    }

    /// LEB128.
    fn varint(&mut self) -> Result<u64, ModelError> {
        let mut value: u64 = 0;
        for shift in (0..64).step_by(7) {
            let byte = self.take(1)?[0];
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(damaged("a number too long"))
    }

    /// A count of items that take at least `each` bytes: never more than the bytes left allow,
    /// so that a damaged count cannot make a huge allocation.
    fn count(&mut self, each: usize) -> Result<usize, ModelError> {
        let n = self.varint()?;
        let left = (self.bytes.len() - self.at) / each.max(1);
        usize::try_from(n).ok().filter(|n| *n <= left).ok_or_else(|| damaged("a count larger than the model"))
    }

    fn text(&mut self, n: usize) -> Result<&'a str, ModelError> {
        std::str::from_utf8(self.take(n)?).map_err(|_| damaged("text that is not UTF-8"))
    }
}

fn varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push(((value & 0x7f) as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in bytes {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model() -> LinearModel {
        let f = |names: &[&str]| -> Vec<(FeatureId, String)> {
            names
                .iter()
                .map(|n| match features::parse_name(n) {
                    Some((kind, text)) => features::feature(kind, text),
                    None => (n.len() as u64 * 7919, (*n).to_owned()),
                })
                .collect()
        };
        let examples = vec![
            (f(&["词:欠薪", "字:欠薪", "other"]), 0),
            (f(&["词:欠薪", "字:工资"]), 0),
            (f(&["词:噪音", "字:噪音"]), 1),
            (f(&["词:噪音", "字:扰民"]), 1),
            (f(&["词:离婚"]), 2),
        ];
        LinearModel::train(&examples, 3, Training { prune: 0.05, ..Training::default() })
    }

    #[test]
    fn a_model_round_trips_bit_for_bit() {
        let m = model();
        let bytes = encode(&m, &["a", "b", "c"], 0.5);
        let saved = decode(&bytes).unwrap();
        assert_eq!(saved.codes, ["a", "b", "c"]);
        assert_eq!(saved.keyword_weight, 0.5);
        let l = saved.model;
        assert_eq!(
            (&l.bias, &l.weights, &l.names, &l.df, l.documents),
            (&m.bias, &m.weights, &m.names, &m.df, m.documents)
        );
        assert_eq!(l.index, m.index);
        assert_eq!(l.idf, m.idf);
        assert_eq!(l.settings, m.settings);
        assert!(m.weights.contains(&0.0), "pruned weights are not stored");
        assert_eq!(encode(&l, &["a", "b", "c"], 0.5), bytes, "and saves to the same bytes");
    }

    #[test]
    fn damage_is_found_not_trusted() {
        let bytes = encode(&model(), &["a", "b", "c"], 0.5);
        assert!(matches!(decode(b"PK\x03\x04zip"), Err(ModelError::NotAModel)));
        let mut newer = bytes.clone();
        newer[4] = 2;
        assert_eq!(decode(&newer).err(), Some(ModelError::UnknownVersion(2)));
        for cut in [6, 20, bytes.len() / 2, bytes.len() - 1] {
            assert!(matches!(decode(&bytes[..cut]), Err(ModelError::Damaged(_))), "cut at {cut}");
        }
        for at in [8, 40, bytes.len() / 2, bytes.len() - 9] {
            let mut flipped = bytes.clone();
            flipped[at] ^= 0x10;
            assert!(matches!(decode(&flipped), Err(ModelError::Damaged(_))), "byte {at} flipped");
        }
    }

    proptest::proptest! {
        #[test]
        fn no_bytes_make_it_panic(
            noise in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300),
            at in 0usize..10_000,
            byte in proptest::prelude::any::<u8>(),
        ) {
            let _ = decode(&noise);
            // Damage past the checksum: change a byte of a valid model and seal it again.
            let bytes = encode(&model(), &["a", "b", "c"], 0.5);
            let mut body = bytes[..bytes.len() - 8].to_vec();
            let at = 6 + at % (body.len() - 6);
            body[at] = byte;
            body.extend_from_slice(&fnv1a(&body).to_le_bytes());
            let _ = decode(&body);
            body.truncate(at.max(7));
            body.extend_from_slice(&fnv1a(&body).to_le_bytes());
            let _ = decode(&body);
        }
    }

    #[test]
    fn varints_round_trip() {
        for value in [0, 1, 127, 128, 300, u64::from(u32::MAX), u64::MAX] {
            let mut out = Vec::new();
            varint(&mut out, value);
            assert_eq!(Reader { bytes: &out, at: 0 }.varint().unwrap(), value);
        }
    }
}
