//! `yc supervision …`, `yc rating …`, `yc workorder …`, `yc complaint …`: the command line over
//! `yc_core::supervision` (monitors, 好差评 and its work orders, complaints). Every command acts
//! as the logged-in `--as` account; roles and department scope are checked in the core.

use std::collections::BTreeMap;

use anyhow::{Result, anyhow};
use clap::Subcommand;
use yc_core::supervision::complaint::Complaint;
use yc_core::supervision::evaluation::WorkOrder;
use yc_core::supervision::monitors::StoredHit;
use yc_core::supervision::{Channel, Level, NewComplaint, NewRating, Rule, WorkOrderStep};
use yc_core::{CoreError, Workstation};

use crate::auth::Auth;
use crate::output::Out;

#[derive(Subcommand)]
pub enum SupervisionCmd {
    /// 以今天为准运行全部监察规则（管理员）；打印本次运行的新命中
    Run,
    /// 已记录的命中，最新的在前
    Hits {
        /// 规则代码或名称，如 decision_overdue 或决定超期
        #[arg(long)]
        rule: Option<String>,
        /// 只列这个部门的命中
        #[arg(long)]
        department: Option<String>,
        /// 只列这个办件的命中
        #[arg(long = "case")]
        case_no: Option<String>,
        /// 最多列出多少条（默认 200）
        #[arg(long, default_value_t = 200)]
        limit: usize,
    },
}

