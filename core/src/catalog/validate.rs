//! What a catalog file must meet to be imported: codes, limits, legal basis, materials; every
//! fault with its field path and a Chinese message.

use std::collections::{HashMap, HashSet};

use super::*;

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
        let mut theme_codes: HashMap<&str, usize> = HashMap::new();
        for (t, theme) in self.themes.iter().enumerate() {
            let mut push = |field: &str, message: String| {
                out.push(CatalogError::ThemeInvalid {
                    theme: t,
                    code: theme.code.clone(),
                    field: field.into(),
                    message,
                });
            };
            if let Some(first) = theme_codes.get(theme.code.as_str()) {
                push("code", format!("主题编码与第 {} 个主题重复", first + 1));
            } else {
                theme_codes.insert(&theme.code, t);
            }
            if seen.contains_key(theme.code.as_str()) {
                push("code", "主题编码与事项编码相同（主题与事项须能区分）".into());
            }
            for (field, message) in self.theme_problems(theme) {
                push(&field, message);
            }
        }
        out
    }

    /// (field path relative to the theme, Chinese message) for every problem of one theme.
    fn theme_problems(&self, theme: &Theme) -> Vec<(String, String)> {
        let mut p: Vec<(String, String)> = Vec::new();
        let mut push = |f: &str, m: String| p.push((f.to_string(), m));
        let n = theme.code.chars().count();
        if n == 0 || n > MAX_CODE_LEN || !code_chars_ok(&theme.code) {
            push("code", format!("主题编码应为 1 至 {MAX_CODE_LEN} 位数字、字母及 - _ .，实为“{}”", theme.code));
        }
        if blank(&theme.name) {
            push("name", "主题名称不能为空".into());
        }
        if theme.description.as_deref().is_some_and(blank) {
            push("description", "说明为空时应省略该字段".into());
        }
        if theme.overall_limit_days == 0 {
            push("overall_limit_days", "总办理时限至少 1 个工作日".into());
        }
        if theme.branches.len() < 2 {
            push("branches", format!("主题至少包含 2 个事项，实为 {} 个", theme.branches.len()));
        }
        let mut pos: HashMap<&str, usize> = HashMap::new();
        let mut items: Vec<Option<&Item>> = Vec::with_capacity(theme.branches.len());
        for (j, b) in theme.branches.iter().enumerate() {
            let item = self.item(&b.item);
            if item.is_none() {
                push(&format!("branches[{j}].item"), format!("事项“{}”不在本目录中", b.item));
            }
            if pos.insert(b.item.as_str(), j).is_some() {
                push(&format!("branches[{j}].item"), format!("事项“{}”在本主题中重复", b.item));
            }
            items.push(item);
        }
        if !theme.branches.iter().any(|b| b.required) {
            push("branches", "至少一个事项为必办（required）".into());
        }
        if !blank(&theme.lead_department) && !items.iter().flatten().any(|i| i.department == theme.lead_department) {
            push("lead_department", format!("牵头部门“{}”不是本主题任何事项的实施机关", theme.lead_department));
        } else if blank(&theme.lead_department) {
            push("lead_department", "牵头部门不能为空".into());
        }
        let mut edges_ok = true;
        for (j, b) in theme.branches.iter().enumerate() {
            for (k, a) in b.after.iter().enumerate() {
                let f = format!("branches[{j}].after[{k}]");
                if a == &b.item {
                    push(&f, "事项不能以自身为前置".into());
                    edges_ok = false;
                } else if !pos.contains_key(a.as_str()) {
                    push(&f, format!("前置事项“{a}”不在本主题中"));
                    edges_ok = false;
                }
            }
        }
        if !edges_ok {
            return p;
        }
        // Longest chain of promised limits along the order constraints: a cycle can never start,
        // and a chain longer than the overall limit promises what cannot be kept.
        let n = theme.branches.len();
        let mut finish: Vec<Option<u32>> = vec![None; n];
        let mut progressed = true;
        while progressed {
            progressed = false;
            for (j, b) in theme.branches.iter().enumerate() {
                if finish[j].is_some() {
                    continue;
                }
                let preds: Option<Vec<u32>> = b.after.iter().map(|a| finish[pos[a.as_str()]]).collect();
                if let Some(preds) = preds {
                    let own = items[j].map_or(0, |i| i.promised_limit_days);
                    finish[j] = Some(preds.into_iter().max().unwrap_or(0) + own);
                    progressed = true;
                }
            }
        }
        if let Some(j) = finish.iter().position(Option::is_none) {
            push(&format!("branches[{j}].after"), "前置关系成环，相关事项永远无法开始".into());
            return p;
        }
        let longest = finish.iter().flatten().copied().max().unwrap_or(0);
        if longest > theme.overall_limit_days {
            push(
                "overall_limit_days",
                format!(
                    "总办理时限 {} 个工作日短于按前置顺序累计的承诺时限 {longest} 个工作日",
                    theme.overall_limit_days
                ),
            );
        }
        p
    }

    /// Looks a theme up by its code.
    pub fn theme(&self, code: &str) -> Option<&Theme> {
        self.themes.iter().find(|t| t.code == code)
    }

    /// Looks an item up by its 实施编码.
    pub fn item(&self, code: &str) -> Option<&Item> {
        self.items.iter().find(|i| i.code == code)
    }
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
                (Some(a), _) if !fee_amount_ok(a) => {
                    push(&f("amount_yuan"), format!("金额应为 0 至 1 亿元、至多两位小数的元数，实为 {a}"));
                }
                _ => {}
            }
            for (k, sf) in fee.by_situation.iter().enumerate() {
                let g = |s: &str| format!("fees[{j}].by_situation[{k}].{s}");
                if !self.sub_items.iter().any(|s| s.code == sf.sub_item) {
                    push(&g("sub_item"), format!("本事项没有编码为 {} 的子项（情形）", sf.sub_item));
                }
                if fee.by_situation[..k].iter().any(|o| o.sub_item == sf.sub_item) {
                    push(&g("sub_item"), format!("情形 {} 的金额重复列出", sf.sub_item));
                }
                let a = sf.amount_yuan;
                if !fee_amount_ok(a) {
                    push(&g("amount_yuan"), format!("金额应为 0 至 1 亿元、至多两位小数的元数，实为 {a}"));
                }
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
}

/// A fee in yuan: finite, 0 to 100 million (no statutory fee comes near; the bound keeps sums of
/// a case's fee lines in fen far from overflowing), at most two decimals.
fn fee_amount_ok(a: f64) -> bool {
    a.is_finite() && (0.0..=100_000_000.0).contains(&a) && ((a * 100.0).round() - a * 100.0).abs() <= 1e-6
}
