//! Made-up organisations for the respondents of the background, and the name key that makes
//! spelling variants of one organisation meet.

use std::collections::HashSet;

use rand::Rng;

use super::sampling::Weighted;

/// The trade of an organisation, which decides its name forms and the categories it shows in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Trade {
    Tech,
    Property,
    Construction,
    Training,
    Consumer,
    Manufacturing,
    Trading,
    Restaurant,
    Finance,
}

impl Trade {
    const ALL: [Trade; 9] = [
        Trade::Tech,
        Trade::Property,
        Trade::Construction,
        Trade::Training,
        Trade::Consumer,
        Trade::Manufacturing,
        Trade::Trading,
        Trade::Restaurant,
        Trade::Finance,
    ];

    /// How many organisations of the trade the district's ledger names over a year.
    fn pool_size(self) -> usize {
        match self {
            Trade::Tech => 50,
            Trade::Property => 40,
            Trade::Construction => 60,
            Trade::Training => 25,
            Trade::Consumer => 50,
            Trade::Manufacturing => 60,
            Trade::Trading => 30,
            Trade::Restaurant => 25,
            Trade::Finance => 10,
        }
    }

    /// Registered names (`{}` is the brand): one of them is the organisation's legal name.
    /// Every form keys as its brand under [`respondent_key`] (checked by a test).
    fn legal_forms(self) -> &'static [&'static str] {
        match self {
            Trade::Tech => &["杭州{}科技有限公司", "浙江{}网络科技有限公司", "杭州{}信息技术有限公司"],
            Trade::Property => &["余杭区{}物业管理有限公司", "杭州{}物业服务有限公司"],
            Trade::Construction => &["浙江{}建筑劳务有限公司", "杭州{}建筑工程有限公司", "浙江{}装饰工程有限公司"],
            Trade::Training => &["杭州{}教育科技有限公司", "杭州市余杭区{}培训学校"],
            Trade::Consumer => &["杭州{}健身有限公司", "杭州{}文化传播有限公司", "余杭区{}健身工作室"],
            Trade::Manufacturing => &["浙江{}集团有限公司", "杭州{}科技有限公司"],
            Trade::Trading => &["杭州{}贸易有限公司"],
            Trade::Restaurant => &["杭州{}餐饮管理有限公司"],
            Trade::Finance => &["杭州{}网络科技有限公司", "浙江{}信息技术有限公司"],
        }
    }

    /// What people call it in a complaint.
    fn short_forms(self) -> &'static [&'static str] {
        match self {
            Trade::Tech => &["{}科技", "{}公司"],
            Trade::Property => &["{}物业"],
            Trade::Construction => &["{}建筑", "{}劳务", "{}工程"],
            Trade::Training => &["{}培训", "{}网校", "{}教育"],
            Trade::Consumer => &["{}健身", "{}文化"],
            Trade::Manufacturing => &["{}集团", "{}公司"],
            Trade::Trading => &["{}贸易", "{}公司"],
            Trade::Restaurant => &["{}餐饮", "{}公司"],
            Trade::Finance => &["{}网络", "{}公司"],
        }
    }
}

/// Brand words. Plants in [`super::standard`] use brands built from none of them, so that no
/// background organisation shares a planted key.
const BRAND_HEADS: [&str; 32] = [
    "华越", "恒信", "鼎盛", "宏达", "金桥", "新泰", "瑞丰", "安和", "天成", "明德", "正源", "嘉禾", "永安", "盛世",
    "博远", "东方", "中联", "海纳", "卓越", "汇通", "德润", "锦程", "长风", "康达", "群峰", "聚源", "宝利", "联创",
    "同舟", "兴旺", "立信", "鸿运",
];
const BRAND_TAILS: [&str; 20] = [
    "伟业", "万家", "之星", "百川", "千禾", "云帆", "宏图", "启明", "新城", "远航", "恒久", "华庭", "雅居", "优品",
    "佳美", "智远", "美好", "蓝天", "金鼎", "和顺",
];

