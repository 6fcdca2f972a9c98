//! Organisation and person names. The word lists live in `data/text/names.toml`.

use std::sync::OnceLock;

use serde::Deserialize;

/// The word lists of `data/text/names.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Lists {
    org_endings: Vec<String>,
    org_stops: Vec<String>,
    place_endings: Vec<String>,
    name_starts: Vec<String>,
    surnames: String,
    compound_surnames: Vec<String>,
    titles: Vec<String>,
    title_left: Vec<String>,
    legal_forms: Vec<String>,
    trades: Vec<String>,
    regions: Vec<String>,
}

/// The shipped lists, parsed once. A broken file is a build defect that the tests catch.
fn lists() -> &'static Lists {
    static LISTS: OnceLock<Lists> = OnceLock::new();
    LISTS.get_or_init(|| {
        toml::from_str(include_str!("../../../../data/text/names.toml")).expect("data/text/names.toml is valid")
    })
}

/// Characters after a short ending that show it is not a name's end: `物业费`, `店方`, `厂房`.
fn ending_continues(suffix: &str, next: Option<char>) -> bool {
    let Some(next) = next else { return false };
    match suffix {
        "物业" => "费办服管公".contains(next),
        "店" => "方家主员里内面铺长".contains(next),
        "厂" => "方房区里内长家".contains(next),
        "学校" | "网校" => "方里内长".contains(next),
        "工地" => "上里内".contains(next),
        _ => false,
    }
}

fn is_name_char(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}') || c.is_ascii_alphabetic() || c == '（' || c == '）' || c == '(' || c == ')'
}

/// Whether `word` stands in `chars` at `at`.
fn starts_with_at(chars: &[char], at: usize, word: &str) -> bool {
    (at..).zip(word.chars()).all(|(k, c)| chars.get(k) == Some(&c))
}

/// Whether `word` ends in `chars` just before `end`.
fn ends_with_at(chars: &[char], end: usize, word: &str) -> bool {
    let n = word.chars().count();
    end >= n && starts_with_at(chars, end - n, word)
}

/// Organisation names as written, in order of first appearance.
pub fn organizations(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut found: Vec<String> = Vec::new();
    let mut name_start_floor = 0; // a name never reaches back into the previous one
    let mut last_found: Option<(usize, String)> = None;
    let mut i = 0;
    while i < chars.len() {
        let Some(suffix) = lists().org_endings.iter().find(|s| starts_with_at(&chars, i, s)) else {
            i += 1;
            continue;
        };
        let end = i + suffix.chars().count();
        // `杭州华越物业服务有限公司`: 物业 is not the end when a legal form follows.
        let ahead: String = chars[end..(end + 10).min(chars.len())].iter().take_while(|c| is_name_char(**c)).collect();
        // Only trade words may stand between: `华越物业拖欠保洁公司` is two names.
        let ahead =
            lists().org_stops.iter().filter_map(|s| ahead.find(s)).min().map_or(ahead.as_str(), |cut| &ahead[..cut]);
        let longer_follows = ["有限公司", "公司", "集团"].iter().any(|f| ahead.contains(f));
        if longer_follows && !suffix.contains("公司") || ending_continues(suffix, chars.get(end).copied()) {
            i += 1;
            continue;
        }
        // Walk back over name characters, stopping at a stop word, a place, or 12 characters.
        let mut start = i;
        while start > name_start_floor && i - start < 12 && is_name_char(chars[start - 1]) {
            if lists()
                .org_stops
                .iter()
                .chain(lists().place_endings.iter())
                .any(|s| ends_with_at(&chars[name_start_floor..], start - name_start_floor, s))
            {
                break;
            }
            start -= 1;
        }
        let stem: String = chars[start..i].iter().collect();
        if let Some(offset) = lists().name_starts.iter().filter_map(|p| stem.find(p)).min().filter(|o| *o > 0) {
            start += stem[..offset].chars().count();
        }
        // A bare ending (`公司`, `厂`) or a generic one (`某工地`, `某某公司`) names nothing.
        let generic = chars[start..i].iter().all(|c| *c == '某');
        // `…有限公司余杭分公司`: a branch written right after its company is part of its name.
        let branch = start == name_start_floor && start > 0 && *suffix == "公司" && chars[i - 1] == '分';
        if branch && let Some((last_start, last)) = last_found.as_mut() {
            *last = chars[*last_start..end].iter().collect();
            if let Some(previous) = found.last_mut() {
                previous.clone_from(last);
            }
            name_start_floor = end;
        } else if i - start >= 2 && !generic {
            let name: String = chars[start..end].iter().collect();
            if !found.contains(&name) {
                found.push(name.clone());
            }
            last_found = Some((start, name));
            name_start_floor = end;
        }
        i = end;
    }
    found
}

