//! The report writer: sheets refused when they are wrong, CSV read back with the `csv` crate, and
//! the xlsx opened by LibreOffice (headless) and read back figure by figure, as it shows them.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use shanzhi::report::{self, Cell, Column, Format, Sheet, SheetError, csv::BOM};

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a real day")
}

/// Towns: a title row, every format, and rows with no data.
fn towns() -> Sheet {
    let columns = vec![
        Column::text("镇街"),
        Column::integer("受理数"),
        Column::percent("按期受理率", 1),
        Column::percent("化解率", 1),
        Column::decimal("平均化解天数", 1),
        Column::decimal("满意度", 2),
        Column::date("统计截至"),
    ];
    Sheet::new("镇街", columns)
        .and_then(|sheet| sheet.with_title("2026年10月 镇街考核"))
        .and_then(|sheet| {
            sheet.with_rows([
                vec![
                    "中泰街道".into(),
                    1234.into(),
                    0.9354.into(),
                    0.9.into(),
                    12.345.into(),
                    4.567.into(),
                    day(2026, 10, 31).into(),
                ],
                // No case in the period: the count is 0, every rate is "no data".
                vec![
                    "闲林街道".into(),
                    0.into(),
                    Cell::Empty,
                    None::<f64>.into(),
                    f64::NAN.into(),
                    Cell::Empty,
                    day(2026, 10, 31).into(),
                ],
                vec!["仓前街道".into(), 98_765.into(), 1.0.into(), 0.0.into(), 0.04.into(), 5.into(), Cell::Empty],
                vec![
                    "良渚街道".into(),
                    1_500_000.into(),
                    0.05.into(),
                    0.12345.into(),
                    1234.56.into(),
                    3.999.into(),
                    day(2026, 1, 1).into(),
                ],
            ])
        })
        .expect("a good sheet")
}

/// What `towns()` shows in a spreadsheet, written out by hand.
const TOWNS_SHOWN: [[&str; 7]; 5] = [
    ["镇街", "受理数", "按期受理率", "化解率", "平均化解天数", "满意度", "统计截至"],
    ["中泰街道", "1,234", "93.5%", "90.0%", "12.3", "4.57", "2026-10-31"],
    ["闲林街道", "0", "", "", "", "", "2026-10-31"],
    ["仓前街道", "98,765", "100.0%", "0.0%", "0.0", "5.00", ""],
    ["良渚街道", "1,500,000", "5.0%", "12.3%", "1234.6", "4.00", "2026-01-01"],
];

/// What the CSV writer writes for `towns()`: values, a percent as its fraction, no title row.
const TOWNS_PLAIN: [[&str; 7]; 5] = [
    ["镇街", "受理数", "按期受理率", "化解率", "平均化解天数", "满意度", "统计截至"],
    ["中泰街道", "1234", "0.935", "0.900", "12.3", "4.57", "2026-10-31"],
    ["闲林街道", "0", "", "", "", "", "2026-10-31"],
    ["仓前街道", "98765", "1.000", "0.000", "0.0", "5.00", ""],
    ["良渚街道", "1500000", "0.050", "0.123", "1234.6", "4.00", "2026-01-01"],
];

/// Departments: no title, text that needs quoting, an empty last column.
fn departments() -> Sheet {
    let columns = vec![
        Column::text("部门"),
        Column::integer("牵头件数"),
        Column::integer("超期件数"),
        Column::percent("按期办结率", 1),
        Column::date("最近超期日"),
    ];
    Sheet::new("部门", columns)
        .and_then(|sheet| {
            sheet.with_rows([
                vec![
                    "区市场监管局（\"双随机\"，窗口）".into(),
                    321.into(),
                    7.into(),
                    0.97819.into(),
                    day(2026, 10, 9).into(),
                ],
                vec!["区住建局, 物业科".into(), 45.into(), 0.into(), 1.0.into(), Cell::Empty],
                vec!["区人力社保局".into(), 0.into(), 0.into(), Cell::Empty, Cell::Empty],
            ])
        })
        .expect("a good sheet")
}

