//! Text benchmark and quality report: `cargo bench -p shanzhi-text --bench text`.
//! Prints the held-out classification table, the extraction scores, and the throughput of the
//! whole analysis (classify + extract + signals + masking) and of each stage on one core.
//! `-- --cv` adds the cross-validation on the training part used to choose the model settings,
//! `-- --cv --misses` its confusions and the extraction set's misses.

use std::time::Instant;

use shanzhi_core::defaults;
use shanzhi_text::{TextAnalyzer, corpus, evaluate};

fn main() {
    let verbose = std::env::args().any(|a| a == "--misses");
    let cross_validate = std::env::args().any(|a| a == "--cv");
    let gazetteer = defaults::gazetteer(defaults::DEFAULT_DISTRICT).expect("gazetteer");
    let departments = defaults::departments(&gazetteer).expect("departments");
    let all = corpus::embedded().expect("corpus");
    let training = corpus::training(&all);
    let held_out: Vec<_> = all.iter().filter(|r| corpus::is_held_out(&r.id)).cloned().collect();
    let started = Instant::now();
    let analyzer =
        TextAnalyzer::new(&gazetteer, &departments, corpus::TAXONOMY, corpus::ESCALATION, &training).expect("analyzer");
    println!(
        "trained on {} records in {:.2} s; held out {}",
        training.len(),
        started.elapsed().as_secs_f64(),
        held_out.len()
    );

    if cross_validate {
        // Model selection on the training part only: 5 folds by record number.
        let taxonomy_text = corpus::TAXONOMY;
        // Every setting tried when choosing the defaults in `classify` (model.rs, mod.rs).
        for (epochs, rate, l2, keyword) in [
            (30, 0.5, 1e-5, 1.0),
            (30, 1.0, 1e-5, 0.0),
            (30, 1.0, 1e-5, 0.5),
            (30, 1.0, 1e-5, 1.0),
            (30, 1.0, 1e-5, 2.0),
            (30, 2.0, 1e-5, 1.0),
            (60, 1.0, 1e-5, 1.0),
            (30, 1.0, 1e-4, 1.0),
            (30, 1.0, 0.0, 1.0),
            (30, 2.0, 1e-5, 0.5),
            (30, 4.0, 1e-5, 0.5),
            (30, 4.0, 1e-5, 1.0),
            (60, 2.0, 1e-5, 0.5),
            (30, 8.0, 1e-5, 0.5),
        ] {
            let settings = shanzhi_text::classify::Training { epochs, learning_rate: rate, l2, ..Default::default() };
            // Fold `f` holds the records numbered 5k+1..5k+4 with k % 5 == f; each fold's model
            // is trained on the other four.
            let in_fold = |id: &str, fold: u32| {
                id.rsplit('-').next().and_then(|n| n.parse::<u32>().ok()).is_some_and(|n| (n / 5) % 5 == fold)
            };
            let mut correct = 0;
            let mut confusion: std::collections::BTreeMap<(String, String), usize> = Default::default();
            for fold in 0..5u32 {
                let train: Vec<_> = training.iter().filter(|r| !in_fold(&r.id, fold)).cloned().collect();
                let a = TextAnalyzer::with_training(
                    &gazetteer,
                    &departments,
                    taxonomy_text,
                    corpus::ESCALATION,
                    &train,
                    settings,
                    keyword,
                )
                .expect("analyzer");
                for r in training.iter().filter(|r| in_fold(&r.id, fold)) {
                    let got = a.classify(&r.text).category.code.clone();
                    if got == r.category {
                        correct += 1;
                    } else {
                        *confusion.entry((r.category.clone(), got)).or_default() += 1;
                    }
                }
            }
            println!(
                "cv epochs={epochs} rate={rate} l2={l2} keyword={keyword}: {:.1}%",
                100.0 * correct as f64 / training.len() as f64
            );
            let defaults = shanzhi_text::classify::Training::default();
            let chosen = (epochs, rate, l2) == (defaults.epochs, defaults.learning_rate, defaults.l2)
                && keyword == shanzhi_text::classify::KEYWORD_WEIGHT;
            if verbose && chosen {
                // Which categories the training part confuses under the chosen settings.
                let mut pairs: Vec<_> = confusion.into_iter().collect();
                pairs.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
                for ((truth, got), n) in pairs.iter().take(25) {
                    println!("confused {truth} -> {got}: {n}");
                }
            }
        }
    }

    let report = evaluate::classification(&analyzer, &held_out);
    println!();
    println!("| category | 类别 | held-out records | precision | recall |");
    println!("|---|---|---|---|---|");
    for c in &report.per_category {
        println!("| `{}` | {} | {} | {:.2} | {:.2} |", c.code, c.name, c.support, c.precision, c.recall);
    }
    println!(
        "| **all** | | {} | category accuracy **{:.1}%** | lead department accuracy **{:.1}%** |",
        report.examples,
        report.category_accuracy * 100.0,
        report.department_accuracy * 100.0
    );
    let second = corpus::parse(corpus::SECOND_HELD_OUT.0, corpus::SECOND_HELD_OUT.1).expect("second held-out set");
    let second_report = evaluate::classification(&analyzer, &second);
    println!(
        "| **second held-out set** ({}) | | {} | category accuracy **{:.1}%** | lead department accuracy **{:.1}%** |",
        corpus::SECOND_HELD_OUT.0,
        second_report.examples,
        second_report.category_accuracy * 100.0,
        second_report.department_accuracy * 100.0
    );

    // Held-out mistakes are not printed: looking at them would turn the held-out set into a
    // tuning set. `--cv --misses` shows the confusions of cross-validation on the training part.

    let extraction = evaluate::extraction(&analyzer).expect("extraction set");
    println!();
    println!("| field | sentences exact | precision | recall |");
    println!("|---|---|---|---|");
    for (field, s) in &extraction.fields {
        println!(
            "| {field} | {:.1}% ({}/{}) | {:.2} | {:.2} |",
            s.exact_rate() * 100.0,
            s.exact,
            s.sentences,
            s.precision(),
            s.recall()
        );
    }
    if verbose {
        for (id, field) in &extraction.misses {
            println!("XMISS {id} {field}");
        }
    }

    // Throughput: the held-out and training texts, padded or cut to about 250 characters.
    let texts: Vec<String> = all
        .iter()
        .map(|r| {
            let mut t = r.text.clone();
            while t.chars().count() < 250 {
                t.push_str(&r.text);
            }
            t.chars().take(250).collect()
        })
        .collect();
    let rounds = 10;
    let started = Instant::now();
    let mut checksum = 0usize;
    for _ in 0..rounds {
        for t in &texts {
            checksum += analyzer.analyze(t).masked_text.len();
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    let n = texts.len() * rounds;
    println!();
    println!(
        "analyze: {n} records of 250 characters in {elapsed:.2} s on one core: {:.0} records/s (checksum {checksum})",
        n as f64 / elapsed
    );
    let started = Instant::now();
    for _ in 0..rounds {
        for t in &texts {
            checksum += analyzer.classify(t).evidence.len();
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    std::hint::black_box(checksum);
    println!("classify only: {:.0} records/s", n as f64 / elapsed);
    let stage = |name: &str, f: &dyn Fn(&str) -> usize| {
        let started = Instant::now();
        let mut sum = 0;
        for _ in 0..rounds {
            for t in &texts {
                sum += f(t);
            }
        }
        println!("{name} only: {:.0} records/s ({sum})", n as f64 / started.elapsed().as_secs_f64());
    };
    stage("segmentation", &|t| analyzer.segmenter().content_words(t).len());
    stage("entities", &|t| analyzer.entities(t).amounts_yuan.len());
    stage("risk", &|t| analyzer.risk(t).signals.len());
    stage("masking", &|t| shanzhi_text::pii::mask(t).0.len());
    stage("amounts", &|t| shanzhi_text::extract::amounts(t).len());
    stage("organizations", &|t| shanzhi_text::extract::organizations(t).len());
    stage("persons", &|t| shanzhi_text::extract::persons(t).len());
    stage("dates", &|t| shanzhi_text::extract::dates(t).len());

    // For the side-by-side run against the jieba Python package (scripts/bench-segmentation.sh):
    // the same texts and the same added words.
    if let Ok(dir) = std::env::var("SHANZHI_BENCH_DUMP") {
        let dir = std::path::Path::new(&dir);
        std::fs::write(dir.join("texts.txt"), texts.join("\n")).expect("write texts");
        std::fs::write(dir.join("words.txt"), analyzer.segmenter().added_words().join("\n")).expect("write words");
        println!("wrote {} texts and the added words to {}", texts.len(), dir.display());
    }
}
