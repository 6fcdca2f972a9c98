//! Chinese text understanding for the ledger: what a case is about (category, lead department,
//! industry), what it mentions (amounts, head-counts, organisations, persons, dates, places),
//! whether it signals escalation, and its text with personal data masked.
//!
//! No IO and no randomness: an analyzer is built from data handed in (taxonomy, lexicon,
//! labelled corpus, gazetteer, department directory) and is a pure function of a text after that.

pub mod classify;
pub mod corpus;
pub mod evaluate;
pub mod extract;
pub mod intake;
pub mod pii;
pub mod segment;
pub mod signals;
pub mod taxonomy;

use shanzhi_core::{DepartmentDirectory, Gazetteer, RegionCode};

use classify::{Classification, Classifier, LabelledText};
use extract::PlaceFinder;
use pii::PiiKind;
use segment::Segmenter;
use signals::{Lexicon, RiskAssessment};
use taxonomy::Taxonomy;

/// Everything the analyzer reads from one text.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis<'a> {
    pub classification: Classification<'a>,
    pub entities: Entities,
    pub risk: RiskAssessment,
    pub masked_text: String,
    pub pii: Vec<PiiKind>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Entities {
    pub amounts_yuan: Vec<f64>,
    /// The largest head-count stated.
    pub people_count: Option<u64>,
    pub organizations: Vec<String>,
    pub persons: Vec<String>,
    pub dates: Vec<String>,
    pub places: Vec<RegionCode>,
}

