//! The rejects file: every rejected row, one JSON object per line, personal numbers masked.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;

use super::Rejected;

/// Created on the first rejected row, so that a clean import leaves no file behind.
pub(super) struct RejectsFile {
    /// Where to try, in order: `--rejects`, or beside the input and then the working directory
    /// (for an input in a read-only folder).
    candidates: Vec<PathBuf>,
    out: Option<(PathBuf, BufWriter<File>)>,
}

impl RejectsFile {
    pub(super) fn new(input: &Path, explicit: Option<PathBuf>) -> Self {
        let candidates = match explicit {
            Some(path) => vec![path],
            None => {
                let mut name = input.file_name().unwrap_or_default().to_os_string();
                name.push(".rejects.jsonl");
                vec![input.with_file_name(&name), PathBuf::from(name)]
            }
        };
        // A rejects file of an earlier run describes rows that may since have been fixed.
        if candidates[0].exists()
            && let Err(e) = std::fs::remove_file(&candidates[0])
        {
            tracing::warn!(path = %candidates[0].display(), error = %e, "cannot remove the old rejects file");
        }
        RejectsFile { candidates, out: None }
    }

    pub(super) fn write(&mut self, rejected: &Rejected) -> anyhow::Result<()> {
        let out = match &mut self.out {
            Some((_, out)) => out,
            None => {
                let (path, file) = self.create()?;
                &mut self.out.insert((path, BufWriter::new(file))).1
            }
        };
        serde_json::to_writer(&mut *out, rejected)?;
        out.write_all(b"\n")?;
        Ok(())
    }

    fn create(&self) -> anyhow::Result<(PathBuf, File)> {
        let mut last_error = None;
        for path in &self.candidates {
            match File::create(path) {
                Ok(file) => return Ok((path.clone(), file)),
                Err(e) => last_error = Some(anyhow::Error::new(e).context(format!("creating {}", path.display()))),
            }
        }
        Err(last_error.expect("there is at least one candidate"))
    }

    /// Flushes the file; returns its path if any row was rejected.
    pub(super) fn finish(self) -> anyhow::Result<Option<PathBuf>> {
        match self.out {
            None => Ok(None),
            Some((path, mut out)) => {
                out.flush().with_context(|| format!("writing {}", path.display()))?;
                Ok(Some(path))
            }
        }
    }
}
