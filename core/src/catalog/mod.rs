//! The service-item catalog (事项目录 / 实施清单): model, JSON import/export, validation, and
//! the printed texts (办事指南, 一次性告知书). The model and its JSON form live here; the rules a
//! file must meet in `validate`, the texts printed for applicants in `text`.
//!
//! One item, one standard, one code (同一事项、统一标准、同一编码): every case is an instance of a
//! catalog item, so a malformed catalog file is refused whole, with the JSON path and line of the
//! first fault, rather than half-imported. Format reference: docs/catalog-format.md.

use crate::ids;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Value of the `format` field this module reads and writes.
pub const FORMAT: &str = "yichuang-catalog/1";

/// The demo catalog of the fictional 示范区, shipped with the application.
pub const DEMO_CATALOG_JSON: &str = include_str!("../../data/catalog/demo.json");

/// Longest 实施编码 (national exchange schema).
pub const MAX_CODE_LEN: usize = 36;
/// Longest 基本编码.
pub const MAX_BASE_CODE_LEN: usize = 12;
/// Longest 业务办理项编码 (sub-item code).
pub const MAX_SUB_ITEM_CODE_LEN: usize = 50;

/// A catalog file as published by the issuing service centre.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogFile {
    /// Always [`FORMAT`].
    pub format: String,
    /// Edition label, e.g. "2026.11".
    pub version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<NaiveDate>,
    /// Who publishes the catalog, e.g. "示范区政务服务数据管理局".
    pub issuer: String,
    pub items: Vec<Item>,
    /// 主题 / 套餐 (parallel approval): bundles of items handled together. Absent = none, so files
    /// written before themes existed read (and hash) as before.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub themes: Vec<Theme>,
}

/// 事项类型.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemType {
    AdministrativeLicence,
    AdministrativeConfirmation,
    AdministrativePayment,
    AdministrativeRuling,
    OtherPower,
    PublicService,
}

impl ItemType {
    pub fn label_zh(self) -> &'static str {
        match self {
            ItemType::AdministrativeLicence => "行政许可",
            ItemType::AdministrativeConfirmation => "行政确认",
            ItemType::AdministrativePayment => "行政给付",
            ItemType::AdministrativeRuling => "行政裁决",
            ItemType::OtherPower => "其他行政权力",
            ItemType::PublicService => "公共服务",
        }
    }
}

/// 办件类型: decided on the spot, or promised within N working days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    Immediate,
    Promised,
}

impl ItemKind {
    pub fn label_zh(self) -> &'static str {
        match self {
            ItemKind::Immediate => "即办件",
            ItemKind::Promised => "承诺件",
        }
    }
}

/// 材料来源渠道.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MaterialSource {
    Applicant,
    Government,
    Intermediary,
    Other,
}

impl MaterialSource {
    pub fn label_zh(self) -> &'static str {
        match self {
            MaterialSource::Applicant => "申请人自备",
            MaterialSource::Government => "政府部门核发",
            MaterialSource::Intermediary => "中介机构出具",
            MaterialSource::Other => "其他",
        }
    }
}

/// 结果类型.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResultKind {
    Certificate,
    ApprovalDocument,
    Other,
}

impl ResultKind {
    pub fn label_zh(self) -> &'static str {
        match self {
            ResultKind::Certificate => "证照",
            ResultKind::ApprovalDocument => "批文",
            ResultKind::Other => "其他",
        }
    }
}

/// One catalog entry (实施清单 item).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    /// 实施编码: opaque, ≤ 36 characters of [0-9A-Za-z-_.].
    pub code: String,
    /// 基本编码: ≤ 12 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_code: Option<String>,
    pub name: String,
    /// 实施机关.
    pub department: String,
    /// The department's unified social credit code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department_code: Option<String>,
    pub item_type: ItemType,
    pub kind: ItemKind,
    /// 法定办结时限, working days (《行政许可法》第八十二条).
    pub statutory_limit_days: u32,
    /// 承诺办结时限, working days; 0 for 即办件.
    pub promised_limit_days: u32,
    /// 设定依据 / 实施依据.
    pub legal_basis: Vec<String>,
    /// 受理范围.
    pub scope: String,
    /// 受理条件.
    pub conditions: Vec<String>,
    pub materials: Vec<Material>,
    /// Empty means 不收费.
    pub fees: Vec<Fee>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<ResultDoc>,
    /// 子项 / 业务办理项 (situations that select which materials apply).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sub_items: Vec<SubItem>,
    /// 办理流程 steps.
    pub flow: Vec<String>,
    pub location: String,
    pub hours: String,
    /// 到现场次数.
    pub visits: u8,
    /// 可网办.
    pub online: bool,
    /// 涉密: never goes online.
    #[serde(default)]
    pub secret: bool,
    /// 走专网: handled in the department's own business system.
    #[serde(default)]
    pub dedicated_network: bool,
    /// 咨询电话.
    pub phone: String,
    /// Note for window staff; printed in neither the guide nor the notice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub staff_note: Option<String>,
}

