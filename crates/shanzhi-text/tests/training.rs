//! The classifier as `shanzhi train` uses it: saved and loaded, and retrained with the labels
//! staff gave in the ledger.

mod common;

use common::analyzer;
use shanzhi_core::{DepartmentDirectory, Gazetteer, defaults};
use shanzhi_text::classify::{LabelledText, ModelError};
use shanzhi_text::{TextAnalyzer, TextError, corpus};

fn district() -> (Gazetteer, DepartmentDirectory) {
    let gazetteer = defaults::gazetteer(defaults::DEFAULT_DISTRICT).unwrap();
    let departments = defaults::departments(&gazetteer).unwrap();
    (gazetteer, departments)
}

fn load(taxonomy: &str, model: &[u8]) -> Result<TextAnalyzer, TextError> {
    let (gazetteer, departments) = district();
    TextAnalyzer::from_saved_model(&gazetteer, &departments, taxonomy, corpus::ESCALATION, model)
}

fn every_text() -> Vec<String> {
    let second = corpus::parse(corpus::SECOND_HELD_OUT.0, corpus::SECOND_HELD_OUT.1).unwrap();
    corpus::embedded().unwrap().into_iter().chain(second).map(|r| r.text).collect()
}

fn label(n: usize, category: &str, text: &str) -> LabelledText {
    LabelledText { id: format!("case:{n}"), category: category.into(), text: text.into() }
}

#[test]
fn a_saved_model_loads_and_classifies_identically() {
    let trained = analyzer();
    let bytes = trained.saved_model();
    // Sparse f32 weights: about 1 MB on the shipped corpus, where dense f64 weights are 5.6 MB.
    assert!(bytes.len() < 1_500_000, "the saved model has {} bytes", bytes.len());
    let loaded = load(corpus::TAXONOMY, &bytes).unwrap();
    for text in every_text() {
        assert_eq!(loaded.classify(&text), trained.classify(&text), "{text}");
    }
    assert_eq!(loaded.model_size(), trained.model_size());
    assert_eq!(loaded.saved_model(), bytes, "a loaded model saves to the same bytes");
}

#[test]
fn a_model_loads_against_its_categories_in_any_order_and_no_others() {
    let bytes = analyzer().saved_model();
    let (head, blocks) = corpus::TAXONOMY.split_once("[[category]]").unwrap();
    let mut blocks: Vec<&str> = blocks.split("[[category]]").collect();
    blocks.reverse();
    let reversed = format!("{head}[[category]]{}", blocks.join("[[category]]"));
    let loaded = load(&reversed, &bytes).unwrap();
    assert_eq!(loaded.taxonomy().categories()[0].code, "other", "the taxonomy is reversed");
    for text in every_text().iter().step_by(7) {
        let (a, b) = (loaded.classify(text), analyzer().classify(text));
        assert_eq!((&a.category.code, &a.evidence), (&b.category.code, &b.evidence));
        // The probabilities are summed in another order.
        assert!((a.confidence - b.confidence).abs() < 1e-12);
    }

    let without_medical: Vec<&str> = blocks.iter().copied().filter(|b| !b.contains("code = \"medical\"")).collect();
    let smaller = format!("{head}[[category]]{}", without_medical.join("[[category]]"));
    match load(&smaller, &bytes) {
        Err(TextError::Model(ModelError::Taxonomy(why))) => assert!(why.contains("medical"), "{why}"),
        other => panic!("loaded against another taxonomy: {:?}", other.err()),
    }
    assert!(matches!(load(corpus::TAXONOMY, &bytes[..bytes.len() / 2]), Err(TextError::Model(ModelError::Damaged(_)))));
}

