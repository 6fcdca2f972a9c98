//! Personal data in free text: ID numbers, mobile and fixed-line phones, bank cards and licence
//! plates. One masker serves the ledger and the text analysis: `shanzhi_core::pii`.

pub use shanzhi_core::pii::{PiiKind, mask_numbers as mask};
