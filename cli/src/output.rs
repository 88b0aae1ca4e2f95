//! Human (Chinese) and `--json` renderings of the CLI's results.

use chrono::NaiveDate;
use serde::Serialize;
use yc_core::deadline::{Light, Phase};
use yc_core::ids::IdReport;
use yc_core::journal::{Event, VerifyReport};
use yc_core::query::{CaseDetail, CaseSummary};
use yc_core::staff::Actor;
use yc_core::workstation::Status;
use yc_core::{CoreError, Workstation};

pub struct Out {
    pub json: bool,
}

pub fn parse_light(s: &str) -> Option<Light> {
    match s {
        "green" | "绿" => Some(Light::Green),
        "yellow" | "黄" => Some(Light::Yellow),
        "red" | "红" => Some(Light::Red),
        _ => None,
    }
}

fn light_zh(s: &CaseSummary) -> String {
    let l = match s.light {
        Some(Light::Green) => "绿",
        Some(Light::Yellow) => "黄",
        Some(Light::Red) => "红",
        None if s.closed_on.is_some() => "结",
        None if s.deadline_note.is_some() => "？",
        None => "－",
    };
    if s.paused { format!("{l}⏸") } else { l.to_owned() }
}

/// Days left on the deadline that runs. A case decided late shows how late it was at the
/// decision (fixed), not a count that keeps growing while it waits for delivery.
fn days_zh(s: &CaseSummary) -> String {
    let left = |d: i64| if d < 0 { format!("超期{}日", -d) } else { format!("剩{d}日") };
    match (s.phase, s.decision_late_days, s.days_left) {
        (Some(Phase::Delivery), Some(n), d) if n > 0 => match d {
            Some(d) if d < 0 => format!("决定超期{n}日·送达超期{}日", -d),
            _ => format!("决定超期{n}日"),
        },
        (Some(Phase::Delivery), _, Some(d)) => format!("送达{}", left(d)),
        (_, _, d) => d.map_or_else(String::new, left),
    }
}

/// Writes one line to stdout. A closed pipe (`yc … | head -1`) ends the program quietly with
/// status 0, as `cat` would: the reader has what it wanted. Any other write error is reported.
pub fn say(text: impl std::fmt::Display) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if let Err(e) = writeln!(out, "{text}").and_then(|()| out.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        let _ = writeln!(std::io::stderr(), "输出失败：{e}");
        std::process::exit(1);
    }
}

fn print_json<T: Serialize + ?Sized>(v: &T) {
    match serde_json::to_string_pretty(v) {
        Ok(s) => say(s),
        Err(e) => eprintln!("JSON 输出失败：{e}"),
    }
}

impl Out {
    pub fn value<T: Serialize + ?Sized>(&self, v: &T, text: impl FnOnce() -> String) {
        if self.json {
            print_json(v);
        } else {
            say(text());
        }
    }

    pub fn error(&self, e: &anyhow::Error) {
        let kind = e.downcast_ref::<CoreError>().map_or("Error", CoreError::code);
        if self.json {
            let v = serde_json::json!({ "error": { "kind": kind, "message": format!("{e:#}") } });
            eprintln!("{v}");
        } else {
            eprintln!("错误：{e:#}");
        }
    }

    pub fn status(&self, s: &Status) {
        self.value(s, || {
            format!(
                "工作站：{}（{}-{}）\n数据文件：{}（{}）\n数据库结构版本：{}\n日志事件：{} 条\n办件：{} 件（在办 {}）\n事项目录版本：{}\n工作日历：{}\n今天：{}",
                s.identity.name,
                s.identity.region,
                s.identity.code,
                s.path,
                if s.encrypted { "已加密" } else { "未加密" },
                s.schema_version,
                s.journal_events,
                s.cases,
                s.open_cases,
                s.catalog_version.map_or_else(|| "未导入".into(), |v| format!("第 {v} 版")),
                s.calendar_years.iter().map(ToString::to_string).collect::<Vec<_>>().join("、"),
                s.today
            )
        });
    }

    pub fn staff(&self, staff: &[Actor]) {
        self.value(staff, || {
            staff
                .iter()
                .map(|a| {
                    let roles: Vec<&str> = a.roles.iter().map(|r| r.zh()).collect();
                    format!("{:<12} {:<6} {:<20} {}", a.id, a.name, roles.join("、"), a.departments.join("、"))
                })
                .collect::<Vec<_>>()
                .join("\n")
        });
    }

