//! The period's assessment as sheets: 镇街 (towns), 部门 (departments), 村社星级 (villages with
//! their stars and score breakdown), 预警 (warnings), 倒查 (the accountability lists).

use shanzhi_core::assessment::{ACCOUNTABILITY_FIGURES, Figure, Judging, Metrics, STAGES, Unit, cases_behind};
use shanzhi_core::{Gazetteer, RegionCode};
use shanzhi_web::assessment::{PeriodAssessment, region_name};

use super::{Cell, Column, Sheet};

/// The metric columns every unit's row has, in order.
fn metric_columns() -> Vec<Column> {
    let mut columns = vec![
        Column::integer(Figure::Received.label()),
        Column::integer(Figure::Handled.label()),
        Column::integer(Figure::Resolved.label()),
        Column::percent("化解率", 1),
        Column::percent("镇村两级化解占比", 1),
        Column::percent("按时签收率", 1),
    ];
    columns.extend(STAGES.iter().map(|(_, label)| Column::percent(format!("{label}按时率"), 1)));
    columns.extend([
        Column::integer(Figure::Overdue.label()),
        Column::decimal("平均化解天数", 1),
        Column::percent("重复访率", 1),
        Column::percent("重新办理率", 1),
        Column::decimal("满意度", 2),
        Column::percent("回访接通率", 1),
        Column::integer(Figure::Crimes.label()),
        Column::integer("预警数"),
        Column::percent("预警按时处置率", 1),
        Column::percent("协议履约率", 1),
    ]);
    columns
}

fn metric_cells(m: &Metrics) -> Vec<Cell> {
    let mut cells = vec![
        Cell::from(m.count(Figure::Received)),
        Cell::from(m.count(Figure::Handled)),
        Cell::from(m.count(Figure::Resolved)),
        Cell::from(m.resolution_rate()),
        Cell::from(m.local_resolution_share()),
        Cell::from(m.accepted_on_time_rate()),
    ];
    cells.extend(STAGES.iter().map(|(stage, _)| Cell::from(m.stage_on_time_rate(*stage))));
    cells.extend([
        Cell::from(m.count(Figure::Overdue)),
        Cell::from(m.mean_days_to_resolution()),
        Cell::from(m.repeat_visit_rate()),
        Cell::from(m.reopen_rate()),
        Cell::from(m.mean_satisfaction()),
        Cell::from(m.follow_up_response_rate()),
        Cell::from(m.count(Figure::Crimes)),
        Cell::from(m.warnings.raised),
        Cell::from(m.warnings_handled_in_time_rate()),
        Cell::from(m.agreement_honoured_rate()),
    ]);
    cells
}