#[derive(Subcommand)]
pub enum RatingCmd {
    /// 记录申请人对已办结办件的评价
    Add {
        /// 已办结的办件编号
        case_no: String,
        /// 评价等级：非常满意 | 满意 | 基本满意 | 不满意 | 非常不满意（或 very_satisfied …）
        #[arg(long)]
        level: String,
        /// 评价渠道：window | qr | sms | online
        #[arg(long, default_value = "window")]
        channel: String,
        /// 分项指标评价：NAME=LEVEL，LEVEL 为 1–5（5 = 非常满意）或评价等级名称；可重复
        #[arg(long = "indicator", value_name = "NAME=LEVEL")]
        indicators: Vec<String>,
        /// 评价意见（文字）
        #[arg(long)]
        comment: Option<String>,
        /// 匿名评价（默认实名：评价人为办件申请人，除非给出 --rater-name）
        #[arg(long)]
        anonymous: bool,
        /// 评价人姓名（实名评价时默认为办件申请人）
        #[arg(long)]
        rater_name: Option<String>,
        /// 评价人的联系电话
        #[arg(long)]
        rater_phone: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum WorkorderCmd {
    /// 差评工单及其预警灯（默认只列未办结的，--all 列出全部）
    List {
        /// 列出全部工单（含已办结的）
        #[arg(long)]
        all: bool,
    },
    /// 推进下一步：核实 | 整改 | 反馈 | 回访 | 复核 | 申诉（或 verify、rectify、feedback、callback、review、appeal）
    Advance {
        /// 工单编号
        id: String,
        /// 要推进的步骤：核实 | 整改 | 反馈 | 回访 | 复核 | 申诉（或 verify、rectify、feedback、callback、review、appeal）
        #[arg(long)]
        step: String,
        /// 办理情况（必填）
        #[arg(long)]
        note: String,
    },
}

#[derive(Subcommand)]
pub enum ComplaintCmd {
    /// 登记投诉（受理员或管理员）
    Add {
        /// 投诉人姓名
        #[arg(long)]
        complainant: String,
        /// 投诉人的联系电话
        #[arg(long)]
        phone: Option<String>,
        /// 被投诉的部门（给出 --case 时取该办件的部门）
        #[arg(long)]
        department: Option<String>,
        /// 被投诉的工作人员
        #[arg(long)]
        staff: Option<String>,
        /// 投诉涉及的办件编号
        #[arg(long = "case")]
        case_no: Option<String>,
        /// 投诉内容
        #[arg(long)]
        subject: String,
    },
    /// 分派给该部门的工作人员办理（管理员）
    Assign {
        /// 投诉编号
        id: String,
        /// 承办人的工作人员账号（须属于被投诉的部门）
        #[arg(long)]
        to: String,
    },
    /// 再关联一个办件
    Link {
        /// 投诉编号
        id: String,
        /// 要关联的办件编号
        #[arg(long = "case")]
        case_no: String,
    },
    /// 答复投诉（承办人或管理员）
    Answer {
        /// 投诉编号
        id: String,
        /// 答复内容（答复后投诉办结）
        #[arg(long)]
        text: String,
    },
    /// 投诉列表（默认只列未答复的，--all 列出全部）
    List {
        /// 列出全部投诉（含已答复的）
        #[arg(long)]
        all: bool,
    },
}

fn invalid(msg: String) -> anyhow::Error {
    anyhow!(CoreError::Invalid(msg))
}

pub fn supervision(ws: &Workstation, auth: &Auth, c: &SupervisionCmd, out: &Out) -> Result<()> {
    let by = auth.actor(ws)?;
    match c {
        SupervisionCmd::Run => {
            let r = ws.run_monitors(&by)?;
            out.value(&r, || {
                let mut s =
                    vec![format!("{} 电子监察：新命中 {} 条，此前已记录 {} 条", ws.today(), r.raised.len(), r.known)];
                s.extend(r.raised.iter().map(|h| {
                    format!(
                        "{}\t{}\t{}\t{}\t{}",
                        h.rule.zh(),
                        h.occurred_on,
                        h.case_no.as_deref().unwrap_or("—"),
                        h.department.as_deref().unwrap_or("—"),
                        h.staff.as_deref().unwrap_or("—")
                    )
                }));
                s.join("\n")
            });
        }
        SupervisionCmd::Hits { rule, department, case_no, limit } => {
            let rule = match rule {
                None => None,
                Some(r) => Some(Rule::parse(r).ok_or_else(|| {
                    let all: Vec<String> = Rule::ALL.iter().map(|r| format!("{}（{}）", r.code(), r.zh())).collect();
                    invalid(format!("未知监察规则「{r}」。可用：{}", all.join("、")))
                })?),
            };
            // The department filter is applied after the core's scope filter, so the limit
            // counts the rows shown.
            let all = ws.supervision_hits(&by, rule, case_no.as_deref(), usize::MAX)?;
            let hits: Vec<StoredHit> = all
                .into_iter()
                .filter(|h| department.as_deref().is_none_or(|d| h.hit.department.as_deref() == Some(d)))
                .take(*limit)
                .collect();
            out.value(&hits, || {
                let mut s = vec![format!("监察命中 {} 条", hits.len())];
                s.extend(hits.iter().map(|h| {
                    format!(
                        "{}\t{}\t{}\t{}\t{}\t{}",
                        h.hit.rule.zh(),
                        h.hit.occurred_on,
                        h.hit.case_no.as_deref().unwrap_or("—"),
                        h.hit.department.as_deref().unwrap_or("—"),
                        h.hit.staff.as_deref().unwrap_or("—"),
                        h.hit.evidence
                    )
                }));
                s.join("\n")
            });
        }
    }
    Ok(())
}

fn parse_level(s: &str) -> Result<Level> {
    let by_digit = match s.trim() {
        "5" => Some(Level::VerySatisfied),
        "4" => Some(Level::Satisfied),
        "3" => Some(Level::FairlySatisfied),
        "2" => Some(Level::Dissatisfied),
        "1" => Some(Level::VeryDissatisfied),
        _ => None,
    };
    by_digit.or_else(|| Level::parse(s.trim())).ok_or_else(|| {
        invalid(format!("未知评价等级「{s}」：可用 非常满意、满意、基本满意、不满意、非常不满意（或 5–1）"))
    })
}

fn parse_channel(s: &str) -> Result<Channel> {
    let c = match s {
        "window" | "窗口" => Some(Channel::WindowDevice),
        "qr" | "二维码" => Some(Channel::ReceiptQr),
        other => Channel::parse(other),
    };
    c.ok_or_else(|| invalid(format!("未知评价渠道「{s}」：可用 window、qr、sms、online")))
}

pub fn rating(ws: &Workstation, auth: &Auth, c: &RatingCmd, out: &Out) -> Result<()> {
    let RatingCmd::Add { case_no, level, channel, indicators, comment, anonymous, rater_name, rater_phone } = c;
    let mut ind = BTreeMap::new();
    for i in indicators {
        let (name, lv) = i
            .split_once('=')
            .ok_or_else(|| invalid(format!("评价指标应写作 名称=等级（如 效率=5），而不是「{i}」")))?;
        if name.trim().is_empty() {
            return Err(invalid(format!("评价指标「{i}」缺少名称")));
        }
        ind.insert(name.trim().to_owned(), parse_level(lv)?);
    }
    let by = auth.actor(ws)?;
    // Real-name by default: the rater is the applicant unless another name is given.
    let rater_name = match (anonymous, rater_name) {
        (true, _) => None,
        (false, Some(n)) => Some(n.clone()),
        (false, None) => Some(ws.case_summary(case_no)?.applicant_name),
    };
    let r = NewRating {
        case_no: case_no.clone(),
        channel: parse_channel(channel)?,
        level: parse_level(level)?,
        indicators: ind,
        comment: comment.clone(),
        real_name: !anonymous,
        rater_name,
        rater_phone: rater_phone.clone(),
    };
    let rec = ws.record_rating(&by, &r)?;
    out.value(&rec, || match &rec.work_order {
        Some(wo) => format!("已记录评价 {}（{}，差评），已开整改工单 {wo}", rec.rating_id, r.level.zh()),
        None => format!("已记录评价 {}（{}）", rec.rating_id, r.level.zh()),
    });
    Ok(())
}

fn light_zh(o: &WorkOrder) -> &'static str {
    use yc_core::deadline::Light;
    match o.light {
        Some(Light::Green) => "绿",
        Some(Light::Yellow) => "黄",
        Some(Light::Red) => "红",
        None if o.closed_on.is_some() => "结",
        None => "？",
    }
}

fn order_line(o: &WorkOrder) -> String {
    format!(
        "{}\t{}\t{}\t{}\t{}\t期限 {}\t{}{}",
        o.order_id,
        o.case_no,
        o.department,
        if o.real_name { "实名" } else { "匿名" },
        o.state.zh(),
        o.due_on.map_or("未知".into(), |d| d.to_string()),
        light_zh(o),
        o.days_left.map_or(String::new(), |d| if d < 0 { format!(" 超期{}日", -d) } else { format!(" 剩{d}日") })
    )
}

pub fn workorder(ws: &Workstation, auth: &Auth, c: &WorkorderCmd, out: &Out) -> Result<()> {
    let by = auth.actor(ws)?;
    match c {
        WorkorderCmd::List { all } => {
            let list = ws.work_orders(&by, *all)?;
            out.value(&list, || {
                let mut s = vec![format!("差评工单 {} 件", list.len())];
                s.extend(list.iter().map(order_line));
                s.join("\n")
            });
        }
        WorkorderCmd::Advance { id, step, note } => {
            let st = WorkOrderStep::parse(step).ok_or_else(|| {
                let all: Vec<String> =
                    WorkOrderStep::ALL.iter().map(|w| format!("{}（{}）", w.code(), w.zh())).collect();
                invalid(format!("未知工单步骤「{step}」。可用：{}", all.join("、")))
            })?;
            let o = ws.step_work_order(&by, id, st, note)?;
            out.value(&o, || format!("工单已{}：{}", st.zh(), order_line(&o)));
        }
    }
    Ok(())
}

fn complaint_line(c: &Complaint) -> String {
    format!(
        "{}\t{}\t{}\t{}\t{}\t登记 {}\t期限 {}\t{}",
        c.complaint_id,
        c.complainant,
        c.department,
        c.staff.as_deref().unwrap_or("—"),
        c.subject,
        c.registered_on,
        c.due_on.map_or("未知".into(), |d| d.to_string()),
        match (&c.answered_on, &c.assignee) {
            (Some(d), _) => format!("已答复 {d}"),
            (None, Some(a)) => format!("待答复（{a}）"),
            (None, None) => "待分派".into(),
        }
    )
}

pub fn complaint(ws: &Workstation, auth: &Auth, c: &ComplaintCmd, out: &Out) -> Result<()> {
    let by = auth.actor(ws)?;
    let one = |x: Complaint, what: &str| out.value(&x, || format!("投诉{what}：{}", complaint_line(&x)));
    match c {
        ComplaintCmd::Add { complainant, phone, department, staff, case_no, subject } => {
            let n = NewComplaint {
                complainant: complainant.clone(),
                phone: phone.clone(),
                department: department.clone(),
                staff: staff.clone(),
                case_no: case_no.clone(),
                subject: subject.clone(),
            };
            one(ws.register_complaint(&by, &n)?, "已登记");
        }
        ComplaintCmd::Assign { id, to } => one(ws.assign_complaint(&by, id, to)?, "已分派"),
        ComplaintCmd::Link { id, case_no } => one(ws.link_complaint(&by, id, case_no)?, "已关联办件"),
        ComplaintCmd::Answer { id, text } => one(ws.answer_complaint(&by, id, text)?, "已答复"),
        ComplaintCmd::List { all } => {
            let list = ws.complaints(&by, *all)?;
            out.value(&list, || {
                let mut s = vec![format!("投诉 {} 件", list.len())];
                s.extend(list.iter().map(complaint_line));
                s.join("\n")
            });
        }
    }
    Ok(())
}