    pub fn items(&self, items: &[yc_core::catalog::Item]) {
        self.value(items, || {
            items
                .iter()
                .map(|i| {
                    let limit = if i.promised_limit_days == 0 {
                        "即办".to_owned()
                    } else {
                        format!("承诺{}日/法定{}日", i.promised_limit_days, i.statutory_limit_days)
                    };
                    format!("{:<24} {:<8} {:<16} {}  {}", i.code, i.item_type.label_zh(), limit, i.name, i.department)
                })
                .collect::<Vec<_>>()
                .join("\n")
        });
    }

    pub fn cases(&self, cases: &[CaseSummary], today: NaiveDate) {
        self.value(cases, || {
            if cases.is_empty() {
                return "（没有符合条件的办件）".into();
            }
            let mut lines = vec![format!(
                "今天 {today}；灯：绿/黄/红，⏸ 暂停计时，？ 日历缺年度数据，结 已办结；决定后的期限为送达期限"
            )];
            for c in cases {
                let left = days_zh(c);
                // Once decided the delivery deadline runs (§44): that is the date to act by.
                let due = if c.phase == Some(Phase::Delivery) { &c.delivery_due } else { &c.due_date };
                lines.push(format!(
                    "{} {:<3} {:<8} {:<10} {:<8} {:<8} {}  {}",
                    c.case_no,
                    light_zh(c),
                    c.state_zh,
                    due.as_deref().unwrap_or("—"),
                    left,
                    c.applicant_name,
                    c.item_name,
                    c.department
                ));
            }
            lines.join("\n")
        });
    }

    pub fn detail(&self, d: &CaseDetail) {
        self.value(d, || {
            let s = &d.summary;
            let mut t = vec![
                format!("办件编号：{}", s.case_no),
                format!("事项：{}（{}，目录第 {} 版）", s.item_name, s.item_code, d.catalog_version),
                format!("实施机关：{}", s.department),
                format!("申请人：{}（{}）", s.applicant_name, s.applicant_id),
                format!("状态：{}  灯：{}", s.state_zh, light_zh(s)),
                format!(
                    "时限：承诺 {} 个工作日（法定 {}），延长 {}，暂停 {} 个工作日，补正 {} 次",
                    d.limit_days, d.statutory_days, d.extension_days, d.stopped_days, d.supplement_count
                ),
                format!(
                    "收件：{}  受理：{}  期限：{}  办结：{}",
                    s.filed_on,
                    s.accepted_on.as_deref().unwrap_or("—"),
                    s.due_date.as_deref().unwrap_or("—"),
                    s.closed_on.as_deref().unwrap_or("—")
                ),
            ];
            if let (Some(on), Some(due)) = (&s.decided_on, &s.decision_due) {
                let late = match s.decision_late_days {
                    Some(0) => "按时".to_owned(),
                    Some(n) => format!("决定超期 {n} 个工作日"),
                    None => "？".to_owned(),
                };
                t.push(format!(
                    "决定：{on}（决定期限 {due}，{late}）  送达期限：{}（《行政许可法》第四十四条）",
                    s.delivery_due.as_deref().unwrap_or("—")
                ));
            }
            if let Some(n) = &s.deadline_note {
                t.push(format!("期限说明：{n}"));
            }
            if let Some(s) = &d.sub_item {
                t.push(format!("办理情形：{s}"));
            }
            t.push("材料：".into());
            for m in &d.materials {
                let mark = if m.provided {
                    "✓"
                } else if m.required {
                    "✗"
                } else {
                    "○"
                };
                let reuse = m.reused_from.as_ref().map_or_else(String::new, |c| format!("（复用 {c}）"));
                t.push(format!("  {mark} {}{reuse}", m.name));
            }
            if !d.attachments.is_empty() {
                t.push("附件：".into());
                for a in &d.attachments {
                    let material = a.material.as_deref().unwrap_or("—");
                    t.push(format!(
                        "  {}（{}，{} 字节，材料 {material}）sha256:{}",
                        a.name,
                        a.mime,
                        a.size,
                        &a.sha256[..16]
                    ));
                }
            }
            t.push("办理过程：".into());
            for e in &d.events {
                let label = yc_core::case::Action::parse(&e.action).map_or(e.action.as_str(), |a| a.zh());
                let reason = e.reason.as_ref().map_or_else(String::new, |r| format!("  理由：{r}"));
                let basis = e
                    .payload
                    .get("legal_basis")
                    .and_then(|b| b.as_str())
                    .map_or_else(String::new, |b| format!("  依据：{b}"));
                t.push(format!(
                    "  #{:<6} {}  {:<8} {}（{}）{reason}{basis}",
                    e.seq,
                    &e.at[..16.min(e.at.len())],
                    label,
                    e.actor,
                    e.role
                ));
            }
            if !d.available.is_empty() {
                let a: Vec<String> = d.available.iter().map(|a| format!("{}（{}）", a.zh, a.code)).collect();
                t.push(format!("可执行：{}", a.join("、")));
            }
            t.join("\n")
        });
    }