#[derive(Debug, thiserror::Error)]
pub enum TextError {
    #[error(transparent)]
    Taxonomy(#[from] taxonomy::TaxonomyError),
    #[error(transparent)]
    Lexicon(#[from] signals::LexiconError),
    #[error(transparent)]
    Corpus(#[from] classify::UnknownCategory),
    #[error(transparent)]
    CorpusFile(#[from] corpus::CorpusError),
    #[error(transparent)]
    Model(#[from] classify::ModelError),
}

pub struct TextAnalyzer {
    segmenter: Segmenter,
    classifier: Classifier,
    places: PlaceFinder,
    lexicon: Lexicon,
}

impl TextAnalyzer {
    /// Builds the analyzer: the segmenter learns the district's place and department names and
    /// the taxonomy's keywords; the classifier is trained on `training`.
    pub fn new(
        gazetteer: &Gazetteer,
        directory: &DepartmentDirectory,
        taxonomy_toml: &str,
        lexicon_toml: &str,
        training: &[LabelledText],
    ) -> Result<Self, TextError> {
        Self::with_training(
            gazetteer,
            directory,
            taxonomy_toml,
            lexicon_toml,
            training,
            classify::Training::default(),
            classify::KEYWORD_WEIGHT,
        )
    }

    /// As [`TextAnalyzer::new`], with the classifier's training settings given (for model selection).
    pub fn with_training(
        gazetteer: &Gazetteer,
        directory: &DepartmentDirectory,
        taxonomy_toml: &str,
        lexicon_toml: &str,
        training: &[LabelledText],
        settings: classify::Training,
        keyword_weight: f64,
    ) -> Result<Self, TextError> {
        let (analyzer, ()) = Self::build(gazetteer, directory, taxonomy_toml, lexicon_toml, |taxonomy, segmenter| {
            Ok((Classifier::train_with(taxonomy, segmenter, training, settings, keyword_weight)?, ()))
        })?;
        Ok(analyzer)
    }

    /// Trains the classifier on the training part of `corpus` (the whole labelled corpus, split
    /// by [`corpus::is_held_out`]) and the labels staff gave in the ledger, as
    /// [`corpus::with_ledger`] chooses them; answers what it trained on.
    pub fn with_ledger_labels(
        gazetteer: &Gazetteer,
        directory: &DepartmentDirectory,
        taxonomy_toml: &str,
        lexicon_toml: &str,
        corpus: &[LabelledText],
        ledger: &[LabelledText],
    ) -> Result<(Self, corpus::TrainingSet), TextError> {
        Self::build(gazetteer, directory, taxonomy_toml, lexicon_toml, |taxonomy, segmenter| {
            let training = corpus::with_ledger(corpus, ledger, &taxonomy)?;
            let classifier = Classifier::train_with(
                taxonomy,
                segmenter,
                &training.examples,
                classify::Training::default(),
                classify::KEYWORD_WEIGHT,
            )?;
            Ok((classifier, training))
        })
    }

    /// The analyzer with a saved classifier ([`TextAnalyzer::saved_model`]) instead of one trained
    /// now. The taxonomy must have the saved model's categories ([`classify::ModelError::Taxonomy`]).
    pub fn from_saved_model(
        gazetteer: &Gazetteer,
        directory: &DepartmentDirectory,
        taxonomy_toml: &str,
        lexicon_toml: &str,
        model: &[u8],
    ) -> Result<Self, TextError> {
        let (analyzer, ()) = Self::build(gazetteer, directory, taxonomy_toml, lexicon_toml, |taxonomy, _| {
            Ok((Classifier::load(taxonomy, model)?, ()))
        })?;
        Ok(analyzer)
    }

    /// The classifier's model in its saved form (format [`classify::FORMAT`]).
    pub fn saved_model(&self) -> Vec<u8> {
        self.classifier.save()
    }

    pub fn model_size(&self) -> classify::ModelSize {
        self.classifier.model_size()
    }

    /// The segmenter learns the district's place and department names and the taxonomy's
    /// keywords; `classifier` trains or loads the classifier (and says what else it did).
    fn build<T>(
        gazetteer: &Gazetteer,
        directory: &DepartmentDirectory,
        taxonomy_toml: &str,
        lexicon_toml: &str,
        classifier: impl FnOnce(Taxonomy, &Segmenter) -> Result<(Classifier, T), TextError>,
    ) -> Result<(Self, T), TextError> {
        let taxonomy = Taxonomy::from_toml(taxonomy_toml, directory)?;
        let mut places: Vec<&str> = vec![&gazetteer.district().official_name, &gazetteer.district().short_name];
        for region in gazetteer.towns().chain(gazetteer.villages()) {
            places.push(&region.official_name);
            places.push(&region.short_name);
        }
        let mut words: Vec<&str> = Vec::new();
        for department in directory.iter() {
            words.push(&department.name);
            words.extend(department.short_name.as_deref());
        }
        let keywords: Vec<String> = taxonomy.categories().iter().flat_map(|c| c.keywords.clone()).collect();
        words.extend(keywords.iter().map(String::as_str));
        let segmenter = Segmenter::new(words, places);
        let (classifier, also) = classifier(taxonomy, &segmenter)?;
        let analyzer = TextAnalyzer {
            segmenter,
            classifier,
            places: PlaceFinder::new(gazetteer),
            lexicon: Lexicon::from_toml(lexicon_toml)?,
        };
        Ok((analyzer, also))
    }

    pub fn segmenter(&self) -> &Segmenter {
        &self.segmenter
    }

    pub fn taxonomy(&self) -> &Taxonomy {
        self.classifier.taxonomy()
    }

    pub fn classify(&self, text: &str) -> Classification<'_> {
        self.classifier.classify(&self.segmenter, text)
    }

    pub fn entities(&self, text: &str) -> Entities {
        Entities {
            amounts_yuan: extract::amounts(text),
            people_count: extract::head_counts(text).into_iter().max(),
            organizations: extract::organizations(text),
            persons: extract::persons(text),
            dates: extract::dates(text),
            places: self.places.find(text),
        }
    }

    pub fn risk(&self, text: &str) -> RiskAssessment {
        self.lexicon.assess(text)
    }

    pub fn analyze(&self, text: &str) -> Analysis<'_> {
        let (masked_text, pii) = pii::mask(text);
        Analysis {
            classification: self.classify(text),
            entities: self.entities(text),
            risk: self.risk(text),
            masked_text,
            pii,
        }
    }
}
