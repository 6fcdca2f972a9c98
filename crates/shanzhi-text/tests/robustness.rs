//! The whole pipeline on arbitrary input: no panic, and personal numbers never survive masking.

use proptest::prelude::*;
mod common;

use common::analyzer;

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let text = String::from_utf8_lossy(&bytes);
        let a = analyzer().analyze(&text);
        prop_assert!(a.classification.confidence >= 0.0 && a.classification.confidence <= 1.0);
    }

    #[test]
    fn text_shaped_like_case_records_never_panics(
        text in "[\\u{4e00}-\\u{9fa5}０-９0-9a-zA-Z，。、·.,\\- 万亿千百十元块余多几某人名户年月日号浙A]{0,400}"
    ) {
        let a = analyzer().analyze(&text);
        prop_assert!(a.entities.amounts_yuan.iter().all(|v| v.is_finite() && *v >= 0.0));
    }

    #[test]
    fn mobile_numbers_never_survive(prefix in "[\\u{4e00}-\\u{9fa5}]{0,20}", n in 0u64..1_000_000_000, second in 3u8..=9) {
        let phone = format!("1{second}{n:09}");
        let text = format!("{prefix}电话{phone}。");
        let a = analyzer().analyze(&text);
        prop_assert!(!a.masked_text.contains(&phone));
    }
}