    pub fn events(&self, events: &[Event]) {
        self.value(events, || {
            events
                .iter()
                .map(|e| {
                    format!(
                        "#{} {} {} {} {} {}",
                        e.seq,
                        e.at,
                        e.action,
                        e.actor,
                        e.role,
                        yc_core::journal::hex(&e.hash[..8])
                    )
                })
                .collect::<Vec<_>>()
                .join("\n")
        });
    }

    pub fn verify(&self, r: &VerifyReport) {
        if self.json {
            print_json(r);
        } else if let Some(b) = &r.first_bad {
            eprintln!("日志校验失败：第 {} 条事件（{}）{}", b.seq, b.id, b.problem);
            if let Some(a) = r.anchor_bad.as_ref().filter(|a| a.seq != b.seq || a.problem != b.problem) {
                eprintln!("对端签收回执不符：{}", a.problem);
            }
        } else {
            say(format_args!("日志完整：{} 条事件，链头 {}", r.events, r.head));
            let rule = if r.signing_required {
                "本工作站要求逐条签名"
            } else {
                "演示/训练工作站，未签名的可见"
            };
            say(format_args!("签名：{} 条由本人或工作站密钥签名有效，{} 条未签名（{rule}）", r.signed, r.unsigned));
            if r.vouched > 0 {
                say(format_args!(
                    "其中第 {} 号及以前的 {} 条由对端核验签名后签收（回执可信，本次未逐条重验；加 --full 逐条重验）",
                    r.checkpoint_seq, r.vouched
                ));
            }
            if r.receipts > 0 {
                say(format_args!(
                    "锚定：{} 份对端签收回执与本地日志一致，{} 已签收至第 {} 号",
                    r.receipts,
                    r.anchored_by.join("、"),
                    r.anchored_seq
                ));
            } else {
                say(format_args!("锚定：尚无对端签收的日志头（同步到支持锚定的平台后才有）"));
            }
        }
    }

    pub fn id(&self, r: &IdReport) {
        self.value(r, || {
            let kind = match r.kind {
                Some(yc_core::ids::IdKind::ResidentId) => "居民身份证号码",
                Some(yc_core::ids::IdKind::LegacyResidentId) => "15 位旧身份证号码",
                Some(yc_core::ids::IdKind::CreditCode) => "统一社会信用代码",
                Some(yc_core::ids::IdKind::LicenceId) => "电子证照标识",
                None => "无法识别",
            };
            let verdict = if r.valid {
                "valid 有效".to_owned()
            } else {
                format!("invalid 无效：{}", r.error.as_deref().unwrap_or(""))
            };
            let ov = if r.overridable { "（可由窗口登记理由后放行）" } else { "" };
            format!("{kind} {} {verdict}{ov}", r.normalized)
        });
    }

    pub fn demo(&self, ws: &Workstation) -> anyhow::Result<()> {
        let s = ws.status()?;
        let lights = ws.light_counts()?;
        if self.json {
            print_json(&serde_json::json!({ "status": s, "lights": lights, "password": yc_core::demo::DEMO_PASSWORD }));
            return Ok(());
        }
        self.status(&s);
        say(format_args!(
            "在办件灯：绿 {}，黄 {}，红 {}（暂停 {}），期限未知 {}",
            lights.green, lights.yellow, lights.red, lights.paused, lights.unknown
        ));
        say(format_args!(
            "演示账号（密码均为 {}）：admin 管理员，zhangwei 受理员，liuyang 乡镇受理员，lina 审查员，wangqiang 决定人，zhaomin 印章管理员，chenjing 民政局审查/决定",
            yc_core::demo::DEMO_PASSWORD
        ));
        Ok(())
    }
}
