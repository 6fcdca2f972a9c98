//! A sheet of a report as plain data: a name, an optional title, typed columns and rows of cells.
//!
//! Everything a spreadsheet would refuse, or that would show a wrong figure, is refused here, when
//! the sheet is built, with a [`SheetError`] that names the row and column: a name Excel does not
//! accept, a row with the wrong number of cells, a cell of the wrong kind for its column (a number
//! in a text column, a date in a percent column), a number that is not finite, a date Excel cannot
//! show. The writers ([`super::xlsx`], [`super::csv`]) then only write.
//!
//! A missing value is [`Cell::Empty`], never `0`: a rate whose denominator is zero is "no data".
//! `Cell::from(f64::NAN)` is therefore `Empty`; a `Cell::Number(NAN)` built by hand is refused.

use std::fmt;

use chrono::{Datelike, NaiveDate};

/// The most decimal places a [`Format`] may ask for.
pub const MAX_PLACES: u8 = 10;
/// Excel's limits: rows and columns of a sheet, characters of a cell and of a sheet name.
const MAX_ROWS: usize = 1_048_576;
const MAX_COLUMNS: usize = 16_384;
const MAX_CELL_CHARS: usize = 32_767;
const MAX_NAME_CHARS: usize = 31;
/// Excel's widest column, in its character units.
const MAX_WIDTH: f64 = 255.0;

/// A sheet name Excel and WPS accept: 1–31 characters (UTF-16 units, as Excel counts), none of
/// `[ ] : * ? / \` nor a control character, no apostrophe at either end, no space at either end,
/// and not `History` (reserved by Excel). The CSV writer also puts it into a file name, which the
/// excluded `/` and `\` keep in its folder.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SheetName(String);