// The word lists of the text crate's organisation key (data/text/names.toml: `regions`,
// `legal_forms`, `trades`, in its order), so that the ledger's own keying of these names would
// give the same keys. A test checks that they are still the same lists.
const REGIONS: [&str; 8] = ["浙江省", "浙江", "杭州市", "杭州", "余杭区", "余杭", "临平区", "临平"];
const LEGAL_FORMS: [&str; 8] = ["股份有限公司", "有限责任公司", "有限公司", "分公司", "公司", "集团", "工作室", "中心"];
const TRADES: [&str; 26] = [
    "网络科技",
    "教育科技",
    "信息技术",
    "科技",
    "网络",
    "信息",
    "教育",
    "培训学校",
    "培训",
    "网校",
    "学校",
    "物业服务",
    "物业管理",
    "物业",
    "建筑劳务",
    "劳务",
    "建筑",
    "装饰工程",
    "装饰",
    "工程",
    "文化传播",
    "文化",
    "健身",
    "餐饮管理",
    "餐饮",
    "贸易",
];
/// Whatever follows the first of these is a branch or department of the company.
const COMPANY_FORMS: [&str; 3] = ["股份有限公司", "有限责任公司", "有限公司"];

/// The name key of an organisation, by the rules of the text crate's `organization_key`: region
/// prefixes, legal forms and trade words removed (never below two characters), so that
/// `杭州智学未来教育科技有限公司`, `智学未来网校` and `智学未来培训` all key as `智学未来`, and a
/// branch (`…有限公司余杭分公司`) keys as its company.
pub fn respondent_key(name: &str) -> String {
    let mut key: String = name.chars().filter(|c| !c.is_whitespace() && !"（）()".contains(*c)).collect();
    if let Some(cut) = COMPANY_FORMS.iter().filter_map(|f| key.find(f)).min() {
        key.truncate(cut);
    }
    loop {
        let before = key.clone();
        for prefix in REGIONS {
            if let Some(rest) = key.strip_prefix(prefix).filter(|r| r.chars().count() >= 2) {
                key = rest.to_owned();
            }
        }
        for suffix in LEGAL_FORMS.iter().chain(&TRADES) {
            if let Some(rest) = key.strip_suffix(suffix).filter(|r| r.chars().count() >= 2) {
                key = rest.to_owned();
            }
        }
        if key == before {
            return key;
        }
    }
}

/// One organisation: its key and the names it goes by, the legal name first.
#[derive(Debug, Clone)]
pub(super) struct Company {
    pub key: String,
    pub names: Vec<String>,
}

/// The organisations of one seed, by trade, each trade with a Zipf-like frequency so that a few
/// of its organisations are named often and most rarely.
#[derive(Debug, Clone)]
pub(super) struct CompanyPool {
    companies: Vec<Company>,
    by_trade: Vec<(Trade, Vec<usize>, Weighted)>,
}

impl CompanyPool {
    pub(super) fn generate<R: Rng + ?Sized>(rng: &mut R) -> Self {
        let mut used = HashSet::new();
        let mut companies = Vec::new();
        let mut by_trade = Vec::new();
        for trade in Trade::ALL {
            let mut members = Vec::new();
            for _ in 0..trade.pool_size() {
                let brand = fresh_brand(rng, &mut used);
                let legal = trade.legal_forms()[rng.random_range(0..trade.legal_forms().len())];
                let mut names = vec![legal.replace("{}", &brand)];
                // One or two of the trade's short forms, in a random order.
                let shorts = trade.short_forms();
                let first = rng.random_range(0..shorts.len());
                names.push(shorts[first].replace("{}", &brand));
                if shorts.len() > 1 && rng.random_bool(0.5) {
                    names.push(shorts[(first + 1) % shorts.len()].replace("{}", &brand));
                }
                members.push(companies.len());
                companies.push(Company { key: brand, names });
            }
            // Zipf with exponent 1: the top organisation of a trade gets about a fifth of it.
            let zipf = Weighted::new((1..=members.len()).map(|rank| 1.0 / rank as f64));
            by_trade.push((trade, members, zipf));
        }
        CompanyPool { companies, by_trade }
    }

    pub(super) fn pick<R: Rng + ?Sized>(&self, rng: &mut R, trade: Trade) -> &Company {
        let (_, members, zipf) = self.by_trade.iter().find(|(t, ..)| *t == trade).expect("every trade has a pool");
        &self.companies[members[zipf.sample(rng)]]
    }

