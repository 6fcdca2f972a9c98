//! Sheets as CSV files, for programs (and for people without a spreadsheet that reads xlsx).
//!
//! A CSV file holds one sheet, so the first sheet goes to the path given and each further sheet
//! beside it as `STEM.<sheet name>.EXT`: `report.csv`, `report.部门.csv`, `report.村社星级.csv`.
//!
//! Each file is UTF-8 with a byte-order mark (so that Excel and WPS read the Chinese), RFC 4180
//! (comma, `"` quoting, CRLF), the header row first. The title row is not written: CSV is read by
//! programs, which want the header on the first line. Cells are written as values, not as the
//! spreadsheet shows them ([`Format::plain`](super::sheet::Format::plain)): numbers without
//! thousands separators, rounded to their column's places; a percent as the fraction it is with
//! two more places (`Percent(1)` writes 93.54% as `0.935`, never `93.5%`, which a program would
//! have to parse); dates as `2026-10-31`; a missing value as an empty field, never `0`.
//! Text is written as it is: a text beginning with `=` is not escaped against spreadsheet
//! formulas, because the CSV is data (people get the xlsx, where text is never a formula).

use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;

use super::sheet::{Sheet, check_workbook};

/// UTF-8's byte-order mark, which tells Excel and WPS the encoding.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Writes one file per sheet (see the module) and returns their paths, the first sheet's first.
/// Each file replaces an older one only once it is completely written.
pub fn write(path: &Path, sheets: &[Sheet]) -> anyhow::Result<Vec<PathBuf>> {
    check_workbook(sheets)?;
    let paths = paths(path, sheets);
    for (sheet, path) in sheets.iter().zip(&paths) {
        let bytes = to_bytes(sheet).with_context(|| format!("writing sheet {} as CSV", sheet.name()))?;
        super::write_file(path, &bytes)?;
    }
    Ok(paths)
}

/// Where [`write`] puts each sheet: `path` for the first, `STEM.<name>.EXT` beside it for the rest.
pub fn paths(path: &Path, sheets: &[Sheet]) -> Vec<PathBuf> {
    let stem = path.file_stem().map(OsString::from).unwrap_or_default();
    let extension = path.extension().map_or_else(|| OsString::from("csv"), OsString::from);
    sheets
        .iter()
        .enumerate()
        .map(|(index, sheet)| {
            if index == 0 {
                return path.to_path_buf();
            }
            let mut name = stem.clone();
            name.push(".");
            name.push(sheet.name().as_str());
            name.push(".");
            name.push(&extension);
            path.with_file_name(name)
        })
        .collect()
}

/// One sheet as the bytes of a CSV file, BOM first.
pub fn to_bytes(sheet: &Sheet) -> anyhow::Result<Vec<u8>> {
    let mut bytes = BOM.to_vec();
    to_writer(&mut bytes, sheet)?;
    Ok(bytes)
}

/// One sheet as CSV records (without the BOM, which belongs to the start of a file).
pub fn to_writer(writer: impl Write, sheet: &Sheet) -> anyhow::Result<()> {
    let mut csv = ::csv::WriterBuilder::new().terminator(::csv::Terminator::CRLF).from_writer(writer);
    csv.write_record(sheet.columns().iter().map(|column| column.header.as_str()))?;
    for row in sheet.rows() {
        csv.write_record(sheet.columns().iter().zip(row).map(|(column, cell)| column.format.plain(cell)))?;
    }
    csv.flush()?;
    Ok(())
}
