//! Measuring the analyzer against labelled data: the held-out fifth of the corpus for the
//! classifier, `data/text/extraction.jsonl` for extraction. Used by the tests (which assert the
//! floors the issue sets) and the benchmark (which prints the tables for the README).

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::TextAnalyzer;
use crate::classify::LabelledText;

/// The labelled extraction set.
pub const EXTRACTION_SET: &str = include_str!("../../../data/text/extraction.jsonl");

/// Precision and recall of one category on the held-out set.
#[derive(Debug, Clone, PartialEq)]
pub struct CategoryScore {
    pub code: String,
    pub name: String,
    pub support: usize,
    pub precision: f64,
    pub recall: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ClassificationReport {
    pub examples: usize,
    pub category_accuracy: f64,
    pub department_accuracy: f64,
    pub per_category: Vec<CategoryScore>,
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

pub fn classification(analyzer: &TextAnalyzer, held_out: &[LabelledText]) -> ClassificationReport {
    let taxonomy = analyzer.taxonomy();
    let department_of = |code: &str| taxonomy.get(code).and_then(|c| c.department.clone());
    let mut predicted_counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut true_counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut hits: BTreeMap<String, usize> = BTreeMap::new();
    let (mut correct, mut department_correct) = (0, 0);
    for example in held_out {
        let predicted = analyzer.classify(&example.text).category.code.clone();
        *predicted_counts.entry(predicted.clone()).or_default() += 1;
        *true_counts.entry(example.category.clone()).or_default() += 1;
        if predicted == example.category {
            correct += 1;
            *hits.entry(predicted.clone()).or_default() += 1;
        }
        if department_of(&predicted) == department_of(&example.category) {
            department_correct += 1;
        }
    }
    let per_category = taxonomy
        .categories()
        .iter()
        .map(|c| {
            let hit = hits.get(&c.code).copied().unwrap_or(0);
            CategoryScore {
                code: c.code.clone(),
                name: c.name.clone(),
                support: true_counts.get(&c.code).copied().unwrap_or(0),
                precision: ratio(hit, predicted_counts.get(&c.code).copied().unwrap_or(0)),
                recall: ratio(hit, true_counts.get(&c.code).copied().unwrap_or(0)),
            }
        })
        .collect();
    ClassificationReport {
        examples: held_out.len(),
        category_accuracy: ratio(correct, held_out.len()),
        department_accuracy: ratio(department_correct, held_out.len()),
        per_category,
    }
}

#[derive(Deserialize)]
struct ExtractionCase {
    id: String,
    text: String,
    amounts_yuan: Vec<f64>,
    people_count: Option<u64>,
    organizations: Vec<String>,
    persons: Vec<String>,
    dates: Vec<String>,
    places: Vec<String>,
}

/// Per field: sentences whose extraction equals the label exactly, and micro precision/recall of
/// the extracted items.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FieldScore {
    pub exact: usize,
    pub sentences: usize,
    pub true_positives: usize,
    pub predicted: usize,
    pub labelled: usize,
}

impl FieldScore {
    pub fn exact_rate(&self) -> f64 {
        ratio(self.exact, self.sentences)
    }
    pub fn precision(&self) -> f64 {
        ratio(self.true_positives, self.predicted)
    }
    pub fn recall(&self) -> f64 {
        ratio(self.true_positives, self.labelled)
    }

    fn add<T: PartialEq>(&mut self, predicted: &[T], labelled: &[T]) {
        self.sentences += 1;
        self.exact += usize::from(predicted == labelled);
        self.predicted += predicted.len();
        self.labelled += labelled.len();
        self.true_positives += predicted.iter().filter(|p| labelled.contains(p)).count();
    }
}

#[derive(Debug, Clone, Default)]
pub struct ExtractionReport {
    pub fields: BTreeMap<&'static str, FieldScore>,
    /// Ids of sentences with any field wrong, for inspection.
    pub misses: Vec<(String, &'static str)>,
}

pub fn extraction(analyzer: &TextAnalyzer) -> Result<ExtractionReport, serde_json::Error> {
    let mut report = ExtractionReport::default();
    for line in EXTRACTION_SET.lines().filter(|l| !l.trim().is_empty()) {
        let case: ExtractionCase = serde_json::from_str(line)?;
        let got = analyzer.entities(&case.text);
        let places: Vec<String> = got.places.iter().map(ToString::to_string).collect();
        let people: Vec<u64> = got.people_count.into_iter().collect();
        let labelled_people: Vec<u64> = case.people_count.into_iter().collect();
        let checks: [(&'static str, bool); 6] = [
            ("amounts_yuan", got.amounts_yuan == case.amounts_yuan),
            ("people_count", people == labelled_people),
            ("organizations", got.organizations == case.organizations),
            ("persons", got.persons == case.persons),
            ("dates", got.dates == case.dates),
            ("places", places == case.places),
        ];
        report.fields.entry("amounts_yuan").or_default().add(&got.amounts_yuan, &case.amounts_yuan);
        report.fields.entry("people_count").or_default().add(&people, &labelled_people);
        report.fields.entry("organizations").or_default().add(&got.organizations, &case.organizations);
        report.fields.entry("persons").or_default().add(&got.persons, &case.persons);
        report.fields.entry("dates").or_default().add(&got.dates, &case.dates);
        report.fields.entry("places").or_default().add(&places, &case.places);
        for (field, ok) in checks {
            if !ok {
                report.misses.push((case.id.clone(), field));
            }
        }
    }
    Ok(report)
}