    #[cfg(test)]
    pub(super) fn companies(&self) -> &[Company] {
        &self.companies
    }
}

impl Company {
    /// The name one complaint uses: mostly the legal name, else a short form.
    pub(super) fn name<R: Rng + ?Sized>(&self, rng: &mut R) -> &str {
        if rng.random_bool(0.6) { &self.names[0] } else { &self.names[rng.random_range(1..self.names.len())] }
    }
}

fn fresh_brand<R: Rng + ?Sized>(rng: &mut R, used: &mut HashSet<String>) -> String {
    loop {
        let head = BRAND_HEADS[rng.random_range(0..BRAND_HEADS.len())];
        // Mostly four characters (宏达伟业); some two (宏达), while such brands are left.
        let brand = if rng.random_bool(0.2) {
            head.to_owned()
        } else {
            format!("{head}{}", BRAND_TAILS[rng.random_range(0..BRAND_TAILS.len())])
        };
        if used.insert(brand.clone()) {
            return brand;
        }
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    use super::*;

    #[test]
    fn every_name_variant_keys_as_its_brand() {
        let pool = CompanyPool::generate(&mut ChaCha8Rng::seed_from_u64(11));
        let total: usize = Trade::ALL.iter().map(|t| t.pool_size()).sum();
        assert_eq!(pool.companies().len(), total);
        let keys: HashSet<&str> = pool.companies().iter().map(|c| c.key.as_str()).collect();
        assert_eq!(keys.len(), total, "brands are unique");
        for company in pool.companies() {
            assert!(company.names.len() >= 2);
            for name in &company.names {
                assert_eq!(respondent_key(name), company.key, "{name}");
            }
        }
    }

    #[test]
    fn keys_of_written_names() {
        assert_eq!(respondent_key("杭州智学未来教育科技有限公司"), "智学未来");
        assert_eq!(respondent_key("智学未来网校"), "智学未来");
        assert_eq!(respondent_key("杭州智学未来网络科技有限公司余杭分公司"), "智学未来");
        assert_eq!(respondent_key("余杭区滨湖物业管理有限公司"), "滨湖");
        assert_eq!(respondent_key("滨湖物业"), "滨湖");
        assert_eq!(respondent_key("宏达建筑工程有限公司"), "宏达");
        assert_eq!(respondent_key("宏达健身工作室"), "宏达");
        // Never below two characters, even when the whole name is trade words.
        assert_eq!(respondent_key("科技公司"), "科技");
    }

    /// The quoted strings of the array `key = [ … ]` in a TOML text (arrays of plain strings).
    fn toml_strings<'a>(text: &'a str, key: &str) -> Vec<&'a str> {
        let start = text.find(&format!("\n{key} = [")).unwrap_or_else(|| panic!("{key} missing"));
        let body = &text[start..];
        let body = &body[body.find('[').unwrap() + 1..body.find(']').unwrap()];
        body.split('"').skip(1).step_by(2).collect()
    }

    #[test]
    fn word_lists_are_those_of_the_text_crate() {
        let names = include_str!("../../../../data/text/names.toml");
        assert_eq!(toml_strings(names, "regions"), REGIONS);
        assert_eq!(toml_strings(names, "legal_forms"), LEGAL_FORMS);
        assert_eq!(toml_strings(names, "trades"), TRADES);
    }

    #[test]
    fn zipf_makes_a_few_organisations_common() {
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        let pool = CompanyPool::generate(&mut rng);
        let mut counts = std::collections::HashMap::new();
        for _ in 0..10_000 {
            *counts.entry(pool.pick(&mut rng, Trade::Property).key.clone()).or_insert(0u32) += 1;
        }
        let mut sorted: Vec<u32> = counts.into_values().collect();
        sorted.sort_unstable_by(|a, b| b.cmp(a));
        // H(40) ≈ 4.28: the top one about 23 %, the tenth about 2.3 %.
        assert!(sorted[0] > 1_800 && sorted[0] < 2_900, "{}", sorted[0]);
        assert!(sorted[0] > 5 * sorted[9]);
    }
}