const DEPARTMENTS_SHOWN: [[&str; 5]; 4] = [
    ["部门", "牵头件数", "超期件数", "按期办结率", "最近超期日"],
    ["区市场监管局（\"双随机\"，窗口）", "321", "7", "97.8%", "2026-10-09"],
    ["区住建局, 物业科", "45", "0", "100.0%", ""],
    ["区人力社保局", "0", "0", "", ""],
];

/// Halves at 15 significant digits (0.15 is 0.1499999999999999944 in binary, a spreadsheet shows
/// 0.2), carries, signs and large numbers, which the first rows of `villages` hold.
const EDGES: [f64; 14] =
    [0.05, 0.15, 2.5, -2.5, 0.125, 1.005, 0.285, 1234.5, 0.0005, 9.995, -0.04, 1e15 + 0.5, 123_456_789.125, 0.999_995];

/// Villages with stars: `rows` generated rows of every format, some cells empty; the first rows
/// have the `EDGES` in their number columns.
fn villages(rows: usize) -> Sheet {
    let columns = vec![
        Column::text("村社"),
        Column::text("所属镇街"),
        Column::integer("星级"),
        Column::decimal("得分", 1),
        Column::decimal("每千人警情", 2),
        Column::percent("化解率", 1),
        Column::integer("常住人口"),
        Column::date("评定日"),
    ];
    let mut sheet = Sheet::new("村社星级", columns).expect("good columns");
    let mut state: u64 = 0x5EED;
    let mut next = move || {
        state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    for i in 0..rows {
        let (rate, score, police, residents) = (next(), 60.0 + 40.0 * next(), 30.0 * next(), 500.0 + 20_000.0 * next());
        let edge = EDGES.get(i).copied();
        sheet
            .push_row(vec![
                format!("第{i}村社区").into(),
                ["中泰街道", "闲林街道", "仓前街道", "良渚街道"][i % 4].into(),
                (1 + i % 5).into(),
                edge.unwrap_or(score).into(),
                edge.unwrap_or(police).into(),
                if i % 7 == 3 { Cell::Empty } else { edge.unwrap_or(rate).into() },
                edge.unwrap_or(residents.round()).into(),
                if i % 11 == 5 { Cell::Empty } else { day(2026, 1 + (i % 12) as u32, 1 + (i % 28) as u32).into() },
            ])
            .expect("a good row");
    }
    sheet
}

/// Each row of a sheet as a spreadsheet shows it (the title row not included).
fn shown(sheet: &Sheet) -> Vec<Vec<String>> {
    let header = sheet.columns().iter().map(|column| column.header.clone()).collect();
    let rows =
        sheet.rows().iter().map(|row| sheet.columns().iter().zip(row).map(|(c, cell)| c.format.shown(cell)).collect());
    std::iter::once(header).chain(rows).collect()
}

fn strings<const N: usize>(rows: &[[&str; N]]) -> Vec<Vec<String>> {
    rows.iter().map(|row| row.iter().map(|s| (*s).to_owned()).collect()).collect()
}

fn read_csv(path: &Path) -> Vec<Vec<String>> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let body = bytes.strip_prefix(BOM).unwrap_or(&bytes);
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(body)
        .records()
        .map(|record| record.expect("a CSV record").iter().map(str::to_owned).collect())
        .collect()
}