/// An application material (申请材料).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Material {
    /// Unique within the item; referenced by sub-items.
    pub id: String,
    pub name: String,
    pub required: bool,
    pub originals: u8,
    pub copies: u8,
    /// An electronic copy is accepted.
    pub electronic_ok: bool,
    /// 可复用: materials already held or an electronic licence can stand in (一号式).
    pub reusable: bool,
    pub source: MaterialSource,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A fee (收费项目) with its basis (收费依据).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fee {
    pub name: String,
    /// Fixed amount in yuan (≤ 2 decimals).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_yuan: Option<f64>,
    /// Amount as text when not a single figure, e.g. "住宅类每件 80 元，非住宅类每件 550 元".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_text: Option<String>,
    pub basis: String,
    /// The amount per 办理情形 (sub-item) where it differs (分档收费): what a case of that
    /// situation is charged (crate::fee). A situation not listed pays `amount_yuan`; without
    /// either the clerk enters the amount from `amount_text`. Absent in older files.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub by_situation: Vec<SituationFee>,
}

/// One situation's amount of a fee.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SituationFee {
    /// 业务办理项编码 of one of the item's `sub_items`.
    pub sub_item: String,
    /// Yuan, ≥ 0, at most two decimals.
    pub amount_yuan: f64,
}

impl Fee {
    /// The amount in fen a case in `situation` is charged; None when only `amount_text` says it.
    pub fn amount_fen(&self, situation: Option<&str>) -> Option<i64> {
        let yuan = situation
            .and_then(|s| self.by_situation.iter().find(|f| f.sub_item == s))
            .map(|f| f.amount_yuan)
            .or(self.amount_yuan)?;
        // Validated to two decimals: the rounding only undoes the float's representation.
        #[allow(clippy::cast_possible_truncation)]
        Some((yuan * 100.0).round() as i64)
    }
}

/// 办理结果.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResultDoc {
    pub kind: ResultKind,
    pub name: String,
}

/// 子项 / 业务办理项: a situation and the materials it needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubItem {
    pub code: String,
    pub name: String,
    /// Ids of the item's materials that apply.
    pub materials: Vec<String>,
}

/// 主题 / 套餐 (并联审批): items of several departments filed once, dispatched together, with a
/// lead department (牵头部门) and one overall limit. Each item becomes a branch case of its own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Theme {
    /// 主题编码: opaque, same rules as an item code, distinct from every item code.
    pub code: String,
    pub name: String,
    /// 牵头部门: one of the branches' departments; it sees the whole board.
    pub lead_department: String,
    /// 总办理时限, working days from the joint filing (e.g. 企业开办 1 个工作日).
    pub overall_limit_days: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub branches: Vec<ThemeBranch>,
}

/// One item of a theme.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThemeBranch {
    /// 实施编码 of an item in the same catalog file.
    pub item: String,
    /// The theme is decided only when every required branch is; an optional one (e.g. 排水许可
    /// when no sewage is discharged) may be left out at filing.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub required: bool,
    /// Items of this theme that must be decided (准予) before this branch may be acted on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub after: Vec<String>,
}

fn yes() -> bool {
    true
}

fn is_true(b: &bool) -> bool {
    *b
}

/// Why a catalog file was refused.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("目录文件第 {line} 行第 {column} 列（{path}）解析失败：{message}")]
    Parse { line: usize, column: usize, path: String, message: String },
    #[error("第 {} 个事项（items[{item}]，编码 {code}）的 {field} 不合法：{message}", .item + 1)]
    Invalid { item: usize, code: String, field: String, message: String },
    #[error("第 {} 个主题（themes[{theme}]，编码 {code}）的 {field} 不合法：{message}", .theme + 1)]
    ThemeInvalid { theme: usize, code: String, field: String, message: String },
    #[error("目录文件格式错误：{0}")]
    Format(String),
}

