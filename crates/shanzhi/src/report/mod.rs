//! Reports as spreadsheets: the generic writer behind `shanzhi report --out FILE.xlsx|FILE.csv`.
//!
//! Whoever builds a report (the period's assessment: towns, departments, villages with their
//! stars, warnings) turns each view into a [`Sheet`]: a Chinese name, an optional title row,
//! typed [`Column`]s (text, integer, decimal, percent, date) and rows of [`Cell`]s, checked when
//! the sheet is built. [`write`] then writes the sheets in the format the file name asks for:
//! one workbook ([`xlsx`]) for people, or one CSV file per sheet ([`csv`]) for programs. Nothing
//! here knows what the figures mean.
//!
//! ```no_run
//! use shanzhi::report::{self, Cell, Column, Sheet};
//! # fn main() -> anyhow::Result<()> {
//! let towns = Sheet::new("镇街", vec![Column::text("镇街"), Column::integer("受理数"), Column::percent("化解率", 1)])?
//!     .with_title("2026年10月 镇街考核")?
//!     .with_rows([
//!         vec![Cell::from("中泰街道"), Cell::from(1234), Cell::from(0.935)],
//!         vec![Cell::from("闲林街道"), Cell::from(0), Cell::from(None::<f64>)], // no data: empty, not 0
//!     ])?;
//! let written = report::write("report.xlsx", &[towns])?;
//! # Ok(()) }
//! ```

pub mod assessment;
pub mod csv;
pub mod sheet;
pub mod xlsx;

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

pub use sheet::{Cell, Column, Format, Sheet, SheetError, SheetName};

/// Writes the sheets to `path` as .xlsx or .csv, chosen by its extension (in any case), and
/// returns the files written: the one workbook, or one CSV file per sheet (see [`csv`]). Any other
/// extension, no sheets, or two sheets of the same name are errors, and nothing is written.
pub fn write(path: impl AsRef<Path>, sheets: &[Sheet]) -> anyhow::Result<Vec<PathBuf>> {
    let path = path.as_ref();
    let extension = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    match extension.as_deref() {
        Some("xlsx") => {
            xlsx::write(path, sheets)?;
            Ok(vec![path.to_path_buf()])
        }
        Some("csv") => csv::write(path, sheets),
        _ => bail!("cannot write a report to {}: the file name must end in .xlsx or .csv", path.display()),
    }
}

/// Writes a file beside its final name and renames it into place, so that a reader never sees a
/// half-written report and a failed write leaves the older file as it was.
fn write_file(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let name = path.file_name().with_context(|| format!("{} names no file", path.display()))?;
    let mut temporary = std::ffi::OsString::from(".");
    temporary.push(name);
    temporary.push(format!(".{}.tmp", std::process::id()));
    let temporary = path.with_file_name(temporary);
    if let Err(error) = std::fs::write(&temporary, bytes).and_then(|()| std::fs::rename(&temporary, path)) {
        let _ = std::fs::remove_file(&temporary);
        return Err(error).with_context(|| format!("writing {}", path.display()));
    }
    Ok(())
}