#[test]
fn csv_round_trip_one_file_per_sheet_with_bom_and_values() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("report.csv");
    let written = report::write(&out, &[towns(), departments()]).expect("written");
    assert_eq!(written, vec![out.clone(), dir.path().join("report.部门.csv")]);
    for path in &written {
        let bytes = std::fs::read(path).expect("read");
        assert!(bytes.starts_with(BOM), "{} starts with a UTF-8 BOM", path.display());
        assert!(!bytes[3..].starts_with(BOM), "one BOM only");
        assert!(std::str::from_utf8(&bytes).is_ok(), "UTF-8");
    }
    // No title row: the header is the first record.
    assert_eq!(read_csv(&written[0]), strings(&TOWNS_PLAIN));
    let read = read_csv(&written[1]);
    assert_eq!(read[0], strings(&DEPARTMENTS_SHOWN)[0]);
    assert_eq!(read[1], ["区市场监管局（\"双随机\"，窗口）", "321", "7", "0.978", "2026-10-09"]);
    assert_eq!(read[2], ["区住建局, 物业科", "45", "0", "1.000", ""]);
    assert_eq!(read[3], ["区人力社保局", "0", "0", "", ""]);
    // Records end in CRLF (RFC 4180); nothing else is left in the folder.
    assert!(std::fs::read_to_string(&written[0]).expect("read").contains("统计截至\r\n"));
    let mut files: Vec<_> =
        std::fs::read_dir(dir.path()).expect("list").map(|e| e.expect("entry").file_name()).collect();
    files.sort();
    assert_eq!(files, ["report.csv", "report.部门.csv"]);

    // Written again, the files are replaced, not appended to.
    report::write(&out, &[towns(), departments()]).expect("written again");
    assert_eq!(read_csv(&written[0]), strings(&TOWNS_PLAIN));
}

#[test]
fn the_format_follows_the_extension_and_nothing_else() {
    let dir = tempfile::tempdir().expect("temp dir");
    let upper = dir.path().join("REPORT.XLSX");
    assert_eq!(report::write(&upper, &[towns()]).expect("written"), vec![upper.clone()]);
    assert!(std::fs::read(&upper).expect("read").starts_with(b"PK\x03\x04"), "an xlsx is a zip file");
    for bad in ["report.xls", "report.ods", "report", "report.csv.txt"] {
        let error = report::write(dir.path().join(bad), &[towns()]).expect_err(bad).to_string();
        assert!(error.contains(".xlsx or .csv"), "{bad}: {error}");
        assert!(!dir.path().join(bad).exists());
    }
    let error = report::write(dir.path().join("empty.xlsx"), &[]).expect_err("no sheets");
    assert_eq!(error.downcast_ref::<SheetError>(), Some(&SheetError::NoSheets));
    let twice = [towns(), departments(), Sheet::new("部门", vec![Column::text("x")]).expect("a sheet")];
    for name in ["twice.xlsx", "twice.csv"] {
        let error = report::write(dir.path().join(name), &twice).expect_err("two sheets of one name");
        assert!(
            matches!(error.downcast_ref::<SheetError>(), Some(SheetError::DuplicateName(n)) if n.as_str() == "部门")
        );
        assert!(!dir.path().join(name).exists(), "nothing written");
    }
}

