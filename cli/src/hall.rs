//! `yc appointment …` (预约: slots, booking, cancel, no-show, check-in, list) and `yc queue …`
//! (排队叫号: take a ticket, call next, recall, skip, transfer, the status and the hall board).
//! Roles, department scope, the calendar and capacities are checked in the core
//! (`yc_core::appointment`, `yc_core::queue`).

use anyhow::{Result, anyhow};
use chrono::NaiveDate;
use clap::Subcommand;
use yc_core::appointment::command::{Booking, Slot};
use yc_core::appointment::{NewBooking, Schedule, SlotTime, Status, Target, TargetKind};
use yc_core::queue::Service;
use yc_core::queue::command::{QueueStatus, ServiceWaiting, Ticket};
use yc_core::{CoreError, Workstation};

use crate::auth::Auth;
use crate::output::Out;

#[derive(Subcommand)]
pub enum AppointmentCmd {
    /// 设置事项或窗口每个工作日的预约时段（管理员）
    Schedule {
        /// 事项编码（加 --window 时为窗口名称）
        target: String,
        /// 按窗口设置（可办 --department 部门的任何事项）
        #[arg(long)]
        window: bool,
        /// 窗口所办理的部门
        #[arg(long)]
        department: Option<String>,
        /// 时段，逗号分隔：09:00-10:00,10:00-11:00
        #[arg(long)]
        times: String,
        /// 每个时段可预约的人数
        #[arg(long)]
        capacity: u32,
    },
    /// 事项（或 --window 窗口）自 --from 起各工作日的空余时段（默认从今天起）
    Slots {
        /// 事项编码（加 --window 时为窗口名称）
        target: String,
        /// 查看窗口的时段（TARGET 为窗口名称）
        #[arg(long)]
        window: bool,
        /// 从这一天起（默认今天）
        #[arg(long)]
        from: Option<NaiveDate>,
        /// 往后查看多少天（含非工作日；默认 7）
        #[arg(long, default_value_t = 7)]
        days: u32,
    },
    /// 窗口预约：为申请人预约一个时段
    Book {
        /// 事项编码
        item: String,
        /// 预约日期（YYYY-MM-DD）
        #[arg(long)]
        date: NaiveDate,
        /// 时段开始时间，HH:MM
        #[arg(long)]
        start: String,
        /// 申请人的身份证号码或统一社会信用代码
        #[arg(long)]
        applicant_id: String,
        /// 申请人姓名或单位名称
        #[arg(long)]
        name: String,
        /// 按这个窗口的时段预约（而不是事项的时段）
        #[arg(long)]
        window: Option<String>,
    },
    /// 取消预约，须写原因
    Cancel {
        /// 预约编号
        booking_id: String,
        /// 取消的原因
        #[arg(long)]
        reason: String,
    },
    /// 申请人未到：登记爽约
    NoShow {
        /// 预约编号
        booking_id: String,
    },
    /// 申请人到场：建立办件（材料尚未收取）并取优先号
    Checkin {
        /// 预约编号
        booking_id: String,
        /// 取号的业务类型：general | business | pickup | enquiry（或中文名称）
        #[arg(long, default_value = "general")]
        service: String,
    },
    /// 本人所在部门的预约（默认当天的）
    List {
        /// 只列这一天的预约（默认今天）
        #[arg(long)]
        date: Option<NaiveDate>,
        /// 全部日期
        #[arg(long, conflicts_with = "date")]
        all: bool,
        /// 预约状态：booked | checked_in | cancelled | no_show
        #[arg(long)]
        status: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum QueueCmd {
    /// 取号并打印号票
    Take {
        /// 业务类型：general | business | pickup | enquiry（或中文名称）
        #[arg(default_value = "general")]
        service: String,
    },
    /// 叫下一号到本窗口（本窗口上一个叫到的号记为已办理）
    Next {
        /// 本窗口的名称
        #[arg(long)]
        window: String,
        /// 只叫这些业务类型，逗号分隔（默认全部）
        #[arg(long)]
        services: Option<String>,
    },
    /// 重呼：本窗口当前的号，或某个已过号的号
    Recall {
        /// 本窗口的名称
        #[arg(long)]
        window: String,
        /// 已过号、持号人又回来了的号码（如 A003）
        number: Option<String>,
    },
    /// 过号：本窗口当前的号作过号处理
    Skip {
        /// 本窗口的名称
        #[arg(long)]
        window: String,
    },
    /// 把本窗口当前的号转到其他业务类型或窗口
    Transfer {
        /// 本窗口的名称
        #[arg(long)]
        window: String,
        /// 转去等候的业务类型（默认不变）
        #[arg(long)]
        service: Option<String>,
        /// 接着叫这个号的窗口
        #[arg(long)]
        to_window: Option<String>,
    },
    /// 今天的排队情况：各业务类型的等候人数和等候时间、各窗口、等候中的号
    Status,
    /// 大厅显示屏显示的内容（只有号码和窗口）
    Board,
}

pub fn service(s: &str) -> Result<Service> {
    Service::parse(s).ok_or_else(|| {
        let all: Vec<String> = Service::ALL.iter().map(|m| format!("{}（{}）", m.code(), m.zh())).collect();
        anyhow!(CoreError::Invalid(format!("未知的业务类型「{s}」。可用：{}", all.join("、"))))
    })
}

fn target(name: &str, window: bool) -> Target {
    Target { kind: if window { TargetKind::Window } else { TargetKind::Item }, name: name.trim().to_owned() }
}

/// An ID number as a list shows it: the first 6 and last 4 characters.
fn mask(id: &str) -> String {
    let c: Vec<char> = id.chars().collect();
    if c.len() <= 10 {
        return id.to_owned();
    }
    format!("{}****{}", c[..6].iter().collect::<String>(), c[c.len() - 4..].iter().collect::<String>())
}

fn booking_line(b: &Booking) -> String {
    let mut s = format!(
        "{}  {} {}-{}  {}  {}（{}）  {}  {}",
        b.booking_id,
        b.date,
        b.start,
        b.end,
        b.item_code,
        b.applicant_name,
        mask(&b.applicant_id),
        b.channel.zh(),
        b.status.zh()
    );
    if let Some(c) = &b.case_no {
        s.push_str(&format!("  办件 {c}"));
    }
    if let Some(r) = &b.reason {
        s.push_str(&format!("  原因：{r}"));
    }
    s
}

fn slot_line(s: &Slot) -> String {
    let state = if s.available == 0 { "已约满".to_owned() } else { format!("余 {}", s.available) };
    format!("{}  {}-{}  已约 {}/{}  {state}", s.date, s.start, s.end, s.booked, s.capacity)
}

pub fn appointment(ws: &Workstation, auth: &Auth, c: &AppointmentCmd, out: &Out) -> Result<()> {
    match c {
        AppointmentCmd::Schedule { target: t, window, department, times, capacity } => {
            let by = auth.actor(ws)?;
            let times = times.split([',', '，']).filter(|s| !s.trim().is_empty()).map(SlotTime::parse);
            let s = Schedule {
                target: target(t, *window),
                department: department.clone().unwrap_or_default(),
                times: times.collect::<yc_core::Result<Vec<_>>>()?,
                capacity: *capacity,
            };
            let s = ws.set_appointment_schedule(&by, &s)?;
            out.value(&s, || {
                let t: Vec<String> = s.times.iter().map(|t| format!("{}-{}", t.start, t.end)).collect();
                format!(
                    "已设置{}「{}」（{}）的预约时段：{}，每时段 {} 人（仅工作日）",
                    s.target.kind.zh(),
                    s.target.name,
                    s.department,
                    t.join("、"),
                    s.capacity
                )
            });
        }
        AppointmentCmd::Slots { target: t, window, from, days } => {
            let slots = ws.appointment_slots(&target(t, *window), from.unwrap_or_else(|| ws.today()), *days)?;
            out.value(&slots, || {
                if slots.is_empty() {
                    "（这些天没有工作日时段）".into()
                } else {
                    slots.iter().map(slot_line).collect::<Vec<_>>().join("\n")
                }
            });
        }
        AppointmentCmd::Book { item, date, start, applicant_id, name, window } => {
            let by = auth.actor(ws)?;
            let req = NewBooking {
                item_code: item.clone(),
                window: window.clone(),
                date: *date,
                start: start.clone(),
                applicant_id: applicant_id.clone(),
                applicant_name: name.clone(),
                external_ref: None,
            };
            let b = ws.book_appointment(&by, &req)?;
            out.value(&b, || format!("已预约：{}", booking_line(&b)));
        }
        AppointmentCmd::Cancel { booking_id, reason } => {
            let b = ws.cancel_appointment(&auth.actor(ws)?, booking_id, reason)?;
            out.value(&b, || format!("已取消：{}", booking_line(&b)));
        }
        AppointmentCmd::NoShow { booking_id } => {
            let b = ws.record_no_show(&auth.actor(ws)?, booking_id)?;
            out.value(&b, || format!("已登记爽约：{}", booking_line(&b)));
        }
        AppointmentCmd::Checkin { booking_id, service: s } => {
            let c = ws.check_in_appointment(&auth.actor(ws)?, booking_id, service(s)?)?;
            out.value(&c, || {
                format!(
                    "已到场：{}\n已建办件 {}（已预约，材料尚未收取：请逐项核对后「登记到场」）\n\n{}",
                    booking_line(&c.booking),
                    c.case_no,
                    c.ticket_text
                )
            });
        }
        AppointmentCmd::List { date, all, status } => {
            let by = auth.actor(ws)?;
            let status = status
                .as_deref()
                .map(|s| Status::parse(s).ok_or_else(|| anyhow!(CoreError::Invalid(format!("未知的预约状态「{s}」")))))
                .transpose()?;
            let date = if *all { None } else { Some(date.unwrap_or_else(|| ws.today())) };
            let list = ws.appointments(&by, date, status)?;
            out.value(&list, || {
                if list.is_empty() {
                    "（无）".into()
                } else {
                    list.iter().map(booking_line).collect::<Vec<_>>().join("\n")
                }
            });
        }
    }
    Ok(())
}

fn ticket_line(t: &Ticket) -> String {
    let mut s = format!("{}  {}  {}", t.number, t.service.zh(), t.status.zh());
    if let Some(w) = &t.window {
        s.push_str(&format!("  {w}"));
    }
    if t.priority {
        s.push_str("  优先");
    }
    if let Some(w) = &t.target_window {
        s.push_str(&format!("  转至{w}"));
    }
    if let Some(m) = t.waited_minutes {
        s.push_str(&format!("  等候 {m} 分钟"));
    }
    s
}

fn waiting_line(w: &ServiceWaiting) -> String {
    let name = w.service.map_or("", Service::zh);
    let avg = w.avg_wait_minutes.map_or_else(|| "—".into(), |m| format!("{m:.1} 分钟"));
    let max = w.max_wait_minutes.map_or_else(|| "—".into(), |m| format!("{m} 分钟"));
    format!("{name}：等候 {} 人，已叫 {}/{}，平均等候 {avg}，最长 {max}", w.waiting, w.called, w.taken)
}

fn status_text(s: &QueueStatus) -> String {
    let mut out = format!("{} 排队情况\n", s.day);
    for w in &s.services {
        out.push_str(&format!("  {}\n", waiting_line(w)));
    }
    if !s.called.is_empty() {
        out.push_str("正在办理：\n");
        for t in &s.called {
            out.push_str(&format!("  {}\n", ticket_line(t)));
        }
    }
    if !s.waiting.is_empty() {
        out.push_str("等候中（按叫号顺序）：\n");
        for t in &s.waiting {
            out.push_str(&format!("  {}\n", ticket_line(t)));
        }
    }
    if !s.skipped.is_empty() {
        out.push_str("已过号：\n");
        for t in &s.skipped {
            out.push_str(&format!("  {}\n", ticket_line(t)));
        }
    }
    out.trim_end().to_owned()
}

pub fn queue(ws: &Workstation, auth: &Auth, c: &QueueCmd, out: &Out) -> Result<()> {
    let called = |t: &Ticket| format!("请 {} 号到 {} 办理", t.number, t.window.as_deref().unwrap_or(""));
    match c {
        QueueCmd::Take { service: s } => {
            let t = ws.take_ticket(&auth.actor(ws)?, service(s)?)?;
            let p = ws.ticket_print(&t.ticket_id)?;
            out.value(&p, || p.text.trim_end().to_owned());
        }
        QueueCmd::Next { window, services } => {
            let list = services
                .as_deref()
                .map(|s| s.split([',', '，']).filter(|x| !x.trim().is_empty()).map(service).collect::<Result<Vec<_>>>())
                .transpose()?
                .unwrap_or_default();
            let t = ws.call_next(&auth.actor(ws)?, window, &list)?;
            out.value(&t, || t.as_ref().map_or_else(|| "当前无人等候".into(), called));
        }
        QueueCmd::Recall { window, number } => {
            let t = ws.recall_ticket(&auth.actor(ws)?, window, number.as_deref())?;
            out.value(&t, || format!("重呼：{}", called(&t)));
        }
        QueueCmd::Skip { window } => {
            let t = ws.skip_ticket(&auth.actor(ws)?, window)?;
            out.value(&t, || format!("{} 已过号（今天可重呼）", t.number));
        }
        QueueCmd::Transfer { window, service: s, to_window } => {
            let by = auth.actor(ws)?;
            let svc = match s {
                Some(s) => service(s)?,
                None => ws
                    .queue_status()?
                    .called
                    .iter()
                    .find(|t| t.window.as_deref() == Some(window.trim()))
                    .map_or(Service::General, |t| t.service),
            };
            let t = ws.transfer_ticket(&by, window, svc, to_window.as_deref())?;
            out.value(&t, || {
                format!(
                    "{} 已转至「{}」{}，优先等候",
                    t.number,
                    t.service.zh(),
                    t.target_window.as_deref().map(|w| format!("（{w}）")).unwrap_or_default()
                )
            });
        }
        QueueCmd::Status => {
            let s = ws.queue_status()?;
            out.value(&s, || status_text(&s));
        }
        QueueCmd::Board => {
            let b = ws.hall_board()?;
            out.value(&b, || {
                let mut s = format!("{}  {}\n", b.hall, b.day);
                match &b.latest {
                    Some(c) => s.push_str(&format!("请 {} 号到 {} 办理\n", c.number, c.window)),
                    None => s.push_str("（今天尚未叫号）\n"),
                }
                for c in &b.recent {
                    s.push_str(&format!("  {}  {}\n", c.number, c.window));
                }
                for w in &b.waiting {
                    s.push_str(&format!("  {} 等候 {} 人\n", w.service.map_or("", Service::zh), w.waiting));
                }
                s.trim_end().to_owned()
            });
        }
    }
    Ok(())
}
