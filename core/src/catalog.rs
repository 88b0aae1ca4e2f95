//! The service-item catalog (事项目录 / 实施清单): model, JSON import/export, validation, and
//! the printed texts (办事指南, 一次性告知书).
//!
//! One item, one standard, one code (同一事项、统一标准、同一编码): every case is an instance of a
//! catalog item, so a malformed catalog file is refused whole, with the JSON path and line of the
//! first fault, rather than half-imported. Format reference: docs/catalog-format.md.

use crate::ids;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

/// Value of the `format` field this module reads and writes.
pub const FORMAT: &str = "yichuang-catalog/1";

/// The demo catalog of the fictional 示范区, shipped with the application.
pub const DEMO_CATALOG_JSON: &str = include_str!("../data/catalog/demo.json");

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

/// Why a catalog file was refused.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("目录文件第 {line} 行第 {column} 列（{path}）解析失败：{message}")]
    Parse { line: usize, column: usize, path: String, message: String },
    #[error("第 {} 个事项（items[{item}]，编码 {code}）的 {field} 不合法：{message}", .item + 1)]
    Invalid { item: usize, code: String, field: String, message: String },
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

fn code_chars_ok(s: &str) -> bool {
    s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

fn blank(s: &str) -> bool {
    s.trim().is_empty()
}

impl CatalogFile {
    /// The first problem, if any; see [`CatalogFile::problems`] for all of them.
    pub fn validate(&self) -> Result<(), CatalogError> {
        match self.problems().into_iter().next() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// Every problem in the file, in file order, so an importer can list them all at once.
    pub fn problems(&self) -> Vec<CatalogError> {
        let mut out = Vec::new();
        if self.format != FORMAT {
            out.push(CatalogError::Format(format!("不支持的格式 \"{}\"，本程序读取 \"{FORMAT}\"", self.format)));
        }
        if blank(&self.version) {
            out.push(CatalogError::Format("version（目录版本）不能为空".into()));
        }
        if blank(&self.issuer) {
            out.push(CatalogError::Format("issuer（发布机构）不能为空".into()));
        }
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for (i, item) in self.items.iter().enumerate() {
            if let Some(first) = seen.get(item.code.as_str()) {
                out.push(CatalogError::Invalid {
                    item: i,
                    code: item.code.clone(),
                    field: "code".into(),
                    message: format!("事项编码与第 {} 个事项重复（同一事项、同一编码）", first + 1),
                });
            } else {
                seen.insert(&item.code, i);
            }
            for (field, message) in item.problems() {
                out.push(CatalogError::Invalid { item: i, code: item.code.clone(), field, message });
            }
        }
        out
    }

    /// Looks an item up by its 实施编码.
    pub fn item(&self, code: &str) -> Option<&Item> {
        self.items.iter().find(|i| i.code == code)
    }
}

/// Parses and validates [`DEMO_CATALOG_JSON`].
pub fn demo_catalog() -> Result<CatalogFile, CatalogError> {
    parse(DEMO_CATALOG_JSON)
}

impl Item {
    /// (field path relative to the item, Chinese message) for every problem.
    pub fn problems(&self) -> Vec<(String, String)> {
        let mut p: Vec<(String, String)> = Vec::new();
        let mut push = |f: &str, m: String| p.push((f.to_string(), m));

        let code_len = self.code.chars().count();
        if code_len == 0 {
            push("code", "事项编码不能为空".into());
        } else if code_len > MAX_CODE_LEN {
            push("code", format!("事项编码最长 {MAX_CODE_LEN} 位，实为 {code_len} 位"));
        } else if !code_chars_ok(&self.code) {
            push("code", "事项编码只能含数字、字母及 - _ .".into());
        }
        if let Some(b) = &self.base_code {
            let n = b.chars().count();
            if n == 0 || n > MAX_BASE_CODE_LEN || !code_chars_ok(b) {
                push("base_code", format!("基本编码应为 1 至 {MAX_BASE_CODE_LEN} 位数字、字母及 - _ .，实为“{b}”"));
            }
        }
        for (field, value, what) in [
            ("name", &self.name, "事项名称"),
            ("department", &self.department, "实施机关"),
            ("scope", &self.scope, "受理范围"),
            ("location", &self.location, "办理地点"),
            ("hours", &self.hours, "办理时间"),
            ("phone", &self.phone, "咨询电话"),
        ] {
            if blank(value) {
                push(field, format!("{what}不能为空"));
            }
        }
        if let Some(dc) = &self.department_code {
            match ids::check_credit_code(dc) {
                Ok(n) if &n == dc => {}
                Ok(n) => push("department_code", format!("统一社会信用代码应写作规范形式“{n}”")),
                Err(e) => push("department_code", e.to_string()),
            }
        }

        match self.kind {
            ItemKind::Immediate if self.promised_limit_days != 0 => push(
                "promised_limit_days",
                format!("即办件当场办结，承诺时限应为 0，实为 {} 个工作日", self.promised_limit_days),
            ),
            ItemKind::Promised if self.statutory_limit_days == 0 => {
                push("statutory_limit_days", "承诺件须有法定时限（至少 1 个工作日）".into());
            }
            ItemKind::Promised if self.promised_limit_days == 0 => {
                push("promised_limit_days", "承诺件的承诺时限至少 1 个工作日；当场办结的应设为即办件".into());
            }
            ItemKind::Promised if self.promised_limit_days > self.statutory_limit_days => push(
                "promised_limit_days",
                format!(
                    "承诺时限 {} 个工作日超过法定时限 {} 个工作日",
                    self.promised_limit_days, self.statutory_limit_days
                ),
            ),
            _ => {}
        }

        if self.item_type == ItemType::AdministrativeLicence && self.legal_basis.is_empty() {
            // 《行政许可法》第十四条至第十七条: a licence exists only by law or regulation.
            push("legal_basis", "行政许可事项必须列明设定依据".into());
        }
        for (list, field, what) in [
            (&self.legal_basis, "legal_basis", "设定依据"),
            (&self.conditions, "conditions", "受理条件"),
            (&self.flow, "flow", "办理流程"),
        ] {
            for (j, s) in list.iter().enumerate() {
                if blank(s) {
                    push(&format!("{field}[{j}]"), format!("{what}条目不能为空"));
                }
            }
        }
        if self.flow.is_empty() {
            push("flow", "办理流程至少一步".into());
        }

        let mut ids_seen = HashSet::new();
        for (j, m) in self.materials.iter().enumerate() {
            let f = |s: &str| format!("materials[{j}].{s}");
            if blank(&m.id) || !m.id.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_')) {
                push(&f("id"), format!("材料标识应为数字、字母及 - _，实为“{}”", m.id));
            } else if !ids_seen.insert(m.id.as_str()) {
                push(&f("id"), format!("材料标识“{}”在本事项内重复", m.id));
            }
            if blank(&m.name) {
                push(&f("name"), "材料名称不能为空".into());
            }
            if m.originals == 0 && m.copies == 0 && !m.electronic_ok {
                push(&f("copies"), "原件、复印件均为 0 份且不收电子材料，申请人无从提交".into());
            }
            if m.note.as_deref().is_some_and(blank) {
                push(&f("note"), "备注为空时应省略该字段".into());
            }
        }

        for (j, fee) in self.fees.iter().enumerate() {
            let f = |s: &str| format!("fees[{j}].{s}");
            if blank(&fee.name) {
                push(&f("name"), "收费项目名称不能为空".into());
            }
            if blank(&fee.basis) {
                push(&f("basis"), "收费必须列明依据".into());
            }
            match (fee.amount_yuan, fee.amount_text.as_deref()) {
                (None, None) => push(&f("amount_yuan"), "应给出金额（amount_yuan）或金额说明（amount_text）".into()),
                (_, Some(t)) if blank(t) => push(&f("amount_text"), "金额说明为空时应省略该字段".into()),
                (Some(a), _) if !a.is_finite() || a < 0.0 || ((a * 100.0).round() - a * 100.0).abs() > 1e-6 => {
                    push(&f("amount_yuan"), format!("金额应为不小于 0、至多两位小数的元数，实为 {a}"));
                }
                _ => {}
            }
        }

        if let Some(r) = &self.result
            && blank(&r.name)
        {
            push("result.name", "办理结果名称不能为空".into());
        }

        let mut sub_codes = HashSet::new();
        for (j, s) in self.sub_items.iter().enumerate() {
            let f = |x: &str| format!("sub_items[{j}].{x}");
            let n = s.code.chars().count();
            if n == 0 || n > MAX_SUB_ITEM_CODE_LEN || !code_chars_ok(&s.code) {
                push(
                    &f("code"),
                    format!("子项编码应为 1 至 {MAX_SUB_ITEM_CODE_LEN} 位数字、字母及 - _ .，实为“{}”", s.code),
                );
            } else if !sub_codes.insert(s.code.as_str()) {
                push(&f("code"), format!("子项编码“{}”在本事项内重复", s.code));
            }
            if blank(&s.name) {
                push(&f("name"), "子项名称不能为空".into());
            }
            for (k, id) in s.materials.iter().enumerate() {
                if !self.materials.iter().any(|m| &m.id == id) {
                    push(&format!("sub_items[{j}].materials[{k}]"), format!("引用的材料“{id}”不在本事项的材料清单中"));
                }
            }
        }

        if self.secret && self.online {
            push("online", "涉密事项不得网上办理".into());
        }
        p
    }

    /// 1-based number of a material in the printed list.
    fn material_number(&self, id: &str) -> Option<usize> {
        self.materials.iter().position(|m| m.id == id).map(|i| i + 1)
    }

    fn limit_text(&self) -> String {
        let mut s = match self.kind {
            ItemKind::Immediate if self.statutory_limit_days > 0 => format!(
                "即办件：材料齐全、符合法定形式的，当场办结（法定办结时限 {} 个工作日）。",
                self.statutory_limit_days
            ),
            ItemKind::Immediate => "即办件：材料齐全、符合法定形式的，当场办结。".to_string(),
            ItemKind::Promised => format!(
                "承诺件：法定办结时限 {} 个工作日，承诺办结时限 {} 个工作日，自受理之日起计算。",
                self.statutory_limit_days, self.promised_limit_days
            ),
        };
        if self.item_type == ItemType::AdministrativeLicence && self.kind == ItemKind::Promised {
            // 《行政许可法》第四十五条: these procedures stop the clock.
            s.push_str("听证、招标、拍卖、检验、检测、检疫、鉴定和专家评审所需时间不计入办理时限。");
        }
        s
    }

    fn fee_lines(&self) -> Vec<String> {
        self.fees
            .iter()
            .map(|f| {
                let amount = match (f.amount_yuan, &f.amount_text) {
                    (Some(a), Some(t)) => format!("{} 元（{t}）", yuan(a)),
                    (Some(a), None) => format!("{} 元", yuan(a)),
                    (None, Some(t)) => t.clone(),
                    (None, None) => String::new(),
                };
                format!("{}：{amount}；收费依据：{}", f.name, f.basis)
            })
            .collect()
    }

    fn online_text(&self) -> &'static str {
        match (self.secret, self.online, self.dedicated_network) {
            (true, _, _) => "不可网办（涉密事项，只在窗口办理）",
            (false, true, true) => "可网上申报，经部门业务专网办理",
            (false, true, false) => "可网上办理",
            (false, false, true) => "窗口受理，经部门业务专网办理",
            (false, false, false) => "窗口办理",
        }
    }

    /// 办事指南: the applicant guide, plain text.
    pub fn guide_text(&self) -> String {
        let mut o = String::new();
        let _ = writeln!(o, "{}", center(&format!("{}办事指南", self.name), 60));
        let _ = writeln!(o, "{}", center(&self.department, 60));
        o.push('\n');
        let mut n = 0;
        let mut sec = |o: &mut String, title: &str| {
            n += 1;
            let _ = write!(o, "{}、{title}：", zh_numeral(n));
        };

        sec(&mut o, "事项名称");
        let _ = writeln!(o, "{}", self.name);
        sec(&mut o, "事项编码");
        match &self.base_code {
            Some(b) => {
                let _ = writeln!(o, "{}（基本编码：{b}）", self.code);
            }
            None => {
                let _ = writeln!(o, "{}", self.code);
            }
        }
        sec(&mut o, "事项类型");
        let _ = writeln!(o, "{}（{}）", self.item_type.label_zh(), self.kind.label_zh());
        sec(&mut o, "实施机关");
        match &self.department_code {
            Some(c) => {
                let _ = writeln!(o, "{}（统一社会信用代码：{c}）", self.department);
            }
            None => {
                let _ = writeln!(o, "{}", self.department);
            }
        }
        sec(&mut o, "受理范围");
        let _ = writeln!(o, "{}", self.scope);
        sec(&mut o, "设定依据");
        numbered(&mut o, &self.legal_basis, "无");
        sec(&mut o, "受理条件");
        numbered(&mut o, &self.conditions, "无");
        sec(&mut o, "申请材料");
        if self.materials.is_empty() {
            o.push_str("无需提交材料\n");
        } else {
            o.push('\n');
            o.push_str(&self.materials_table());
            let notes: Vec<String> = self
                .materials
                .iter()
                .enumerate()
                .filter_map(|(i, m)| m.note.as_ref().map(|t| format!("第 {} 项：{t}", i + 1)))
                .collect();
            if !notes.is_empty() {
                o.push_str("    材料说明：\n");
                for t in notes {
                    let _ = writeln!(o, "      {t}");
                }
            }
            if self.materials.iter().any(|m| m.reusable) {
                o.push_str("    注：标“可复用”的材料，已在政务服务系统留存或有电子证照的，无需重复提交。\n");
            }
            if !self.sub_items.is_empty() {
                o.push_str("    按办理情形所需材料：\n");
                for s in &self.sub_items {
                    let _ = writeln!(o, "      {}（{}）：{}", s.name, s.code, self.material_numbers(s));
                }
            }
        }
        sec(&mut o, "办理流程");
        numbered(&mut o, &self.flow, "无");
        sec(&mut o, "办理时限");
        let _ = writeln!(o, "{}", self.limit_text());
        sec(&mut o, "收费标准");
        let fees = self.fee_lines();
        numbered(&mut o, &fees, "不收费");
        sec(&mut o, "办理结果");
        match &self.result {
            Some(r) => {
                let _ = writeln!(o, "{}（{}）", r.name, r.kind.label_zh());
            }
            None => o.push_str("无\n"),
        }
        sec(&mut o, "办理地点");
        let _ = writeln!(o, "{}", self.location);
        sec(&mut o, "办理时间");
        let _ = writeln!(o, "{}", self.hours);
        sec(&mut o, "到现场次数");
        let _ = writeln!(o, "{} 次", self.visits);
        sec(&mut o, "网上办理");
        let _ = writeln!(o, "{}", self.online_text());
        sec(&mut o, "咨询电话");
        let _ = writeln!(o, "{}", self.phone);
        o
    }

    fn material_numbers(&self, s: &SubItem) -> String {
        if s.materials.is_empty() {
            return "无需提交材料".into();
        }
        let nums: Vec<String> = s
            .materials
            .iter()
            .map(|id| self.material_number(id).map_or_else(|| id.clone(), |n| n.to_string()))
            .collect();
        format!("第 {} 项材料", nums.join("、"))
    }

    fn materials_table(&self) -> String {
        let head = ["序号", "材料名称", "原件", "复印件", "必需", "电子材料", "可复用", "来源"];
        let rows: Vec<[String; 8]> = self
            .materials
            .iter()
            .enumerate()
            .map(|(i, m)| {
                [
                    (i + 1).to_string(),
                    m.name.clone(),
                    format!("{} 份", m.originals),
                    format!("{} 份", m.copies),
                    yes_no(m.required).into(),
                    if m.electronic_ok { "可" } else { "不可" }.into(),
                    yes_no(m.reusable).into(),
                    m.source.label_zh().into(),
                ]
            })
            .collect();
        let mut widths = head.map(width);
        for r in &rows {
            for (w, c) in widths.iter_mut().zip(r) {
                *w = (*w).max(width(c));
            }
        }
        let mut o = String::new();
        let line = |o: &mut String, cells: &[&str]| {
            o.push_str("    ");
            for (k, (c, w)) in cells.iter().zip(widths).enumerate() {
                o.push_str(c);
                if k + 1 < cells.len() {
                    o.push_str(&" ".repeat(w - width(c) + 2));
                }
            }
            o.push('\n');
        };
        line(&mut o, &head);
        for r in &rows {
            let cells: Vec<&str> = r.iter().map(String::as_str).collect();
            line(&mut o, &cells);
        }
        o
    }

    /// 一次性告知书: everything the applicant must bring, said once.
    pub fn notice_text(&self) -> String {
        let mut o = String::new();
        let _ = writeln!(o, "{}", center("一次性告知书", 60));
        if self.item_type == ItemType::AdministrativeLicence {
            // 《行政许可法》第三十二条: what must be supplemented is told once, in full.
            let _ = writeln!(o, "{}", center("（依据《中华人民共和国行政许可法》第三十二条）", 60));
        }
        o.push('\n');
        o.push_str("____________________（申请人）：\n\n");
        let _ = writeln!(
            o,
            "    您申请办理的“{}”事项（事项编码：{}），由{}负责办理。现将办理该事项需要提交的全部材料和有关要求一次性告知如下：",
            self.name, self.code, self.department
        );
        o.push('\n');

        o.push_str("一、受理条件\n");
        list_lines(&mut o, &self.conditions, "无特别条件");
        o.push_str("二、申请材料\n");
        let required: Vec<(usize, &Material)> =
            self.materials.iter().enumerate().filter(|(_, m)| m.required).map(|(i, m)| (i + 1, m)).collect();
        let optional: Vec<(usize, &Material)> =
            self.materials.iter().enumerate().filter(|(_, m)| !m.required).map(|(i, m)| (i + 1, m)).collect();
        if self.materials.is_empty() {
            o.push_str("    无需提交材料。\n");
        }
        if !required.is_empty() {
            o.push_str("  （一）必须提交的材料\n");
            for (n, m) in &required {
                let _ = writeln!(o, "    {n}. {}", material_line(m));
            }
        }
        if !optional.is_empty() {
            let _ = writeln!(o, "  （{}）视情形提交的材料", if required.is_empty() { "一" } else { "二" });
            for (n, m) in &optional {
                let _ = writeln!(o, "    {n}. {}", material_line(m));
            }
        }
        if !self.sub_items.is_empty() {
            o.push_str("  按办理情形，需提交：\n");
            for s in &self.sub_items {
                let _ = writeln!(o, "    办理“{}”的：{}", s.name, self.material_numbers(s));
            }
        }
        o.push_str("三、办理时限\n");
        let _ = writeln!(o, "    {}", self.limit_text());
        o.push_str("四、收费\n");
        list_lines(&mut o, &self.fee_lines(), "不收费");
        o.push_str("五、办理地点和时间\n");
        let _ = writeln!(o, "    地点：{}", self.location);
        let _ = writeln!(o, "    时间：{}", self.hours);
        o.push_str("六、咨询电话\n");
        let _ = writeln!(o, "    {}", self.phone);
        o.push('\n');
        o.push_str(
            "    本告知书已将办理该事项所需的全部材料和要求一次性告知。申请人按本告知书备齐材料的，窗口不得要求申请人提交本告知书所列以外的材料。\n",
        );
        o.push('\n');
        let _ = writeln!(o, "{}{}（盖章）", " ".repeat(32), self.department);
        let _ = writeln!(o, "{}      年    月    日", " ".repeat(32));
        o.push('\n');
        o.push_str("申请人签收：____________    签收日期：______年____月____日\n");
        o
    }

    /// Lower-cased text to match a search box against: codes, name, department, type, scope,
    /// sub-items, materials, legal basis and result.
    pub fn search_text(&self) -> String {
        let mut parts: Vec<&str> =
            vec![&self.code, &self.name, &self.department, self.item_type.label_zh(), &self.scope];
        if let Some(b) = &self.base_code {
            parts.push(b);
        }
        parts.extend(self.sub_items.iter().flat_map(|s| [s.code.as_str(), s.name.as_str()]));
        parts.extend(self.materials.iter().map(|m| m.name.as_str()));
        parts.extend(self.legal_basis.iter().map(String::as_str));
        if let Some(r) = &self.result {
            parts.push(&r.name);
        }
        parts.join("\n").to_lowercase()
    }
}