/// Parses and validates a catalog file. Any fault refuses the whole file.
pub fn parse(text: &str) -> Result<CatalogFile, CatalogError> {
    let file = parse_unchecked(text)?;
    file.validate()?;
    Ok(file)
}

/// Parses without the semantic checks (for editors that list every problem with
/// [`CatalogFile::problems`]). Syntax, unknown fields and wrong types are still errors.
pub fn parse_unchecked(text: &str) -> Result<CatalogFile, CatalogError> {
    // Windows editors save UTF-8 with a BOM; serde_json refuses it.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);

    // Read the format tag first, so a newer format is named as such rather than reported as
    // an unknown field deep inside.
    #[derive(Deserialize)]
    struct Head {
        #[serde(default)]
        format: Option<serde_json::Value>,
    }
    if let Ok(head) = serde_json::from_str::<Head>(text) {
        match head.format {
            None => return Err(CatalogError::Format(format!("缺少 format 字段（应为 \"{FORMAT}\"）"))),
            Some(serde_json::Value::String(f)) if f != FORMAT => {
                return Err(CatalogError::Format(format!("不支持的格式 \"{f}\"，本程序读取 \"{FORMAT}\"")));
            }
            _ => {}
        }
    }

    let mut de = serde_json::Deserializer::from_str(text);
    let file: CatalogFile = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        parse_error(e.inner(), path)
    })?;
    de.end().map_err(|e| parse_error(&e, "（文件末尾）".to_string()))?;
    Ok(file)
}

fn parse_error(e: &serde_json::Error, path: String) -> CatalogError {
    use serde_json::error::Category;
    let class = match e.classify() {
        Category::Syntax => "JSON 语法错误",
        Category::Data => "内容不符合目录格式",
        Category::Eof => "文件不完整（意外结束）",
        Category::Io => "读取错误",
    };
    // serde_json appends " at line L column C"; the position is reported separately.
    let full = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    let message = full.strip_suffix(&suffix).unwrap_or(&full);
    CatalogError::Parse { line: e.line(), column: e.column(), path, message: format!("{class}：{message}") }
}

/// Pretty JSON in the documented format; `parse(&to_json(&f))` gives back `f`.
pub fn to_json(file: &CatalogFile) -> String {
    // Serialising these types cannot fail: no maps with non-string keys, no custom serialisers.
    let mut s = serde_json::to_string_pretty(file).expect("catalog types always serialise");
    s.push('\n');
    s
}

/// Parses and validates [`DEMO_CATALOG_JSON`].
pub fn demo_catalog() -> Result<CatalogFile, CatalogError> {
    parse(DEMO_CATALOG_JSON)
}

