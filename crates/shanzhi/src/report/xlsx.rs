//! Sheets as an Excel workbook (rust_xlsxwriter), for people who open it in Excel or WPS.
//!
//! Each sheet: the title row, if any, in bold 14 pt; the header row bold on a pale blue fill with
//! a border below it and an autofilter; panes frozen below the header and right of the first
//! column; one number format per column (`#,##0`, `0.0`, `0.0%`, `yyyy-mm-dd`, text as `@`);
//! columns as wide as their widest header or shown value, counting a CJK character as 2 units;
//! empty cells left empty, so that no data never reads as 0.

use std::path::Path;

use anyhow::Context;
use chrono::Datelike;
use rust_xlsxwriter::{Color, ExcelDateTime, Format as XlsxFormat, FormatAlign, FormatBorder, Workbook, Worksheet};

use super::sheet::{Cell, Column, Sheet, check_workbook};

/// Fitted widths stay within these bounds (Excel's character units).
const MIN_WIDTH: f64 = 6.0;
const MAX_WIDTH: f64 = 60.0;
/// Room beside a header for the autofilter's button, and beside any value for the cell margins.
const FILTER_BUTTON: f64 = 3.0;
const MARGIN: f64 = 1.5;
const HEADER_FILL: u32 = 0xDD_EB_F7;

/// Writes the workbook to `path`, replacing it only once the whole file is written.
pub fn write(path: &Path, sheets: &[Sheet]) -> anyhow::Result<()> {
    let bytes = to_bytes(sheets)?;
    super::write_file(path, &bytes)
}

/// The workbook as the bytes of an .xlsx file (for a file or an HTTP response).
pub fn to_bytes(sheets: &[Sheet]) -> anyhow::Result<Vec<u8>> {
    check_workbook(sheets)?;
    let mut workbook = Workbook::new();
    for sheet in sheets {
        let worksheet = workbook.add_worksheet();
        fill(worksheet, sheet).with_context(|| format!("writing sheet {}", sheet.name()))?;
    }
    workbook.save_to_buffer().context("assembling the xlsx file")
}

fn fill(worksheet: &mut Worksheet, sheet: &Sheet) -> anyhow::Result<()> {
    worksheet.set_name(sheet.name().as_str())?;
    let mut header_row: u32 = 0;
    if let Some(title) = sheet.title() {
        worksheet.write_string_with_format(0, 0, title, &XlsxFormat::new().set_bold().set_font_size(14))?;
        worksheet.set_row_height(0, 24)?;
        header_row = 1;
    }
    let header = XlsxFormat::new()
        .set_bold()
        .set_background_color(Color::RGB(HEADER_FILL))
        .set_border_bottom(FormatBorder::Thin)
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter);
    let formats: Vec<XlsxFormat> =
        sheet.columns().iter().map(|column| XlsxFormat::new().set_num_format(column.format.number_format())).collect();
    for (index, column) in sheet.columns().iter().enumerate() {
        let col = u16::try_from(index)?;
        worksheet.write_string_with_format(header_row, col, &column.header, &header)?;
        worksheet.set_column_width(col, column.width.unwrap_or_else(|| fitted_width(column, index, sheet.rows())))?;
    }
    for (offset, cells) in sheet.rows().iter().enumerate() {
        let row = header_row + 1 + u32::try_from(offset)?;
        for ((index, cell), format) in cells.iter().enumerate().zip(&formats) {
            let col = u16::try_from(index)?;
            match cell {
                Cell::Empty => {}
                Cell::Text(text) => {
                    worksheet.write_string_with_format(row, col, text, format)?;
                }
                Cell::Number(x) => {
                    worksheet.write_number_with_format(row, col, *x, format)?;
                }
                Cell::Date(date) => {
                    // The sheet admits only the years 1900–9999, which fit these types.
                    let day = ExcelDateTime::from_ymd(
                        u16::try_from(date.year())?,
                        u8::try_from(date.month())?,
                        u8::try_from(date.day())?,
                    )?;
                    worksheet.write_datetime_with_format(row, col, day, format)?;
                }
            }
        }
    }
    let last_row = header_row + u32::try_from(sheet.rows().len())?;
    let last_col = u16::try_from(sheet.columns().len() - 1)?;
    worksheet.autofilter(header_row, 0, last_row, last_col)?;
    worksheet.set_freeze_panes(header_row + 1, u16::from(last_col > 0))?;
    Ok(())
}

/// The width that shows the header (with its filter button) and every value of the column as the
/// sheet shows it.
fn fitted_width(column: &Column, index: usize, rows: &[Vec<Cell>]) -> f64 {
    let values = rows.iter().map(|row| text_width(&column.format.shown(&row[index])) + MARGIN);
    let widest = values.fold(text_width(&column.header) + FILTER_BUTTON + MARGIN, f64::max);
    widest.clamp(MIN_WIDTH, MAX_WIDTH)
}

/// The width of a text in Excel's character units: a CJK (East Asian wide) character is about
/// two, anything else one.
pub fn text_width(text: &str) -> f64 {
    text.chars().map(|c| if is_wide(c) { 2.0 } else { 1.0 }).sum()
}

/// East Asian wide and fullwidth characters: Hangul Jamo, CJK radicals to Yi (without the
/// half-width ideographic space), Hangul syllables, compatibility ideographs, vertical and
/// compatibility forms, fullwidth forms, and the supplementary ideographic planes.
fn is_wide(c: char) -> bool {
    matches!(u32::from(c),
        0x1100..=0x115F
        | 0x2E80..=0x303E
        | 0x3040..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE10..=0xFE19
        | 0xFE30..=0xFE6F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x1_F300..=0x1_F64F
        | 0x2_0000..=0x3_FFFD)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cjk_character_is_two_units_wide() {
        assert_eq!(text_width("中泰街道"), 8.0);
        assert_eq!(text_width("2026-10-31"), 10.0);
        assert_eq!(text_width("化解率（%）"), 11.0);
        assert_eq!(text_width("A组，3人"), 8.0);
    }
}