// 向, 经, 和, 从 are surnames too, but as `向某某机构` or `经某某介绍` they are words.

/// Person names in the forms case records use (`张某`, `李某某`, `陈先生`), in order.
pub fn persons(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut found: Vec<String> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        // Only a character followed by 某 or a title can start a name: a cheap test first.
        let candidate = |k: usize| chars.get(k).is_some_and(|c| *c == '某' || "先女阿师老大".contains(*c));
        if !candidate(i + 1) && !candidate(i + 2) {
            i += 1;
            continue;
        }
        let surname_len = if lists().compound_surnames.iter().any(|s| starts_with_at(&chars, i, s)) {
            2
        } else if lists().surnames.contains(chars[i]) && (i == 0 || chars[i - 1] != '某') {
            1
        } else {
            i += 1;
            continue;
        };
        let surname: String = chars[i..i + surname_len].iter().collect();
        let next: String = chars[i + surname_len..(i + surname_len + 2).min(chars.len())].iter().collect();
        let name = if next.starts_with("某某") {
            format!("{surname}某某")
        } else if next.starts_with('某') {
            format!("{surname}某")
        } else if let Some(title) = lists().titles.iter().find(|t| next.starts_with(*t))
            && (i == 0 || !is_name_char(chars[i - 1]) || lists().title_left.iter().any(|w| ends_with_at(&chars, i, w)))
        {
            // `陈先生` stands alone or after a role; `相关老师`, `班主任老师` are not names.
            format!("{surname}{title}")
        } else {
            i += 1;
            continue;
        };
        let end = i + name.chars().count();
        // `某某公司`, `某某培训机构`: an organisation, not a person.
        let organisation = lists()
            .org_endings
            .iter()
            .map(String::as_str)
            .chain(["机构", "培训"])
            .any(|s| starts_with_at(&chars, end, s))
            && !["店里", "店内", "厂里", "厂内"].iter().any(|s| starts_with_at(&chars, end, s));
        if !organisation && !found.contains(&name) {
            found.push(name);
        }
        i = end;
    }
    found
}

/// The canonical key of an organisation's name: region prefixes, legal forms and trade words
/// removed, so that `杭州智学未来网络科技有限公司`, `智学未来` and `智学未来网校` meet.
///
/// `None` for a name that hides who it is (`杭州某某教育科技有限公司`, `XX物业`): two such names are
/// not the same organisation. A branch (`…有限公司余杭分公司`) keys as its company.
pub fn organization_key(name: &str) -> Option<String> {
    let mut key: String = name.chars().filter(|c| !c.is_whitespace() && !"（）()".contains(*c)).collect();
    // Whatever follows the first legal form is a branch or a department of the company.
    if let Some(cut) = ["股份有限公司", "有限责任公司", "有限公司"].iter().filter_map(|f| key.find(f)).min()
    {
        key.truncate(cut);
    }
    loop {
        let before = key.clone();
        for prefix in &lists().regions {
            if let Some(rest) = key.strip_prefix(prefix).filter(|r| r.chars().count() >= 2) {
                key = rest.to_owned();
            }
        }
        for suffix in lists().legal_forms.iter().chain(lists().trades.iter()) {
            if let Some(rest) = key.strip_suffix(suffix).filter(|r| r.chars().count() >= 2) {
                key = rest.to_owned();
            }
        }
        if key == before {
            let placeholder = key.chars().all(|c| matches!(c, '某' | 'X' | 'x' | '×' | '*'));
            return (!placeholder && !key.is_empty()).then_some(key);
        }
    }
}

