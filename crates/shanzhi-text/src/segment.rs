//! Word segmentation: jieba with its built-in dictionary, plus the district's own words (town and
//! village names, department names, taxonomy keywords) so that they survive as single words.

use std::collections::HashSet;

use jieba_rs::Jieba;

/// Dictionary frequency given to added words.
pub const ADDED_WORD_FREQUENCY: usize = 50_000;

pub struct Segmenter {
    jieba: Jieba,
    /// Every word added to jieba's dictionary, places included, in the order added.
    added: Vec<String>,
    /// Words that say where, not what: kept whole by segmentation, hidden from the classifier
    /// so that it does not learn that a town has a kind of dispute.
    places: HashSet<String>,
}

impl Segmenter {
    /// `words` are added to the dictionary; `places` too, and are marked as places.
    pub fn new<'a>(words: impl IntoIterator<Item = &'a str>, places: impl IntoIterator<Item = &'a str>) -> Self {
        let mut jieba = Jieba::new();
        let places: HashSet<String> = places.into_iter().map(str::to_owned).collect();
        let added: Vec<String> = words.into_iter().map(str::to_owned).chain(places.iter().cloned()).collect();
        for word in &added {
            // A high frequency makes jieba prefer the whole word over its parts.
            jieba.add_word(word, Some(ADDED_WORD_FREQUENCY), None);
        }
        Segmenter { jieba, added, places }
    }

    /// The words added to the dictionary (for a reference run with another segmenter).
    pub fn added_words(&self) -> &[String] {
        &self.added
    }

    /// The words of `text` for classification: place names replaced by a separator. Jieba's HMM
    /// for unknown words is off: the classifier's character bigrams cover them, and it is faster.
    pub fn content_words<'t>(&self, text: &'t str) -> Vec<&'t str> {
        self.jieba
            .cut(text, false)
            .into_iter()
            .map(|t| if self.places.contains(t.word) { "，" } else { t.word })
            .collect()
    }
}

impl std::fmt::Debug for Segmenter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Segmenter")
    }
}