#[test]
fn labels_from_the_ledger_teach_a_new_wording() {
    let (gazetteer, departments) = district();
    // Ride-hailing drivers against their platform: the corpus has no such case, and the model
    // reads a car in it. Staff file them as labour-contract disputes.
    let probe = "网约车平台突然提高抽成比例，司机们聚集要求协商。";
    assert_ne!(analyzer().classify(probe).category.code, "labour_contract");
    let ledger: Vec<LabelledText> = [
        "网约车司机反映平台抽成过高，派单规则不透明。",
        "多名网约车司机到平台运营点反映抽成比例上调。",
        "网约车平台封号，司机称未说明理由，要求解封。",
        "来电人是网约车司机，称平台扣除服务费过多。",
        "网约车司机集体投诉平台派单算法，收入下降。",
        "网约车司机与平台就抽成和奖励规则发生争议。",
    ]
    .iter()
    .enumerate()
    // By name or by code, as the ledger may hold either.
    .map(|(n, text)| label(n, if n % 2 == 0 { "劳动合同纠纷" } else { "labour_contract" }, text))
    .collect();
    let all = corpus::embedded().unwrap();
    let train = || {
        TextAnalyzer::with_ledger_labels(&gazetteer, &departments, corpus::TAXONOMY, corpus::ESCALATION, &all, &ledger)
            .unwrap()
    };
    let (retrained, set) = train();
    assert_eq!((set.corpus, set.ledger, set.held_out, set.unknown_category), (corpus::training(&all).len(), 6, 0, 0));
    assert!(set.examples.iter().rev().take(6).all(|e| e.category == "labour_contract"), "labels become codes");
    assert_eq!(retrained.classify(probe).category.code, "labour_contract");
    assert_eq!(retrained.saved_model(), train().0.saved_model(), "the same ledger gives the same model");
    // What the corpus taught stays.
    let held_out: Vec<_> = all.iter().filter(|r| corpus::is_held_out(&r.id)).cloned().collect();
    let before = shanzhi_text::evaluate::classification(analyzer(), &held_out).category_accuracy;
    let after = shanzhi_text::evaluate::classification(&retrained, &held_out).category_accuracy;
    assert!(after >= before - 0.01, "held-out accuracy {before:.3} → {after:.3}");
}

#[test]
fn held_out_texts_and_unknown_categories_from_the_ledger_are_left_out() {
    let all = corpus::embedded().unwrap();
    let held_out = all.iter().find(|r| corpus::is_held_out(&r.id)).unwrap();
    let trained_on = all.iter().find(|r| !corpus::is_held_out(&r.id)).unwrap();
    let second = corpus::parse(corpus::SECOND_HELD_OUT.0, corpus::SECOND_HELD_OUT.1).unwrap();
    // Whitespace and masking aside, these are the held-out texts.
    let spaced: String = held_out.text.chars().flat_map(|c| [c, ' ']).collect();
    let ledger = vec![
        label(1, "other", &spaced),
        label(2, &second[3].category, &format!(" {}\n", second[3].text)),
        label(3, "旧系统类别甲", "某工地拖欠工资。"),
        label(4, "neighbour", &trained_on.text),
        label(5, "wage_arrears", "某工地拖欠工资。"),
    ];
    let set = corpus::with_ledger(&all, &ledger, analyzer().taxonomy()).unwrap();
    assert_eq!((set.ledger, set.held_out, set.unknown_category), (2, 2, 1));
    let ledger_ids: Vec<&str> = set.examples[set.corpus..].iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ledger_ids, ["case:4", "case:5"]);
    assert!(set.examples[..set.corpus].iter().all(|e| !corpus::is_held_out(&e.id)));
    assert_eq!(set.examples.len(), set.corpus + set.ledger);
}

#[test]
fn every_held_out_text_as_the_ledger_stores_it_is_left_out() {
    // The ledger keeps a record's text masked (`scrub_text`) and trimmed (`CaseText`); whatever
    // else a held-out text went through on its way in, it must never be trained on.
    let all = corpus::embedded().unwrap();
    let second = corpus::parse(corpus::SECOND_HELD_OUT.0, corpus::SECOND_HELD_OUT.1).unwrap();
    let held_out: Vec<&LabelledText> = all.iter().filter(|r| corpus::is_held_out(&r.id)).chain(&second).collect();
    let stored = |text: &str| {
        shanzhi_core::CaseText::parse(&shanzhi_core::pii::scrub_text(&format!(" {text}\n")))
            .unwrap()
            .as_str()
            .to_owned()
    };
    let ledger: Vec<LabelledText> =
        held_out.iter().enumerate().map(|(n, r)| label(n, &r.category, &stored(&r.text))).collect();
    let set = corpus::with_ledger(&all, &ledger, analyzer().taxonomy()).unwrap();
    assert_eq!((set.ledger, set.held_out), (0, held_out.len()), "held-out texts were trained on");
}