mod text;
mod validate;

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::text::{width, zh_numeral};
    use super::*;
    use proptest::prelude::*;

    fn demo() -> CatalogFile {
        match demo_catalog() {
            Ok(c) => c,
            Err(e) => panic!("demo catalog refused: {e}"),
        }
    }

    fn sample_item() -> Item {
        Item {
            code: "11440300007495860R000117007000001".into(),
            base_code: Some("000117007000".into()),
            name: "食品经营许可".into(),
            department: "示范区市场监督管理局".into(),
            department_code: Some("11440300007495860R".into()),
            item_type: ItemType::AdministrativeLicence,
            kind: ItemKind::Promised,
            statutory_limit_days: 20,
            promised_limit_days: 10,
            legal_basis: vec!["《中华人民共和国食品安全法》第三十五条".into()],
            scope: "在本区从事食品销售和餐饮服务的经营者".into(),
            conditions: vec!["有与经营的食品品种、数量相适应的经营场所".into()],
            materials: vec![
                Material {
                    id: "m1".into(),
                    name: "食品经营许可申请书".into(),
                    required: true,
                    originals: 1,
                    copies: 0,
                    electronic_ok: true,
                    reusable: false,
                    source: MaterialSource::Applicant,
                    note: None,
                },
                Material {
                    id: "m2".into(),
                    name: "营业执照".into(),
                    required: true,
                    originals: 0,
                    copies: 1,
                    electronic_ok: true,
                    reusable: true,
                    source: MaterialSource::Government,
                    note: Some("已有电子营业执照的免交".into()),
                },
                Material {
                    id: "m3".into(),
                    name: "委托书".into(),
                    required: false,
                    originals: 1,
                    copies: 0,
                    electronic_ok: false,
                    reusable: false,
                    source: MaterialSource::Applicant,
                    note: None,
                },
            ],
            fees: vec![],
            result: Some(ResultDoc { kind: ResultKind::Certificate, name: "食品经营许可证".into() }),
            sub_items: vec![SubItem {
                code: "01".into(),
                name: "新办".into(),
                materials: vec!["m1".into(), "m2".into()],
            }],
            flow: vec!["申请".into(), "受理".into(), "审查".into(), "决定".into(), "送达".into()],
            location: "示范区政务服务中心二楼".into(),
            hours: "工作日 9:00—12:00，14:00—17:30".into(),
            visits: 1,
            online: true,
            secret: false,
            dedicated_network: false,
            phone: "0755-12345678".into(),
            staff_note: None,
        }
    }

    fn file_with(items: Vec<Item>) -> CatalogFile {
        CatalogFile {
            format: FORMAT.into(),
            version: "2026.11".into(),
            published: NaiveDate::from_ymd_opt(2026, 11, 1),
            issuer: "示范区政务服务数据管理局".into(),
            items,
            themes: vec![],
        }
    }

    fn first_invalid_field(f: &CatalogFile) -> Option<String> {
        match f.validate() {
            Err(CatalogError::Invalid { field, .. }) => Some(field),
            _ => None,
        }
    }

    #[test]
    fn demo_catalog_parses_and_validates() {
        let c = demo();
        assert!(c.items.len() >= 24, "only {} items", c.items.len());
        let departments: HashSet<&str> = c.items.iter().map(|i| i.department.as_str()).collect();
        assert!(departments.len() >= 9, "only {} departments", departments.len());
        assert!(c.items.iter().all(|i| i.department_code.is_some()));
        assert!(c.items.iter().any(|i| i.secret && !i.online));
        assert!(c.items.iter().any(|i| i.dedicated_network));
        assert!(c.items.iter().any(|i| !i.fees.is_empty()));
        assert!(c.items.iter().any(|i| !i.sub_items.is_empty()));
        assert!(c.items.iter().any(|i| i.kind == ItemKind::Immediate));
        for name in [
            "敬老优待证",
            "个体工商户",
            "食品经营许可",
            "建设工程规划许可证",
            "不动产首次登记",
            "不动产转移登记",
            "医师执业注册",
            "道路货物运输经营许可",
            "最低生活保障",
            "居住证",
            "灵活就业人员参保登记",
            "出生医学证明",
            "残疾人证",
            "独生子女父母光荣证",
            "临时救助",
            "劳动合同备案",
            "排水",
            "燃气经营许可",
            "公共场所卫生许可",
            "药品零售",
            "户外广告",
            "老旧小区",
        ] {
            assert!(c.items.iter().any(|i| i.name.contains(name)), "no item named {name}");
        }
    }

    #[test]
    fn demo_catalog_round_trips_through_json() {
        let c = demo();
        let back = parse(&to_json(&c)).unwrap();
        assert_eq!(back, c);
    }

    #[test]
    fn guide_text_has_every_section() {
        let g = sample_item().guide_text();
        for s in [
            "事项名称：食品经营许可",
            "事项编码：11440300007495860R000117007000001（基本编码：000117007000）",
            "事项类型：行政许可（承诺件）",
            "实施机关：示范区市场监督管理局",
            "受理范围",
            "设定依据",
            "《中华人民共和国食品安全法》第三十五条",
            "受理条件",
            "申请材料",
            "序号",
            "原件",
            "复印件",
            "办理流程",
            "法定办结时限 20 个工作日，承诺办结时限 10 个工作日",
            "收费标准：不收费",
            "食品经营许可证（证照）",
            "办理地点",
            "办理时间",
            "到现场次数：1 次",
            "咨询电话：0755-12345678",
            "新办（01）：第 1、2 项材料",
            "第 2 项：已有电子营业执照的免交",
        ] {
            assert!(g.contains(s), "guide lacks {s:?}:\n{g}");
        }
        assert!(g.contains("十七、咨询电话"), "{g}");
    }

    #[test]
    fn guide_material_table_columns_line_up() {
        let g = sample_item().guide_text();
        let rows: Vec<&str> =
            g.lines().filter(|l| l.starts_with("    ") && (l.contains(" 份") || l.contains("序号"))).collect();
        assert_eq!(rows.len(), 4, "{g}");
        // The 原件 column starts at the same display column in the header and every row.
        let col = |l: &str, pat: &str| l.find(pat).map(|b| width(&l[..b]));
        let header = col(rows[0], "原件").unwrap();
        for r in &rows[1..] {
            let first_count = r.find(" 份").map(|b| {
                let start = r[..b].rfind(' ').map_or(0, |s| s + 1);
                width(&r[..start])
            });
            assert_eq!(first_count, Some(header), "misaligned row {r:?}");
        }
    }

    #[test]
    fn immediate_item_guide_says_done_on_the_spot() {
        let mut i = sample_item();
        i.kind = ItemKind::Immediate;
        i.promised_limit_days = 0;
        i.fees = vec![Fee {
            name: "工本费".into(),
            amount_yuan: Some(12.5),
            amount_text: None,
            basis: "某价格文件".into(),
            by_situation: vec![],
        }];
        let g = i.guide_text();
        assert!(g.contains("即办件：材料齐全、符合法定形式的，当场办结"), "{g}");
        assert!(g.contains("工本费：12.5 元；收费依据：某价格文件"), "{g}");
    }

    #[test]
    fn notice_lists_all_materials_with_counts_and_closes_once_for_all() {
        let n = sample_item().notice_text();
        for s in [
            "一次性告知书",
            "《中华人民共和国行政许可法》第三十二条",
            "（申请人）",
            "必须提交的材料",
            "1. 食品经营许可申请书（原件 1 份；可提交电子材料",
            "2. 营业执照（复印件 1 份；可提交电子材料；已留存或有电子证照的免于提交",
            "视情形提交的材料",
            "3. 委托书（原件 1 份",
            "有与经营的食品品种",
            "承诺办结时限 10 个工作日",
            "示范区政务服务中心二楼",
            "0755-12345678",
            "一次性告知",
            "不得要求申请人提交本告知书所列以外的材料",
        ] {
            assert!(n.contains(s), "notice lacks {s:?}:\n{n}");
        }
        assert!(n.contains("一、受理条件\n    1. 有与经营"), "list follows its heading directly:\n{n}");
    }

    #[test]
    fn notice_for_non_licence_does_not_cite_licensing_law() {
        let mut i = sample_item();
        i.item_type = ItemType::PublicService;
        assert!(!i.notice_text().contains("第三十二条"));
    }

    #[test]
    fn search_text_covers_names_materials_and_codes() {
        let s = sample_item().search_text();
        assert!(
            s.contains("食品经营许可") && s.contains("营业执照") && s.contains("000117007000") && s.contains("新办")
        );
        assert!(s.contains("11440300007495860r"), "search text is lower-cased");
    }

    #[test]
    fn sample_item_is_valid() {
        assert!(file_with(vec![sample_item()]).validate().is_ok());
    }

    #[test]
    fn duplicate_item_codes_are_rejected() {
        let f = file_with(vec![sample_item(), sample_item()]);
        match f.validate() {
            Err(CatalogError::Invalid { item: 1, field, message, .. }) => {
                assert_eq!(field, "code");
                assert!(message.contains("第 1 个事项重复"), "{message}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn bad_item_codes_are_rejected() {
        for bad in ["", "含中文", "A B", &"1".repeat(37)] {
            let mut i = sample_item();
            i.code = bad.into();
            assert_eq!(first_invalid_field(&file_with(vec![i])).as_deref(), Some("code"), "{bad:?}");
        }
        let mut i = sample_item();
        i.base_code = Some("1234567890123".into());
        assert_eq!(first_invalid_field(&file_with(vec![i])).as_deref(), Some("base_code"));
    }

    #[test]
    fn promised_limit_above_statutory_is_rejected() {
        let mut i = sample_item();
        i.promised_limit_days = 21;
        let e = file_with(vec![i]).validate().unwrap_err();
        assert!(e.to_string().contains("承诺时限 21 个工作日超过法定时限 20 个工作日"), "{e}");
    }

    #[test]
    fn immediate_item_with_promised_days_is_rejected() {
        let mut i = sample_item();
        i.kind = ItemKind::Immediate;
        assert_eq!(first_invalid_field(&file_with(vec![i])).as_deref(), Some("promised_limit_days"));
    }

    #[test]
    fn secret_item_online_is_rejected() {
        let mut i = sample_item();
        i.secret = true;
        assert_eq!(first_invalid_field(&file_with(vec![i.clone()])).as_deref(), Some("online"));
        i.online = false;
        assert!(file_with(vec![i]).validate().is_ok());
    }

    #[test]
    fn licence_without_legal_basis_is_rejected() {
        let mut i = sample_item();
        i.legal_basis.clear();
        assert_eq!(first_invalid_field(&file_with(vec![i.clone()])).as_deref(), Some("legal_basis"));
        i.item_type = ItemType::PublicService;
        assert!(file_with(vec![i]).validate().is_ok());
    }

    #[test]
    fn duplicate_material_ids_and_dangling_sub_item_references_are_rejected() {
        let mut i = sample_item();
        i.materials[1].id = "m1".into();
        assert_eq!(first_invalid_field(&file_with(vec![i])).as_deref(), Some("materials[1].id"));
        let mut i = sample_item();
        i.sub_items[0].materials.push("m9".into());
        let e = file_with(vec![i]).validate().unwrap_err();
        assert!(e.to_string().contains("sub_items[0].materials[2]"), "{e}");
        assert!(e.to_string().contains("“m9”"), "{e}");
    }

    #[test]
    fn department_code_must_pass_the_credit_code_check() {
        let mut i = sample_item();
        i.department_code = Some("11440300007495860A".into());
        let e = file_with(vec![i]).validate().unwrap_err();
        assert!(e.to_string().contains("校验位错误"), "{e}");
    }

    #[test]
    fn empty_names_are_rejected() {
        let mut i = sample_item();
        i.name = "  ".into();
        assert_eq!(first_invalid_field(&file_with(vec![i])).as_deref(), Some("name"));
        let mut i = sample_item();
        i.materials[0].name = String::new();
        assert_eq!(first_invalid_field(&file_with(vec![i])).as_deref(), Some("materials[0].name"));
    }

    #[test]
    fn fee_needs_amount_and_basis() {
        let mut i = sample_item();
        i.fees = vec![Fee {
            name: "登记费".into(),
            amount_yuan: None,
            amount_text: None,
            basis: "x".into(),
            by_situation: vec![],
        }];
        assert_eq!(first_invalid_field(&file_with(vec![i.clone()])).as_deref(), Some("fees[0].amount_yuan"));
        i.fees[0].amount_yuan = Some(80.001);
        assert_eq!(first_invalid_field(&file_with(vec![i.clone()])).as_deref(), Some("fees[0].amount_yuan"));
        i.fees[0].amount_yuan = Some(80.0);
        i.fees[0].basis = " ".into();
        assert_eq!(first_invalid_field(&file_with(vec![i])).as_deref(), Some("fees[0].basis"));
    }

    #[test]
    fn problems_lists_every_fault_at_once() {
        let mut i = sample_item();
        i.name.clear();
        i.secret = true;
        i.promised_limit_days = 30;
        let fields: Vec<String> = file_with(vec![i])
            .problems()
            .into_iter()
            .filter_map(|e| match e {
                CatalogError::Invalid { field, .. } => Some(field),
                _ => None,
            })
            .collect();
        assert_eq!(fields, ["name", "promised_limit_days", "online"]);
    }

    #[test]
    fn wrong_type_error_names_json_path_and_line() {
        let mut json = to_json(&file_with(vec![sample_item(), sample_item()]));
        // Make the second item's codes unique, then break items[1].materials[1].required.
        json = json.replacen("11440300007495860R000117007000001", "X2", 1);
        let target = json.match_indices("\"required\": true").nth(3).map(|(b, _)| b).unwrap();
        json.replace_range(target..target + "\"required\": true".len(), "\"required\": \"是\"");
        let line_expected = json[..target].lines().count();
        match parse(&json) {
            Err(CatalogError::Parse { line, path, message, .. }) => {
                assert_eq!(path, "items[1].materials[1].required");
                assert_eq!(line, line_expected);
                assert!(message.starts_with("内容不符合目录格式："), "{message}");
                assert!(!message.contains(" at line "), "{message}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn misspelt_field_is_refused_with_its_path() {
        let json = to_json(&file_with(vec![sample_item()])).replacen("\"electronic_ok\"", "\"electronc_ok\"", 1);
        let e = parse(&json).unwrap_err();
        let text = e.to_string();
        assert!(matches!(e, CatalogError::Parse { .. }), "{text}");
        assert!(text.contains("items[0].materials[0]"), "{text}");
        assert!(text.contains("electronc_ok"), "{text}");
    }

    #[test]
    fn syntax_error_reports_line_and_column() {
        let json = "{\n  \"format\": \"yichuang-catalog/1\",\n  \"version\": \"1\" \"issuer\": \"x\"\n}";
        match parse(json) {
            Err(CatalogError::Parse { line, column, message, .. }) => {
                assert_eq!(line, 3);
                assert!(column > 10, "{column}");
                assert!(message.starts_with("JSON 语法错误"), "{message}");
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(parse("{\"format\": \"yichuang-catalog/1\", \"items\": ["), Err(CatalogError::Parse { .. })));
        let trailing = format!("{} x", to_json(&file_with(vec![])));
        assert!(matches!(parse(&trailing), Err(CatalogError::Parse { .. })));
    }

    #[test]
    fn other_format_versions_are_named_as_such() {
        let e = parse("{\"format\": \"yichuang-catalog/2\", \"whatever\": 1}").unwrap_err();
        assert!(matches!(&e, CatalogError::Format(m) if m.contains("yichuang-catalog/2")), "{e}");
        assert!(matches!(parse("{\"items\": []}"), Err(CatalogError::Format(_))));
    }

    #[test]
    fn byte_order_mark_is_accepted() {
        let json = format!("\u{feff}{}", to_json(&file_with(vec![sample_item()])));
        assert_eq!(parse(&json).unwrap(), file_with(vec![sample_item()]));
    }

    #[test]
    fn invalid_item_refuses_whole_file() {
        let mut bad = sample_item();
        bad.code = "B".into();
        bad.promised_limit_days = 99;
        let json = to_json(&file_with(vec![sample_item(), bad]));
        match parse(&json) {
            Err(CatalogError::Invalid { item, code, field, .. }) => {
                assert_eq!((item, code.as_str(), field.as_str()), (1, "B", "promised_limit_days"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn invalid_error_message_is_chinese_and_locates_the_item() {
        let e = CatalogError::Invalid {
            item: 2,
            code: "C".into(),
            field: "online".into(),
            message: "涉密事项不得网上办理".into(),
        };
        assert_eq!(e.to_string(), "第 3 个事项（items[2]，编码 C）的 online 不合法：涉密事项不得网上办理");
    }

    #[test]
    fn zh_numerals_for_headings() {
        assert_eq!([1, 10, 11, 17, 20, 21].map(zh_numeral), ["一", "十", "十一", "十七", "二十", "二十一"]);
    }

    // ----- round-trip property over generated valid catalogs -----

    fn text() -> impl Strategy<Value = String> {
        // Chinese, quotes, backslashes, newlines and U+2028 stress JSON escaping.
        "[\u{4e00}-\u{4e40}a-z0-9][\u{4e00}-\u{4e40}a-z0-9 \"\\\\\n\u{2028}（）《》、]{0,10}"
    }

    fn material() -> impl Strategy<Value = Material> {
        (text(), any::<bool>(), 0u8..3, 0u8..3, any::<bool>(), any::<bool>(), 0usize..4, proptest::option::of(text()))
            .prop_map(|(name, required, originals, copies, electronic_ok, reusable, src, note)| Material {
                id: String::new(),
                name,
                required,
                originals: originals.max(u8::from(!electronic_ok && copies == 0)),
                copies,
                electronic_ok,
                reusable,
                source: [
                    MaterialSource::Applicant,
                    MaterialSource::Government,
                    MaterialSource::Intermediary,
                    MaterialSource::Other,
                ][src],
                note,
            })
    }

    fn item() -> impl Strategy<Value = Item> {
        let types = [
            ItemType::AdministrativeLicence,
            ItemType::AdministrativeConfirmation,
            ItemType::AdministrativePayment,
            ItemType::AdministrativeRuling,
            ItemType::OtherPower,
            ItemType::PublicService,
        ];
        let head = (
            text(),
            text(),
            proptest::option::of("[0-9A-Z]{1,12}"),
            0usize..6,
            any::<bool>(),
            1u32..60,
            0u32..60,
            proptest::collection::vec(text(), 1..3),
            text(),
            proptest::collection::vec(text(), 0..3),
        );
        let body = (
            proptest::collection::vec(material(), 0..5),
            proptest::collection::vec(
                (text(), proptest::option::of(0u32..100_000), proptest::option::of(text()), text()),
                0..2,
            ),
            proptest::option::of((0usize..3, text())),
            proptest::collection::vec((text(), proptest::collection::vec(0usize..5, 0..3)), 0..3),
            proptest::collection::vec(text(), 1..5),
            (text(), text(), 0u8..4, any::<bool>(), any::<bool>(), any::<bool>(), text(), proptest::option::of(text())),
        );
        (head, body).prop_map(move |(h, b)| {
            let (name, department, base_code, t, immediate, statutory, promised, legal_basis, scope, conditions) = h;
            let (mut materials, fees, result, subs, flow, tail) = b;
            let (location, hours, visits, online, secret, dedicated_network, phone, staff_note) = tail;
            for (j, m) in materials.iter_mut().enumerate() {
                m.id = format!("m{j}");
            }
            let sub_items = subs
                .into_iter()
                .enumerate()
                .map(|(j, (name, refs))| SubItem {
                    code: format!("{j:02}"),
                    name,
                    materials: if materials.is_empty() {
                        vec![]
                    } else {
                        refs.iter().map(|r| format!("m{}", r % materials.len())).collect()
                    },
                })
                .collect();
            Item {
                code: String::new(),
                base_code,
                name,
                department,
                department_code: ids::make_credit_code("11440300007495860"),
                item_type: types[t],
                kind: if immediate { ItemKind::Immediate } else { ItemKind::Promised },
                statutory_limit_days: statutory,
                promised_limit_days: if immediate { 0 } else { 1 + promised % statutory },
                legal_basis,
                scope,
                conditions,
                materials,
                fees: fees
                    .into_iter()
                    .map(|(name, fen, amount_text, basis)| Fee {
                        name,
                        amount_yuan: fen.map(|f| f64::from(f) / 100.0),
                        amount_text: if fen.is_none() && amount_text.is_none() {
                            Some("按件收取".into())
                        } else {
                            amount_text
                        },
                        basis,
                        by_situation: vec![],
                    })
                    .collect(),
                result: result.map(|(k, name)| ResultDoc {
                    kind: [ResultKind::Certificate, ResultKind::ApprovalDocument, ResultKind::Other][k],
                    name,
                }),
                sub_items,
                flow,
                location,
                hours,
                visits,
                online: online && !secret,
                secret,
                dedicated_network,
                phone,
                staff_note,
            }
        })
    }

    fn catalog() -> impl Strategy<Value = CatalogFile> {
        (proptest::collection::vec(item(), 0..4), proptest::option::of(0i64..20_000), text()).prop_map(
            |(mut items, days, issuer)| {
                for (i, it) in items.iter_mut().enumerate() {
                    it.code = format!("11440300007495860R{i:04}");
                }
                CatalogFile {
                    format: FORMAT.into(),
                    version: "2026.11".into(),
                    published: days
                        .and_then(|d| NaiveDate::from_ymd_opt(2000, 1, 1).map(|b| b + chrono::Duration::days(d))),
                    issuer,
                    items,
                    themes: vec![],
                }
            },
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        #[test]
        fn generated_catalogs_are_valid_and_round_trip(c in catalog()) {
            prop_assert!(c.validate().is_ok(), "{:?}", c.validate());
            let json = to_json(&c);
            prop_assert_eq!(parse(&json).unwrap(), c);
        }

        #[test]
        fn printed_texts_never_panic_and_mention_the_item(c in catalog()) {
            for i in &c.items {
                prop_assert!(i.guide_text().contains(&i.name));
                prop_assert!(i.notice_text().contains(&i.code));
            }
        }

        #[test]
        fn truncated_catalog_is_refused_not_half_imported(c in catalog(), cut in 0.0f64..1.0) {
            let json = to_json(&c);
            let mut at = ((json.len() as f64) * cut) as usize;
            while !json.is_char_boundary(at) { at -= 1; }
            // Cutting inside the final "}\n" or earlier always leaves an incomplete document.
            prop_assume!(at < json.trim_end().len());
            prop_assert!(parse(&json[..at]).is_err());
        }
    }
}