fn material_line(m: &Material) -> String {
    let counts = match (m.originals, m.copies) {
        (0, 0) => "提交电子材料".to_string(),
        (o, 0) => format!("原件 {o} 份"),
        (0, c) => format!("复印件 {c} 份"),
        (o, c) => format!("原件 {o} 份，复印件 {c} 份"),
    };
    let mut s = format!("{}（{counts}", m.name);
    if m.electronic_ok {
        s.push_str("；可提交电子材料");
    }
    if m.reusable {
        s.push_str("；已留存或有电子证照的免于提交");
    }
    let _ = write!(s, "；{}）", m.source.label_zh());
    if let Some(n) = &m.note {
        let _ = write!(s, "。{n}");
    }
    s
}

fn yes_no(b: bool) -> &'static str {
    if b { "是" } else { "否" }
}

fn yuan(a: f64) -> String {
    let s = format!("{a:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Numbered lines under a heading that already ended its line (the notice).
fn list_lines(o: &mut String, list: &[String], empty: &str) {
    if list.is_empty() {
        let _ = writeln!(o, "    {empty}");
    }
    for (i, s) in list.iter().enumerate() {
        let _ = writeln!(o, "    {}. {s}", i + 1);
    }
}

/// Numbered list after an inline heading "六、设定依据：" (the guide); a single text if empty.
fn numbered(o: &mut String, list: &[String], empty: &str) {
    if list.is_empty() {
        let _ = writeln!(o, "{empty}");
        return;
    }
    o.push('\n');
    for (i, s) in list.iter().enumerate() {
        let _ = writeln!(o, "    {}. {s}", i + 1);
    }
}

/// Chinese numeral for 1–99, for section headings (一、二、…十一).
fn zh_numeral(n: usize) -> String {
    const D: [&str; 10] = ["", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        1..=9 => D[n].to_string(),
        10 => "十".into(),
        11..=19 => format!("十{}", D[n % 10]),
        20..=99 => format!("{}十{}", D[n / 10], D[n % 10]),
        _ => n.to_string(),
    }
}

/// Display width on a monospaced terminal or printout: CJK and full-width characters take two
/// columns, so table columns line up.
fn width(s: &str) -> usize {
    s.chars()
        .map(|c| match c as u32 {
            0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F => 2,
            0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD => 2,
            _ => 1,
        })
        .sum()
}

fn center(s: &str, cols: usize) -> String {
    let pad = cols.saturating_sub(width(s)) / 2;
    format!("{}{s}", " ".repeat(pad))
}

#[cfg(test)]
mod tests {
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
        i.fees =
            vec![Fee {
                name: "工本费".into(), amount_yuan: Some(12.5), amount_text: None, basis: "某价格文件".into()
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
        i.fees = vec![Fee { name: "登记费".into(), amount_yuan: None, amount_text: None, basis: "x".into() }];
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
