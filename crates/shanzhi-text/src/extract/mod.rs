//! Extraction of what a case text says: amounts, head-counts, organisations, persons, dates and
//! places. Rules, written to be read: each form they accept is in a test beside them, and the
//! labelled set in `data/text/extraction.jsonl` measures them as a whole.

mod dates;
mod names;
mod numbers;
mod places;
mod quantities;

pub use dates::dates;
pub use names::{organization_key, organizations, persons, same_organization};
pub use numbers::parse_number;
pub use places::PlaceFinder;
pub use quantities::{amounts, head_counts};
