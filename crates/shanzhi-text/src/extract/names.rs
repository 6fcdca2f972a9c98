//! Organisation and person names.

/// Endings that make a phrase an organisation, longest first.
const ORG_SUFFIXES: [&str; 24] = [
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "培训学校",
    "培训机构",
    "培训中心",
    "专业合作社",
    "合作社",
    "项目部",
    "幼儿园",
    "工作室",
    "公司",
    "集团",
    "医院",
    "诊所",
    "物业",
    "工地",
    "工厂",
    "酒店",
    "超市",
    "网校",
    "学校",
    "厂",
    "店",
];

/// Words before which an organisation's name cannot extend: roles, verbs and function words
/// that typically stand right before a respondent's name.
/// Single characters that also occur inside names (和达, 华为, 同创, 方圆, 时代) are not here.
#[rustfmt::skip]
const STOPS: [&str; 66] = [
    "被申请人", "申请人", "被投诉人", "投诉人", "被告", "原告", "来电人", "来访人", "报警人", "反映", "投诉", "举报",
    "拖欠", "欠", "起诉", "要求", "称", "与", "及", "向", "在", "被", "对", "是", "的", "了", "到", "跟", "由", "从",
    "给", "把", "将", "其", "该", "位于", "关于", "就", "后", "系", "商", "机构", "上游", "下游", "楼下", "楼上", "隔壁",
    "附近", "入职", "交", "拒", "主张", "用于", "这家", "一家", "承包方", "施工方", "发包方", "对方", "甲方", "乙方",
    "厂方", "店方", "校方", "供货方", "当时",
];

/// Where a name proper usually starts: a region prefix inside a longer stretch
/// (`供货商杭州冰源…` → `杭州冰源…`).
const NAME_STARTS: [&str; 3] = ["杭州", "浙江", "余杭"];

/// Where a place name ends inside a would-be organisation name (`仁和街道奉口村杭州银河机械厂`):
/// the name starts after it.
const PLACE_ENDINGS: [&str; 6] = ["街道", "社区", "村", "镇", "区", "乡"];

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
        let Some(suffix) = ORG_SUFFIXES.iter().find(|s| starts_with_at(&chars, i, s)) else {
            i += 1;
            continue;
        };
        let end = i + suffix.chars().count();
        // `杭州华越物业服务有限公司`: 物业 is not the end when a legal form follows.
        let ahead: String = chars[end..(end + 10).min(chars.len())].iter().take_while(|c| is_name_char(**c)).collect();
        // Only trade words may stand between: `华越物业拖欠保洁公司` is two names.
        let ahead = STOPS.iter().filter_map(|s| ahead.find(s)).min().map_or(ahead.as_str(), |cut| &ahead[..cut]);
        let longer_follows = ["有限公司", "公司", "集团"].iter().any(|f| ahead.contains(f));
        if longer_follows && !suffix.contains("公司") || ending_continues(suffix, chars.get(end).copied()) {
            i += 1;
            continue;
        }
        // Walk back over name characters, stopping at a stop word, a place, or 12 characters.
        let mut start = i;
        while start > name_start_floor && i - start < 12 && is_name_char(chars[start - 1]) {
            if STOPS
                .iter()
                .chain(PLACE_ENDINGS.iter())
                .any(|s| ends_with_at(&chars[name_start_floor..], start - name_start_floor, s))
            {
                break;
            }
            start -= 1;
        }
        let stem: String = chars[start..i].iter().collect();
        if let Some(offset) = NAME_STARTS.iter().filter_map(|p| stem.find(p)).min().filter(|o| *o > 0) {
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

/// Surnames that start the `张某` / `李某某` / `陈先生` forms: the single-character surnames of the
/// 百家姓 and the common modern ones.
const SURNAMES: &str = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜戚谢邹喻柏水窦章云苏潘葛奚范彭郎\
鲁韦昌马苗凤花方俞任袁柳酆鲍史唐费廉岑薛雷贺倪汤滕殷罗毕郝邬安常乐于时傅皮卞齐康伍余元卜顾孟平黄和穆萧尹姚邵湛汪祁毛\
禹狄米贝明臧计伏成戴谈宋茅庞熊纪舒屈项祝董梁杜阮蓝闵席季麻强贾路娄危江童颜郭梅盛林刁钟徐邱骆高夏蔡田樊胡凌霍虞万支\
柯昝管卢莫经房裘缪干解应宗丁宣贲邓郁单杭洪包诸左石崔吉钮龚程嵇邢滑裴陆荣翁荀羊於惠甄曲家封芮羿储靳汲邴糜松井段富巫\
乌焦巴弓牧隗山谷车侯宓蓬全郗班仰秋仲伊宫宁仇栾暴甘钭厉戎祖武符刘景詹束龙叶幸司韶郜黎蓟薄印宿白怀蒲邰从鄂索咸籍赖卓\
蔺屠蒙池乔阴郁胥能苍双闻莘党翟谭贡劳逄姬申扶堵冉宰郦雍却璩桑桂濮牛寿通边扈燕冀郏浦尚农温别庄晏柴瞿阎充慕连茹习宦艾\
鱼容古易慎戈廖庾终暨居衡步都耿满弘匡国文寇广禄阙东欧殳沃利蔚越夔隆师巩厍聂晁勾敖融冷訾辛阚那简饶空曾毋沙乜养鞠须\
丰巢关蒯相查后荆红游竺权逯盖益桓公付覃闫";
// 向, 经, 和, 从 are surnames too, but as `向某某机构` or `经某某介绍` they are words.

/// Two-character surnames, checked before the single ones.
const COMPOUND_SURNAMES: [&str; 10] = ["欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐"];
const TITLES: [&str; 6] = ["先生", "女士", "阿姨", "师傅", "老师", "大爷"];
/// Words after which `陈先生`-style names follow.
const TITLE_LEFT: [&str; 10] = ["报警人", "来电人", "来访人", "市民", "居民", "业主", "患者", "家属", "与", "和"];

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
        let surname_len = if COMPOUND_SURNAMES.iter().any(|s| starts_with_at(&chars, i, s)) {
            2
        } else if SURNAMES.contains(chars[i]) && (i == 0 || chars[i - 1] != '某') {
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
        } else if let Some(title) = TITLES.iter().find(|t| next.starts_with(*t))
            && (i == 0 || !is_name_char(chars[i - 1]) || TITLE_LEFT.iter().any(|w| ends_with_at(&chars, i, w)))
        {
            // `陈先生` stands alone or after a role; `相关老师`, `班主任老师` are not names.
            format!("{surname}{title}")
        } else {
            i += 1;
            continue;
        };
        let end = i + name.chars().count();
        // `某某公司`, `某某培训机构`: an organisation, not a person.
        let organisation = ORG_SUFFIXES.iter().chain(["机构", "培训"].iter()).any(|s| starts_with_at(&chars, end, s))
            && !["店里", "店内", "厂里", "厂内"].iter().any(|s| starts_with_at(&chars, end, s));
        if !organisation && !found.contains(&name) {
            found.push(name);
        }
        i = end;
    }
    found
}

/// Legal forms, places and trades that organisation names add to their core.
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
const REGIONS: [&str; 8] = ["浙江省", "浙江", "杭州市", "杭州", "余杭区", "余杭", "临平区", "临平"];

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
        for prefix in REGIONS {
            if let Some(rest) = key.strip_prefix(prefix).filter(|r| r.chars().count() >= 2) {
                key = rest.to_owned();
            }
        }
        for suffix in LEGAL_FORMS.iter().chain(TRADES.iter()) {
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
