//! The texts printed for applicants: 办事指南 and 一次性告知书, laid out for a monospaced printout.

use std::fmt::Write as _;

use super::*;

impl Item {
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
pub(super) fn zh_numeral(n: usize) -> String {
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
pub(super) fn width(s: &str) -> usize {
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