/// Every sheet of the report.
pub fn sheets(p: &PeriodAssessment, gazetteer: &Gazetteer, unsatisfied_at_most: u8) -> anyhow::Result<Vec<Sheet>> {
    let a = &p.assessment;
    let title = a.period.title();
    let name = |code: RegionCode| region_name(gazetteer, code);

    let mut columns = vec![Column::text("镇街"), Column::text("区划代码")];
    columns.extend(metric_columns());
    let district = gazetteer.district();
    let rows = std::iter::once({
        let mut row =
            vec![Cell::from(format!("{}（全区）", district.official_name)), Cell::from(district.code.to_string())];
        row.extend(metric_cells(&a.district));
        row
    })
    .chain(a.towns.iter().map(|(code, m)| {
        let mut row = vec![Cell::from(name(*code)), Cell::from(code.to_string())];
        row.extend(metric_cells(m));
        row
    }));
    let towns = Sheet::new("镇街", columns)?.with_title(format!("{title} 镇街考核"))?.with_rows(rows)?;

    let mut columns = vec![Column::text("部门")];
    columns.extend(metric_columns());
    let rows = a.departments.iter().filter(|(_, m)| m.count(Figure::Handled) + m.count(Figure::Crimes) > 0).map(
        |(dept, m)| {
            let mut row = vec![Cell::from(dept)];
            row.extend(metric_cells(m));
            row
        },
    );
    let departments =
        Sheet::new("部门", columns)?.with_title(format!("{title} 部门考核（按牵头部门）"))?.with_rows(rows)?;

    let scheme = p.ratings.first().map(|r| format!("{} {}", r.scheme, r.scheme_version)).unwrap_or_default();
    let mut columns = vec![
        Column::text("镇街"),
        Column::text("村社"),
        Column::text("区划代码"),
        Column::integer("星级"),
        Column::integer("得分星级（否决前）"),
        Column::decimal("得分", 2),
        Column::integer("常住人口"),
        Column::text("人口为估算"),
    ];
    let deduction_labels: Vec<String> =
        p.ratings.first().map(|r| r.deductions.iter().map(|l| l.label.clone()).collect()).unwrap_or_default();
    columns.extend(
        deduction_labels.iter().flat_map(|l| [Column::integer(l.clone()), Column::decimal(format!("{l}扣分"), 2)]),
    );
    columns.extend([Column::decimal("加分", 2), Column::text("一票否决")]);
    let rows = p.ratings.iter().map(|r| {
        let town = r.village.town().map(name).unwrap_or_default();
        let mut row = vec![
            Cell::from(town),
            Cell::from(name(r.village)),
            Cell::from(r.village.to_string()),
            Cell::from(u32::from(r.stars)),
            Cell::from(u32::from(r.stars_by_score)),
            Cell::from(r.score),
            Cell::from(r.residents.count),
            Cell::from(if r.residents.estimated { "是" } else { "否" }),
        ];
        row.extend(r.deductions.iter().flat_map(|l| [Cell::from(l.value), Cell::from(-l.points)]));
        row.push(Cell::from(r.bonuses.iter().map(|b| b.points).sum::<f64>()));
        let vetoes: Vec<String> =
            r.vetoes.iter().map(|v| format!("{}{}起（至多{}星）", v.label, v.count, v.max_stars)).collect();
        row.push(Cell::from(vetoes.join("；")));
        row
    });
    let villages = Sheet::new("村社星级", columns)?
        .with_title(format!("{title} 星级平安村社评定（{scheme}）"))?
        .with_rows(rows)?;

    let columns = vec![
        Column::integer("预警编号"),
        Column::text("模型"),
        Column::text("等级"),
        Column::text("对象"),
        Column::text("发出时间"),
        Column::text("首次处置时间"),
        Column::integer("涉及案件数"),
    ];
    let beijing = |t: chrono::DateTime<chrono::Utc>| {
        t.with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8")).format("%Y-%m-%d %H:%M").to_string()
    };
    let rows = a.warnings.iter().map(|w| {
        vec![
            Cell::from(w.id),
            Cell::from(w.model.label()),
            Cell::from(w.level.label()),
            Cell::from(&w.subject),
            Cell::from(beijing(w.raised_at)),
            Cell::from(w.first_action_at.map(beijing)),
            Cell::from(w.case_ids.len()),
        ]
    });
    let warnings = Sheet::new("预警", columns)?.with_title(format!("{title} 预警处置"))?.with_rows(rows)?;

    // One row per case: a town's list may run to thousands, more than a cell holds.
    let judging = Judging { period: &a.period, cut_off: a.cut_off, unsatisfied_at_most };
    let columns = vec![
        Column::text("单位"),
        Column::text("类别"),
        Column::integer("案件编号"),
        Column::text("受理时间"),
        Column::text("村社"),
        Column::text("状态"),
        Column::text("牵头部门"),
    ];
    let mut rows = Vec::new();
    let mut push = |unit: &str, what: &str, c: &shanzhi_core::assessment::CaseFacts| {
        rows.push(vec![
            Cell::from(unit),
            Cell::from(what),
            Cell::from(c.basics.id.get()),
            Cell::from(beijing(c.basics.received_at)),
            Cell::from(name(c.basics.region)),
            Cell::from(c.status.label()),
            Cell::from(c.lead()),
        ]);
    };
    for c in cases_behind(Figure::Crimes, &Unit::District, &p.cases, judging) {
        push("全区", "民转刑（逐件倒查）", c);
    }
    let units = a
        .towns
        .keys()
        .map(|t| (Unit::Town(*t), name(*t)))
        .chain(a.departments.keys().map(|d| (Unit::Department(d.clone()), d.clone())));
    for (unit, label) in units {
        for figure in ACCOUNTABILITY_FIGURES {
            for c in cases_behind(figure, &unit, &p.cases, judging) {
                push(&label, figure.label(), c);
            }
        }
    }
    let accountability = Sheet::new("倒查", columns)?
        .with_title(format!("{title} 倒查清单（红色预警见“预警”表；逐件倒查见 /api/v1/cases/{{id}}/backtrace）"))?
        .with_rows(rows)?;

    Ok(vec![towns, departments, villages, warnings, accountability])
}