/// Whether two organisation keys name the same organisation: equal, or one small typo apart
/// (one character changed, added or dropped) when both are long enough for that to be safe.
pub fn same_organization(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if a.len().min(b.len()) < 4 || a.len().abs_diff(b.len()) > 1 {
        return false;
    }
    edit_distance(&a, &b) <= 1
}

fn edit_distance(a: &[char], b: &[char]) -> usize {
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            current[j + 1] = (previous[j] + usize::from(ca != cb)).min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn organisations_as_written() {
        assert_eq!(organizations("被申请人杭州某某教育科技有限公司拖欠学员学费"), ["杭州某某教育科技有限公司"]);
        assert_eq!(organizations("业主与华越物业因停车费发生争执"), ["华越物业"]);
        assert_eq!(organizations("三墩建设工地的工人讨薪，某工地负责人未到场"), ["三墩建设工地"]);
        assert_eq!(organizations("仁和街道奉口村杭州银河机械厂厂方拒付"), ["杭州银河机械厂"]);
        assert_eq!(organizations("杭州华越物业服务有限公司管理的小区，业主拒交物业费"), ["杭州华越物业服务有限公司"]);
        assert_eq!(organizations("离职时店方扣了押金，某某公司也不管"), Vec::<String>::new());
        assert!(organizations("来访人反映该公司不退钱").is_empty());
    }

    #[test]
    fn names_with_function_characters_and_two_names_in_a_row() {
        assert_eq!(organizations("投诉华为技术有限公司"), ["华为技术有限公司"]);
        assert_eq!(organizations("杭州同创科技有限公司拖欠货款"), ["杭州同创科技有限公司"]);
        assert_eq!(organizations("华越物业拖欠保洁公司工资"), ["华越物业", "保洁公司"]);
        assert_eq!(organizations("供货商杭州冰源冷链物流有限公司"), ["杭州冰源冷链物流有限公司"]);
        assert_eq!(organizations("杭州华越物业服务有限公司余杭分公司擅自涨价"), ["杭州华越物业服务有限公司余杭分公司"]);
    }

    #[test]
    fn persons_in_case_report_forms() {
        assert_eq!(persons("张某某与邻居李某因漏水争吵，陈先生到场"), ["张某某", "李某", "陈先生"]);
        assert!(persons("某某公司拖欠工资").is_empty());
        assert_eq!(persons("李某某工作期间受伤，刘某店里"), ["李某某", "刘某"]);
        assert!(persons("请相关老师和班主任老师处理，家长向某某培训机构交费").is_empty());
    }

    #[test]
    fn spelling_variants_of_one_organisation_meet() {
        let key = organization_key("杭州智学未来网络科技有限公司").unwrap();
        assert_eq!(key, "智学未来");
        assert_eq!(organization_key("智学未来").unwrap(), key);
        assert_eq!(organization_key("智学未来网校").unwrap(), key);
        assert!(
            same_organization(&organization_key("杭州智学末来网络科技有限公司").unwrap(), &key),
            "a one-character typo"
        );
        assert!(!same_organization(&organization_key("杭州华越物业服务有限公司").unwrap(), &key));
        assert_eq!(organization_key("杭州华越物业服务有限公司余杭分公司").as_deref(), Some("华越"));
        assert_eq!(organization_key("杭州某某教育科技有限公司"), None, "placeholders name nobody");
        assert_eq!(organization_key("XX物业"), None);
        assert!(!same_organization("华越", "华达"), "short keys must match exactly");
    }
}