impl SheetName {
    pub fn parse(name: impl Into<String>) -> Result<SheetName, SheetError> {
        let name = name.into();
        let refuse = |reason: &'static str| Err(SheetError::Name { name: name.clone(), reason });
        if name.is_empty() {
            return refuse("is empty");
        }
        if name.encode_utf16().count() > MAX_NAME_CHARS {
            return refuse("is longer than 31 characters");
        }
        if name.contains(['[', ']', ':', '*', '?', '/', '\\']) {
            return refuse("contains one of [ ] : * ? / \\");
        }
        if name.chars().any(char::is_control) {
            return refuse("contains a control character");
        }
        if name.starts_with('\'') || name.ends_with('\'') {
            return refuse("starts or ends with an apostrophe");
        }
        if name.trim() != name {
            return refuse("starts or ends with a space");
        }
        if name.eq_ignore_ascii_case("history") {
            return refuse("is reserved by Excel");
        }
        Ok(SheetName(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SheetName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// How a column's values are shown (xlsx) and written (CSV). Places are decimal places, at most
/// [`MAX_PLACES`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Text cells as they are.
    Text,
    /// Whole numbers with thousands separators: `#,##0` (a fraction is shown rounded).
    Integer,
    /// A fixed number of decimal places: `0.0` for `Decimal(1)`.
    Decimal(u8),
    /// A fraction (0.935) shown as a percentage: `0.0%` for `Percent(1)` shows `93.5%`. Values
    /// above 1 or below 0 are allowed (a growth rate).
    Percent(u8),
    /// A calendar day: `yyyy-mm-dd`.
    Date,
}

impl Format {
    /// The spreadsheet number format.
    pub fn number_format(self) -> String {
        match self {
            Format::Text => "@".to_owned(),
            Format::Integer => "#,##0".to_owned(),
            Format::Decimal(places) => with_places("0", places),
            Format::Percent(places) => with_places("0", places) + "%",
            Format::Date => "yyyy-mm-dd".to_owned(),
        }
    }

    /// The cell as a spreadsheet shows it in this format (`1,234`, `12.3`, `93.5%`,
    /// `2026-10-31`; empty for an empty cell). Numbers are rounded as Excel and LibreOffice round
    /// them: from their first 15 significant digits, halves away from zero.
    pub fn shown(self, cell: &Cell) -> String {
        match (self, cell) {
            (_, Cell::Empty) => String::new(),
            (_, Cell::Text(text)) => text.clone(),
            (_, Cell::Date(date)) => iso_date(*date),
            (Format::Integer, Cell::Number(x)) => group_thousands(&fixed(*x, 0, 0)),
            (Format::Decimal(places), Cell::Number(x)) => fixed(*x, places, 0),
            (Format::Percent(places), Cell::Number(x)) => fixed(*x, places, 2) + "%",
            // A sheet never holds a number in a text or date column; show it plainly all the same.
            (Format::Text | Format::Date, Cell::Number(x)) => x.to_string(),
        }
    }

    /// The cell as the CSV writer writes it: the value, not its display. Numbers without
    /// thousands separators, rounded to the format's places like [`Format::shown`]; a percent as
    /// the fraction it is, with two more places (`Percent(1)` writes 0.9354 as `0.935`), so that
    /// a program reads the value the spreadsheet holds to the precision it shows; dates as
    /// ISO 8601 (`2026-10-31`); empty cells as empty fields.
    pub fn plain(self, cell: &Cell) -> String {
        match (self, cell) {
            (_, Cell::Empty) => String::new(),
            (_, Cell::Text(text)) => text.clone(),
            (_, Cell::Date(date)) => iso_date(*date),
            (Format::Integer, Cell::Number(x)) => fixed(*x, 0, 0),
            (Format::Decimal(places), Cell::Number(x)) => fixed(*x, places, 0),
            (Format::Percent(places), Cell::Number(x)) => fixed(*x, places.saturating_add(2), 0),
            (Format::Text | Format::Date, Cell::Number(x)) => x.to_string(),
        }
    }

    fn places(self) -> u8 {
        match self {
            Format::Decimal(places) | Format::Percent(places) => places,
            Format::Text | Format::Integer | Format::Date => 0,
        }
    }

    fn accepts(self, cell: &Cell) -> bool {
        matches!(
            (self, cell),
            (_, Cell::Empty)
                | (Format::Text, Cell::Text(_))
                | (Format::Integer | Format::Decimal(_) | Format::Percent(_), Cell::Number(_))
                | (Format::Date, Cell::Date(_))
        )
    }

    fn noun(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Integer => "integer",
            Format::Decimal(_) => "decimal",
            Format::Percent(_) => "percent",
            Format::Date => "date",
        }
    }
}

fn with_places(integer: &str, places: u8) -> String {
    if places == 0 { integer.to_owned() } else { format!("{integer}.{}", "0".repeat(usize::from(places))) }
}

fn iso_date(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

/// `x × 10^shift` in fixed notation with `places` decimals, as a spreadsheet rounds for display:
/// from the first 15 significant digits, halves away from zero; no sign on a zero.
fn fixed(x: f64, places: u8, shift: i32) -> String {
    let places = i32::from(places);
    // "d.dddddddddddddde-x": the 15 significant digits Excel and LibreOffice work from.
    let scientific = format!("{:.14e}", x.abs());
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let mut digits: Vec<u8> = mantissa.bytes().filter(u8::is_ascii_digit).map(|b| b - b'0').collect();
    // The value is 0.d₁d₂…d₁₅ × 10^point: `point` digits stand before the decimal point.
    let mut point = exponent.parse::<i32>().unwrap_or(0) + 1 + shift;
    let keep = point + places;
    if keep < 0 {
        digits.clear();
    } else if let Ok(keep) = usize::try_from(keep)
        && keep < digits.len()
    {
        let round_up = digits[keep] >= 5;
        digits.truncate(keep);
        if round_up {
            let mut carried = true;
            for digit in digits.iter_mut().rev() {
                if *digit == 9 {
                    *digit = 0;
                } else {
                    *digit += 1;
                    carried = false;
                    break;
                }
            }
            if carried {
                digits.insert(0, 1);
                point += 1;
            }
        }
    }
    if digits.iter().all(|&d| d == 0) {
        point = 0; // zero, which has no significant digit to place
    }
    let digit = |i: i32| usize::try_from(i).ok().and_then(|i| digits.get(i)).map_or('0', |d| char::from(b'0' + d));
    let mut out = String::new();
    if x < 0.0 && digits.iter().any(|&d| d != 0) {
        out.push('-');
    }
    if point <= 0 {
        out.push('0');
    } else {
        out.extend((0..point).map(digit));
    }
    if places > 0 {
        out.push('.');
        out.extend((point..point + places).map(digit));
    }
    out
}

/// `1234567` → `1,234,567` (the integer part of a fixed-notation number).
fn group_thousands(number: &str) -> String {
    let (sign, digits) = number.strip_prefix('-').map_or(("", number), |rest| ("-", rest));
    let (integer, fraction) = digits.split_once('.').map_or((digits, None), |(i, f)| (i, Some(f)));
    let mut out = String::from(sign);
    for (i, c) in integer.chars().enumerate() {
        if i > 0 && (integer.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if let Some(fraction) = fraction {
        out.push('.');
        out.push_str(fraction);
    }
    out
}

/// One column: its header (Chinese, shown bold above the data), its format and, if it should not
/// be fitted to its contents, a width in Excel's character units (a CJK character is about 2).
#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    pub header: String,
    pub format: Format,
    pub width: Option<f64>,
}

impl Column {
    pub fn new(header: impl Into<String>, format: Format) -> Column {
        Column { header: header.into(), format, width: None }
    }

    pub fn text(header: impl Into<String>) -> Column {
        Column::new(header, Format::Text)
    }

    pub fn integer(header: impl Into<String>) -> Column {
        Column::new(header, Format::Integer)
    }

    pub fn decimal(header: impl Into<String>, places: u8) -> Column {
        Column::new(header, Format::Decimal(places))
    }

    pub fn percent(header: impl Into<String>, places: u8) -> Column {
        Column::new(header, Format::Percent(places))
    }

    pub fn date(header: impl Into<String>) -> Column {
        Column::new(header, Format::Date)
    }

    /// A fixed width instead of one fitted to the contents.
    pub fn width(mut self, width: f64) -> Column {
        self.width = Some(width);
        self
    }

    /// What a sheet refuses in a column, if anything.
    fn fault(&self) -> Option<String> {
        if self.header.trim().is_empty() {
            return Some("has a blank header".to_owned());
        }
        if self.header.chars().count() > MAX_CELL_CHARS {
            return Some("has a header longer than 32,767 characters".to_owned());
        }
        if self.format.places() > MAX_PLACES {
            return Some(format!("asks for {} decimal places, at most {MAX_PLACES}", self.format.places()));
        }
        match self.width {
            Some(width) if !(width.is_finite() && width > 0.0 && width <= MAX_WIDTH) => {
                Some(format!("has width {width}, not in (0, 255]"))
            }
            _ => None,
        }
    }
}

/// One cell. `From` turns the usual values into cells: text, numbers (a non-finite `f64` becomes
/// `Empty`), dates, and `Option`s of them (`None` is `Empty`). Integers wider than 2⁵³ lose
/// precision, as they do in a spreadsheet.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    Date(NaiveDate),
}

impl From<&str> for Cell {
    fn from(text: &str) -> Cell {
        Cell::Text(text.to_owned())
    }
}

impl From<String> for Cell {
    fn from(text: String) -> Cell {
        Cell::Text(text)
    }
}

impl From<&String> for Cell {
    fn from(text: &String) -> Cell {
        Cell::Text(text.clone())
    }
}

impl From<f64> for Cell {
    fn from(x: f64) -> Cell {
        if x.is_finite() { Cell::Number(x) } else { Cell::Empty }
    }
}

impl From<f32> for Cell {
    fn from(x: f32) -> Cell {
        Cell::from(f64::from(x))
    }
}

macro_rules! integer_cells {
    ($($t:ty),*) => {$(
        impl From<$t> for Cell {
            fn from(n: $t) -> Cell {
                Cell::Number(n as f64)
            }
        }
    )*};
}
integer_cells!(i32, i64, u32, u64, usize);

impl From<NaiveDate> for Cell {
    fn from(date: NaiveDate) -> Cell {
        Cell::Date(date)
    }
}

impl<T: Into<Cell>> From<Option<T>> for Cell {
    fn from(value: Option<T>) -> Cell {
        value.map_or(Cell::Empty, Into::into)
    }
}

/// A sheet whose every row has one cell per column, each of its column's kind. The fields are
/// private so that this stays true: build with [`Sheet::new`], then [`Sheet::push_row`] or
/// [`Sheet::with_rows`].
#[derive(Clone, Debug, PartialEq)]
pub struct Sheet {
    name: SheetName,
    title: Option<String>,
    columns: Vec<Column>,
    rows: Vec<Vec<Cell>>,
}

impl Sheet {
    /// A sheet without rows. Refuses a bad name, no columns, a blank header, more than
    /// [`MAX_PLACES`] places, a width that is not in (0, 255].
    pub fn new(name: impl Into<String>, columns: Vec<Column>) -> Result<Sheet, SheetError> {
        let name = SheetName::parse(name)?;
        if columns.is_empty() {
            return Err(SheetError::Columns { sheet: name, reason: "a sheet needs at least one column".into() });
        }
        if columns.len() > MAX_COLUMNS {
            return Err(SheetError::Columns {
                sheet: name,
                reason: format!("{} columns, Excel allows 16,384", columns.len()),
            });
        }
        for (index, column) in columns.iter().enumerate() {
            if let Some(reason) = column.fault() {
                return Err(SheetError::Columns {
                    sheet: name,
                    reason: format!("column {index} ({}) {reason}", column.header),
                });
            }
        }
        Ok(Sheet { name, title: None, columns, rows: Vec::new() })
    }

    /// A title row above the header, e.g. "2026年10月 镇街考核" (xlsx only: CSV is for machines).
    pub fn with_title(mut self, title: impl Into<String>) -> Result<Sheet, SheetError> {
        let title = title.into();
        if title.chars().count() > MAX_CELL_CHARS {
            return Err(SheetError::Title { sheet: self.name, reason: "is longer than 32,767 characters" });
        }
        if self.rows.len() + 2 > MAX_ROWS {
            return Err(SheetError::Title { sheet: self.name, reason: "leaves no room: the sheet is full" });
        }
        self.title = Some(title);
        Ok(self)
    }

    /// Appends a row; refuses it (and keeps the sheet as it was) when it has the wrong number of
    /// cells, a cell of the wrong kind for its column, a non-finite number, a date outside
    /// 1900–9999 or a text over 32,767 characters, or when the sheet already has Excel's
    /// 1,048,576 rows.
    pub fn push_row(&mut self, row: Vec<Cell>) -> Result<(), SheetError> {
        let index = self.rows.len();
        if row.len() != self.columns.len() {
            return Err(SheetError::RowLength {
                sheet: self.name.clone(),
                row: index,
                expected: self.columns.len(),
                found: row.len(),
            });
        }
        if index + 1 + usize::from(self.title.is_some()) >= MAX_ROWS {
            return Err(SheetError::TooManyRows { sheet: self.name.clone() });
        }
        for (column, cell) in self.columns.iter().zip(&row) {
            let refuse = |reason: String| {
                Err(SheetError::Cell { sheet: self.name.clone(), row: index, column: column.header.clone(), reason })
            };
            if !column.format.accepts(cell) {
                return refuse(format!("{cell:?} in a {} column", column.format.noun()));
            }
            match cell {
                Cell::Number(x) if !x.is_finite() => return refuse(format!("{x} is not a number a sheet can hold")),
                Cell::Date(date) if !(1900..=9999).contains(&date.year()) => {
                    return refuse(format!("{date} is outside the years 1900–9999 a spreadsheet can show"));
                }
                Cell::Text(text) if text.chars().count() > MAX_CELL_CHARS => {
                    return refuse("text longer than 32,767 characters".to_owned());
                }
                _ => {}
            }
        }
        self.rows.push(row);
        Ok(())
    }

    /// Appends rows in order, stopping at the first refused one.
    pub fn with_rows(mut self, rows: impl IntoIterator<Item = Vec<Cell>>) -> Result<Sheet, SheetError> {
        for row in rows {
            self.push_row(row)?;
        }
        Ok(self)
    }

    pub fn name(&self) -> &SheetName {
        &self.name
    }

    pub fn title(&self) -> Option<&str> {
        self.title.as_deref()
    }

    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    pub fn rows(&self) -> &[Vec<Cell>] {
        &self.rows
    }
}

/// Checks what a workbook needs beyond its sheets: at least one, and names that differ (Excel
/// compares them without case).
pub(crate) fn check_workbook(sheets: &[Sheet]) -> Result<(), SheetError> {
    if sheets.is_empty() {
        return Err(SheetError::NoSheets);
    }
    for (i, sheet) in sheets.iter().enumerate() {
        let name = sheet.name.as_str().to_lowercase();
        if sheets[..i].iter().any(|earlier| earlier.name.as_str().to_lowercase() == name) {
            return Err(SheetError::DuplicateName(sheet.name.clone()));
        }
    }
    Ok(())
}

/// What a sheet refused; rows are counted from 0 among the data rows (the header is not a row).
#[derive(Clone, Debug, PartialEq)]
pub enum SheetError {
    Name { name: String, reason: &'static str },
    Columns { sheet: SheetName, reason: String },
    Title { sheet: SheetName, reason: &'static str },
    RowLength { sheet: SheetName, row: usize, expected: usize, found: usize },
    Cell { sheet: SheetName, row: usize, column: String, reason: String },
    TooManyRows { sheet: SheetName },
    NoSheets,
    DuplicateName(SheetName),
}

impl fmt::Display for SheetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SheetError::Name { name, reason } => write!(f, "sheet name {name:?} {reason}"),
            SheetError::Columns { sheet, reason } => write!(f, "sheet {sheet}: {reason}"),
            SheetError::Title { sheet, reason } => write!(f, "sheet {sheet}: the title {reason}"),
            SheetError::RowLength { sheet, row, expected, found } => {
                write!(f, "sheet {sheet}, row {row}: {found} cells for {expected} columns")
            }
            SheetError::Cell { sheet, row, column, reason } => {
                write!(f, "sheet {sheet}, row {row}, column {column}: {reason}")
            }
            SheetError::TooManyRows { sheet } => write!(f, "sheet {sheet} is full: Excel allows 1,048,576 rows"),
            SheetError::NoSheets => f.write_str("a report needs at least one sheet"),
            SheetError::DuplicateName(name) => write!(f, "two sheets are named {name}"),
        }
    }
}

impl std::error::Error for SheetError {}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(format: Format, x: f64) -> String {
        format.shown(&Cell::Number(x))
    }

    #[test]
    fn numbers_are_shown_as_spreadsheets_round_them() {
        assert_eq!(shown(Format::Integer, 1234.0), "1,234");
        assert_eq!(shown(Format::Integer, 1_234_567.891), "1,234,568");
        assert_eq!(shown(Format::Integer, 999.5), "1,000");
        assert_eq!(shown(Format::Integer, 2.5), "3");
        assert_eq!(shown(Format::Integer, -2.5), "-3");
        assert_eq!(shown(Format::Integer, -1234.0), "-1,234");
        assert_eq!(shown(Format::Integer, 0.0), "0");
        assert_eq!(shown(Format::Integer, 0.4), "0");
        assert_eq!(shown(Format::Integer, 0.6), "1");
        assert_eq!(shown(Format::Integer, 1e20), "100,000,000,000,000,000,000");
        assert_eq!(shown(Format::Decimal(1), 12.345), "12.3");
        assert_eq!(shown(Format::Decimal(1), 12.35), "12.4");
        // 0.05 is 0.05000000000000000277 in binary and 0.15 is 0.1499999999999999944: both are
        // halves at 15 significant digits, and a spreadsheet rounds them up.
        assert_eq!(shown(Format::Decimal(1), 0.05), "0.1");
        assert_eq!(shown(Format::Decimal(1), 0.15), "0.2");
        assert_eq!(shown(Format::Decimal(1), 0.04), "0.0");
        assert_eq!(shown(Format::Decimal(1), -0.04), "0.0");
        assert_eq!(shown(Format::Decimal(1), 9.96), "10.0");
        assert_eq!(shown(Format::Decimal(2), 0.001), "0.00");
        assert_eq!(shown(Format::Decimal(0), 7.5), "8");
        assert_eq!(shown(Format::Decimal(3), 1e-7), "0.000");
        assert_eq!(shown(Format::Percent(1), 0.935), "93.5%");
        assert_eq!(shown(Format::Percent(1), 0.9354), "93.5%");
        assert_eq!(shown(Format::Percent(1), 0.99996), "100.0%");
        assert_eq!(shown(Format::Percent(0), 1.5), "150%");
        assert_eq!(shown(Format::Percent(1), 0.0), "0.0%");
        assert_eq!(shown(Format::Decimal(2), 0.0), "0.00");
        assert_eq!(shown(Format::Integer, -0.0), "0");
        assert_eq!(shown(Format::Percent(1), -0.00001), "0.0%");
        assert_eq!(shown(Format::Percent(2), 0.123_456), "12.35%");
    }

    #[test]
    fn csv_writes_values_to_the_shown_precision() {
        let plain = |format: Format, x: f64| format.plain(&Cell::Number(x));
        assert_eq!(plain(Format::Integer, 1234.4), "1234");
        assert_eq!(plain(Format::Decimal(1), 12.345), "12.3");
        assert_eq!(plain(Format::Percent(1), 0.9354), "0.935");
        assert_eq!(plain(Format::Percent(0), 1.5), "1.50");
        assert_eq!(Format::Date.plain(&Cell::Date(NaiveDate::from_ymd_opt(2026, 10, 31).unwrap())), "2026-10-31");
        assert_eq!(Format::Integer.plain(&Cell::Empty), "");
    }

    #[test]
    fn number_formats() {
        assert_eq!(Format::Integer.number_format(), "#,##0");
        assert_eq!(Format::Decimal(1).number_format(), "0.0");
        assert_eq!(Format::Decimal(0).number_format(), "0");
        assert_eq!(Format::Percent(1).number_format(), "0.0%");
        assert_eq!(Format::Percent(0).number_format(), "0%");
        assert_eq!(Format::Date.number_format(), "yyyy-mm-dd");
    }
}