#[test]
fn sheets_refuse_what_a_spreadsheet_would_not_hold() {
    let name_refused =
        |name: &str| matches!(Sheet::new(name, vec![Column::text("镇街")]), Err(SheetError::Name { .. }));
    for bad in ["", "镇街/部门", "a[1]", "问题?", "a:b", "a*", "a\\b", "'引号", "引号'", " 空格", "换\n行", "History"]
    {
        assert!(name_refused(bad), "{bad:?} refused");
    }
    assert!(name_refused(&"村".repeat(32)));
    assert!(!name_refused(&"村".repeat(31)));
    assert!(!name_refused("2026年10月·镇街（含街道）"));

    assert!(matches!(Sheet::new("空", vec![]), Err(SheetError::Columns { .. })));
    assert!(matches!(Sheet::new("空", vec![Column::text(" ")]), Err(SheetError::Columns { .. })));
    assert!(matches!(Sheet::new("宽", vec![Column::text("a").width(0.0)]), Err(SheetError::Columns { .. })));
    assert!(matches!(Sheet::new("位", vec![Column::decimal("a", 11)]), Err(SheetError::Columns { .. })));

    let mut sheet =
        Sheet::new("镇街", vec![Column::text("镇街"), Column::integer("件数"), Column::date("日期")]).expect("a sheet");
    let short = sheet.push_row(vec!["中泰街道".into(), 3.into()]);
    assert_eq!(short, Err(SheetError::RowLength { sheet: sheet.name().clone(), row: 0, expected: 3, found: 2 }));
    assert_eq!(short.unwrap_err().to_string(), "sheet 镇街, row 0: 2 cells for 3 columns");
    let cell_refused = |sheet: &mut Sheet, row: Vec<Cell>| matches!(sheet.push_row(row), Err(SheetError::Cell { .. }));
    assert!(cell_refused(&mut sheet, vec![3.into(), 3.into(), Cell::Empty]), "a number in a text column");
    assert!(cell_refused(&mut sheet, vec!["a".into(), "3".into(), Cell::Empty]), "text in an integer column");
    assert!(cell_refused(&mut sheet, vec!["a".into(), day(2026, 1, 1).into(), Cell::Empty]), "a date as a number");
    assert!(cell_refused(&mut sheet, vec!["a".into(), Cell::Number(f64::NAN), Cell::Empty]), "NaN");
    assert!(cell_refused(&mut sheet, vec!["a".into(), Cell::Number(f64::INFINITY), Cell::Empty]), "infinity");
    assert!(cell_refused(&mut sheet, vec!["a".into(), 1.into(), day(1899, 12, 31).into()]), "before 1900");
    assert!(cell_refused(&mut sheet, vec!["长".repeat(32_768).into(), 1.into(), Cell::Empty]), "too long");
    assert!(sheet.rows().is_empty(), "a refused row is not kept");
    sheet.push_row(vec![Cell::Empty, Cell::Empty, Cell::Empty]).expect("an empty row is a row");
    sheet.push_row(vec!["a".into(), (-2.5).into(), day(1900, 1, 1).into()]).expect("a good row");
    assert_eq!(sheet.rows().len(), 2);

    // Conversions: what is missing becomes Empty, never 0.
    assert_eq!(Cell::from(f64::NAN), Cell::Empty);
    assert_eq!(Cell::from(None::<u32>), Cell::Empty);
    assert_eq!(Cell::from(Some(0.5)), Cell::Number(0.5));
    assert_eq!(Cell::from(7usize), Cell::Number(7.0));
    assert_eq!(Cell::from(String::from("x")), Cell::Text("x".into()));
    assert_eq!(Format::Integer.shown(&Cell::Empty), "");
}

#[test]
fn writing_a_3000_row_sheet_takes_little_time() {
    let sheet = villages(3_000);
    let started = Instant::now();
    let xlsx = report::xlsx::to_bytes(std::slice::from_ref(&sheet)).expect("xlsx");
    let xlsx_time = started.elapsed();
    let started = Instant::now();
    let csv = report::csv::to_bytes(&sheet).expect("csv");
    let csv_time = started.elapsed();
    println!(
        "3,000 rows × 8 columns: xlsx {:.1} ms ({} KiB), csv {:.1} ms ({} KiB)",
        xlsx_time.as_secs_f64() * 1e3,
        xlsx.len() / 1024,
        csv_time.as_secs_f64() * 1e3,
        csv.len() / 1024
    );
    assert!(xlsx_time < Duration::from_secs(5), "xlsx took {xlsx_time:?}");
    assert_eq!(read_csv_bytes(&csv).len(), 3_001);
}

fn read_csv_bytes(bytes: &[u8]) -> Vec<csv::StringRecord> {
    let body = bytes.strip_prefix(BOM).expect("a BOM");
    csv::ReaderBuilder::new().has_headers(false).from_reader(body).records().map(|r| r.expect("a record")).collect()
}

