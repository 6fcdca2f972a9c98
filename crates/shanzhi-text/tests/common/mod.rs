//! The analyzer the integration tests share: built once per test binary, as the binary builds it.

use std::sync::OnceLock;

use shanzhi_core::defaults;
use shanzhi_text::{TextAnalyzer, corpus};

pub fn analyzer() -> &'static TextAnalyzer {
    static ANALYZER: OnceLock<TextAnalyzer> = OnceLock::new();
    ANALYZER.get_or_init(|| {
        let gazetteer = defaults::gazetteer(defaults::DEFAULT_DISTRICT).unwrap();
        let departments = defaults::departments(&gazetteer).unwrap();
        let all = corpus::embedded().unwrap();
        TextAnalyzer::new(&gazetteer, &departments, corpus::TAXONOMY, corpus::ESCALATION, &corpus::training(&all))
            .unwrap()
    })
}
