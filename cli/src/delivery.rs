//! `yc delivery …`: how a result reaches the applicant (送达) — the method and address, the
//! dispatch with its waybill, the receipt (which completes the case), a 退件, and the §44 light.
//! Roles, department scope and the order of steps are checked in the core (`yc_core::delivery`).

use anyhow::{Result, anyhow};
use chrono::NaiveDate;
use clap::Subcommand;
use yc_core::delivery::command::Delivery;
use yc_core::delivery::{Dispatch, Method, Plan, Status};
use yc_core::{CoreError, Workstation};

use crate::auth::Auth;
use crate::output::Out;

#[derive(Subcommand)]
pub enum DeliveryCmd {
    /// 登记或更改送达方式（寄出之前，或退件之后）
    Plan {
        /// 办件编号
        case_no: String,
        /// 送达方式：window | post | courier | unified | agent（或中文名称）
        method: String,
        /// 邮寄地址，或代办员送达的村
        #[arg(long)]
        address: Option<String>,
        /// 收件人（不是申请人本人时）
        #[arg(long)]
        recipient: Option<String>,
    },
    /// 寄出：办理结果交邮政、快递、统一快递或代办员
    Dispatch {
        /// 办件编号
        case_no: String,
        /// 运单号：邮政寄递和快递必填
        #[arg(long)]
        waybill: Option<String>,
        /// 邮政局或快递公司；代办员送达时写代办员姓名
        #[arg(long)]
        carrier: Option<String>,
    },
    /// 签收：窗口当面签收，或按送达回执登记；签收即送达，办件办结
    Receipt {
        /// 办件编号
        case_no: String,
        /// 签收人
        #[arg(long)]
        signed_by: String,
        /// 回执上的签收日期（默认今天）
        #[arg(long)]
        on: Option<NaiveDate>,
    },
    /// 退件：未能送达而退回，须写原因
    Return {
        /// 办件编号
        case_no: String,
        /// 未能送达而退回的原因
        #[arg(long)]
        reason: String,
        /// 退回日期（默认今天）
        #[arg(long)]
        on: Option<NaiveDate>,
    },
    /// 一个办件的送达情况
    Show {
        /// 办件编号
        case_no: String,
    },
    /// 本人所在部门的送达记录，可只列一种状态（planned | dispatched | received | returned）
    List {
        /// 只列这种状态的：planned | dispatched | received | returned（或中文名称）
        #[arg(long)]
        status: Option<String>,
    },
}

/// A plan from the command line's method name.
pub fn plan(method: &str, address: Option<String>, recipient: Option<String>) -> Result<Plan> {
    let method = Method::parse(method).ok_or_else(|| {
        let all: Vec<String> = Method::ALL.iter().map(|m| format!("{}（{}）", m.code(), m.zh())).collect();
        anyhow!(CoreError::Invalid(format!("未知的送达方式「{method}」。可用：{}", all.join("、"))))
    })?;
    Ok(Plan { method, address, recipient })
}

fn line(d: &Delivery) -> String {
    let mut s = format!("{}  {}  {}", d.case_no, d.method.zh(), d.status.zh());
    if let Some(w) = &d.waybill {
        s.push_str(&format!("  运单 {w}"));
    }
    if let Some(c) = &d.carrier {
        s.push_str(&format!("  {c}"));
    }
    match (d.met_on, d.light, d.due) {
        (Some(m), _, _) if d.late_days.unwrap_or(0) > 0 => {
            s.push_str(&format!("  {m} 送出，超期 {} 个工作日", d.late_days.unwrap_or(0)));
        }
        (Some(m), _, _) => s.push_str(&format!("  {m} 送出（按时）")),
        (None, Some(l), Some(due)) => {
            let light = match l {
                yc_core::deadline::Light::Green => "绿灯",
                yc_core::deadline::Light::Yellow => "黄灯",
                yc_core::deadline::Light::Red => "红灯",
            };
            s.push_str(&format!("  送达期限 {due}（剩 {} 个工作日，{light}）", d.days_left.unwrap_or(0)));
        }
        _ => s.push_str("  尚未决定"),
    }
    s
}

fn detail(d: &Delivery) -> String {
    let mut s = line(d);
    let mut field = |k: &str, v: Option<String>| {
        if let Some(v) = v {
            s.push_str(&format!("\n  {k}：{v}"));
        }
    };
    field("地址", d.address.clone());
    field("收件人", d.recipient.clone());
    field("寄出日", d.dispatched_on.map(|x| x.to_string()));
    field(
        "签收",
        d.signed_by.as_ref().map(|w| format!("{w}，{}", d.received_on.map_or_else(String::new, |x| x.to_string()))),
    );
    field(
        "退件",
        d.return_reason
            .as_ref()
            .map(|r| format!("{r}（{}）", d.returned_on.map_or_else(String::new, |x| x.to_string()))),
    );
    field("寄出次数", Some(d.attempts.to_string()));
    s
}

pub fn delivery(ws: &Workstation, auth: &Auth, c: &DeliveryCmd, out: &Out) -> Result<()> {
    let by = auth.actor(ws)?;
    let d = match c {
        DeliveryCmd::Plan { case_no, method, address, recipient } => {
            ws.plan_delivery(&by, case_no, &plan(method, address.clone(), recipient.clone())?)?
        }
        DeliveryCmd::Dispatch { case_no, waybill, carrier } => {
            ws.dispatch_delivery(&by, case_no, &Dispatch { carrier: carrier.clone(), waybill: waybill.clone() })?
        }
        DeliveryCmd::Receipt { case_no, signed_by, on } => ws.record_delivery_receipt(&by, case_no, signed_by, *on)?,
        DeliveryCmd::Return { case_no, reason, on } => ws.record_delivery_return(&by, case_no, reason, *on)?,
        DeliveryCmd::Show { case_no } => ws
            .delivery(&by, case_no)?
            .ok_or_else(|| anyhow!(CoreError::Invalid(format!("办件 {case_no} 尚未登记送达方式"))))?,
        DeliveryCmd::List { status } => {
            let status = status
                .as_deref()
                .map(|s| Status::parse(s).ok_or_else(|| anyhow!(CoreError::Invalid(format!("未知的送达状态「{s}」")))))
                .transpose()?;
            let list = ws.delivery_list(&by, status)?;
            out.value(&list, || {
                if list.is_empty() { "（无）".into() } else { list.iter().map(line).collect::<Vec<_>>().join("\n") }
            });
            return Ok(());
        }
    };
    out.value(&d, || detail(&d));
    Ok(())
}
