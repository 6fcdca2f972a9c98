use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::import::{ImportOptions, import_file};
use crate::ledger::Ledger;

/// Imports every file; prints one summary line per file (and a total for several).
/// Exit code 1 if any row was rejected or any file failed.
pub async fn run(
    ledger: &Ledger,
    files: &[PathBuf],
    rejects: Option<PathBuf>,
    batch_size: usize,
) -> anyhow::Result<ExitCode> {
    let (mut imported, mut present, mut rejected, mut failed) = (0, 0, 0, 0);
    for (i, file) in files.iter().enumerate() {
        // One rejects file for several inputs would be overwritten: number them.
        let rejects = rejects.as_ref().map(|r| if files.len() > 1 { numbered(r, i + 1) } else { r.clone() });
        let options = ImportOptions {
            batch_size,
            rejects,
            progress: std::io::stderr().is_terminal(),
            ..ImportOptions::default()
        };
        match import_file(ledger, file, &options).await {
            Ok(s) => {
                let rejects = s.rejects_file.as_ref().map(|p| format!(" (see {})", p.display())).unwrap_or_default();
                println!(
                    "{}: {} imported, {} already present, {} rejected{rejects}",
                    file.display(),
                    s.imported,
                    s.already_present,
                    s.rejected
                );
                (imported, present, rejected) =
                    (imported + s.imported, present + s.already_present, rejected + s.rejected);
            }
            Err(e) => {
                eprintln!("{}: import failed: {e:#}", file.display());
                failed += 1;
            }
        }
    }
    if files.len() > 1 {
        println!("total: {imported} imported, {present} already present, {rejected} rejected, {failed} file(s) failed");
    }
    Ok(if rejected > 0 || failed > 0 { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

fn numbered(path: &std::path::Path, n: usize) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".{n}"));
    path.with_file_name(name)
}