// ---------------------------------------------------------------------------------------------
// LibreOffice

/// LibreOffice's CSV export: comma, `"`, UTF-8 (76), from line 1, cells as shown (token 9),
/// every sheet (token 12 = -1) as `NAME-SheetName.csv`.
const CSV_FILTER: &str = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1";

/// `soffice` or `libreoffice` on PATH; without it the test is skipped, except in CI (`CI` set).
fn libreoffice() -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let found = ["soffice", "libreoffice"]
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
        .find(|candidate| candidate.is_file());
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "LibreOffice (soffice) is not on PATH in CI: .ci/run installs libreoffice-calc-nogui"
        );
        // Written to stderr itself, past the test harness's capture, so that the skip is seen.
        let _ =
            writeln!(std::io::stderr(), "notice: LibreOffice (soffice) is not on PATH; the xlsx round trip is skipped");
    }
    found
}

/// Converts `xlsx` to one CSV per sheet in `out`, with a profile of its own; returns the time.
fn convert_to_csv(soffice: &Path, xlsx: &Path, out: &Path, profile: &Path) -> Duration {
    let started = Instant::now();
    let mut child = Command::new(soffice)
        .arg(format!("-env:UserInstallation=file://{}", profile.display()))
        .args(["--headless", "--norestore", "--nolockcheck", "--convert-to", CSV_FILTER, "--outdir"])
        .arg(out)
        .arg(xlsx)
        // Figures are shown with the locale's separators: C (LibreOffice's en-US) has "," and ".".
        // A locale that glibc lacks would also garble the Chinese sheet names in the file names.
        .env("LC_ALL", "C.UTF-8")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start LibreOffice");
    let deadline = started + Duration::from_secs(180);
    loop {
        if let Some(status) = child.try_wait().expect("wait for LibreOffice") {
            let output = child.wait_with_output().expect("LibreOffice's output");
            assert!(
                status.success(),
                "LibreOffice failed: {status}\n{}\n{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
            return started.elapsed();
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("LibreOffice did not finish the conversion in 180 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn libreoffice_reads_back_every_figure_as_written() {
    let Some(soffice) = libreoffice() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let xlsx = dir.path().join("report.xlsx");
    let villages = villages(3_000);
    let written = report::write(&xlsx, &[towns(), departments(), villages.clone()]).expect("written");
    assert_eq!(written, vec![xlsx.clone()]);

    let out = dir.path().join("out");
    std::fs::create_dir(&out).expect("out dir");
    let took = convert_to_csv(&soffice, &xlsx, &out, &dir.path().join("profile"));
    println!("LibreOffice converted 3 sheets (3,007 data rows) to CSV in {:.2} s", took.as_secs_f64());

    let mut files: Vec<String> = std::fs::read_dir(&out)
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into())
        .collect();
    files.sort();
    assert_eq!(files, ["report-村社星级.csv", "report-部门.csv", "report-镇街.csv"], "one CSV per sheet");

    // The title row, then the header and the figures exactly as the number formats show them.
    let towns = read_csv(&out.join("report-镇街.csv"));
    assert_eq!(towns[0][0], "2026年10月 镇街考核");
    assert!(towns[0][1..].iter().all(String::is_empty), "the title stands alone: {:?}", towns[0]);
    assert_eq!(towns[1..], strings(&TOWNS_SHOWN)[..]);

    assert_eq!(read_csv(&out.join("report-部门.csv")), strings(&DEPARTMENTS_SHOWN));

    // 3,000 generated rows: LibreOffice rounds every figure as `Format::shown` does, so the CSV
    // writer's values are the figures people see.
    let read = read_csv(&out.join("report-村社星级.csv"));
    let expected = shown(&villages);
    assert_eq!(read.len(), expected.len());
    for (line, (read, expected)) in read.iter().zip(&expected).enumerate() {
        assert_eq!(read, expected, "村社星级, line {}", line + 1);
    }
}
