//! Features of a text for the classifier: its words (from the segmenter) and the character
//! bigrams of its Chinese runs, which catch what segmentation splits differently.

/// A feature, hashed: cheap to compare, and the model keeps the names of those it learned.
pub type FeatureId = u64;

/// FNV-1a: stable across runs and platforms, so a saved model keeps its meaning.
fn fnv1a(kind: u8, text: &str) -> FeatureId {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in std::iter::once(kind).chain(text.bytes()) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// What a feature's display name says: its kind (`b'w'` a word, `b'b'` a character bigram) and
/// its text. A saved model keeps the names only, and finds the ids again by hashing them.
pub(super) fn parse_name(name: &str) -> Option<(u8, &str)> {
    if let Some(word) = name.strip_prefix("词:") {
        Some((b'w', word))
    } else {
        name.strip_prefix("字:").map(|bigram| (b'b', bigram))
    }
}

/// The feature of a kind and text, and its display name.
pub(super) fn feature(kind: u8, text: &str) -> (FeatureId, String) {
    let prefix = if kind == b'w' { "词" } else { "字" };
    (fnv1a(kind, text), format!("{prefix}:{text}"))
}

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}')
}

/// A word worth a feature: Chinese or Latin letters, not a lone function character.
fn is_content_word(word: &str) -> bool {
    let mut chars = word.chars();
    match (chars.next(), chars.next()) {
        (None, _) => false,
        (Some(c), None) => is_cjk(c) && !"的了是在和与及或也都就而被把将对向从着过吧吗呢啊".contains(c),
        _ => word.chars().all(|c| is_cjk(c) || c.is_alphabetic()),
    }
}

/// The distinct features of a text, each with its display name (`词:欠薪`, `字:欠薪`).
pub fn features(words: &[&str]) -> Vec<(FeatureId, String)> {
    let mut out: Vec<(FeatureId, String)> = Vec::with_capacity(words.len() * 3);
    for word in words.iter().filter(|w| is_content_word(w)) {
        out.push((fnv1a(b'w', word), format!("词:{word}")));
    }
    let text: String = words.concat();
    let mut previous: Option<char> = None;
    for c in text.chars() {
        match previous {
            Some(p) if is_cjk(p) && is_cjk(c) => {
                let bigram: String = [p, c].iter().collect();
                out.push((fnv1a(b'b', &bigram), format!("字:{bigram}")));
            }
            _ => {}
        }
        previous = Some(c);
    }
    out.sort_unstable_by_key(|(id, _)| *id);
    out.dedup_by_key(|(id, _)| *id);
    out
}

/// Feature ids only, without names: what prediction needs.
pub fn feature_ids(words: &[&str]) -> Vec<FeatureId> {
    let mut out: Vec<FeatureId> = words.iter().filter(|w| is_content_word(w)).map(|w| fnv1a(b'w', w)).collect();
    let mut buf = [0u8; 8];
    let mut previous: Option<char> = None;
    for word in words {
        for c in word.chars() {
            if let Some(p) = previous.filter(|p| is_cjk(*p) && is_cjk(c)) {
                let n = p.encode_utf8(&mut buf).len();
                let m = c.encode_utf8(&mut buf[n..]).len();
                let bigram = std::str::from_utf8(&buf[..n + m]).expect("two encoded chars");
                out.push(fnv1a(b'b', bigram));
            }
            previous = Some(c);
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_bigrams_without_function_characters() {
        let f = features(&["工地", "拖欠", "工资", "，", "的", "37", "名"]);
        let names: Vec<&str> = f.iter().map(|(_, n)| n.as_str()).collect();
        assert!(names.contains(&"词:拖欠"));
        assert!(names.contains(&"字:欠工"), "bigrams cross word boundaries");
        assert!(!names.iter().any(|n| n.contains('，') || *n == "词:的" || n.contains("37")));
    }

    #[test]
    fn names_give_their_ids_back() {
        for (id, name) in features(&["拖欠", "工资"]) {
            let (kind, text) = parse_name(&name).unwrap();
            assert_eq!(feature(kind, text), (id, name));
        }
        assert_eq!(parse_name("f1"), None);
    }

    #[test]
    fn ids_alone_match_ids_with_names() {
        let words = ["来电人", "反映", "物业费", "上涨", "，", "业主", "不满"];
        let with_names: Vec<FeatureId> = features(&words).into_iter().map(|(id, _)| id).collect();
        assert_eq!(feature_ids(&words), with_names);
    }
}
