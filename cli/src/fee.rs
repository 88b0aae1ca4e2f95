//! `yc fee …` (一次性收费): a case's (or its theme's) fees from the catalog, paid once with the
//! receipt number, exempted or refunded with a reason (crate yc_core::fee); and `yc post …` /
//! `yc agent show`: the workstation's service post level and the agent who filed a case (代办).

use anyhow::{Result, anyhow};
use clap::Subcommand;
use yc_core::fee::{FeeAccount, Payment, yuan};
use yc_core::{CoreError, Workstation};

use crate::auth::Auth;
use crate::output::Out;

/// Yuan as typed ("80", "80.5", "550.00") → fen.
fn fen(raw: &str) -> Result<i64> {
    let s = raw.trim().trim_start_matches(['¥', '￥']).trim_end_matches('元');
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    let ok = !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.len() <= 2
        && frac.bytes().all(|b| b.is_ascii_digit());
    if !ok {
        return Err(anyhow!(CoreError::Invalid(format!("金额应为元，至多两位小数：{raw}"))));
    }
    let f: i64 = format!("{frac:0<2}").parse().unwrap_or(0);
    Ok(int.parse::<i64>().map_err(|_| anyhow!(CoreError::Invalid(format!("金额过大：{raw}"))))? * 100 + f)
}

#[derive(Subcommand)]
pub enum FeeCmd {
    /// 办件按事项目录应收的费用及缴费状态（主题分支办件显示整个主题一次收取的费用）
    Show {
        /// 办件编号
        case_no: String,
    },
    /// 登记缴费，填写缴款书号或票据号；目录只用文字说明金额时用 --amount 填写
    Pay {
        /// 办件编号
        case_no: String,
        /// 缴款书号或票据号（同一号码不能重复使用）
        #[arg(long)]
        receipt: String,
        /// 金额（元），如 550（分档收费：金额见目录说明）
        #[arg(long)]
        amount: Option<String>,
    },
    /// 减免费用（决定人），须写理由
    Exempt {
        /// 办件编号
        case_no: String,
        /// 减免理由（如小微企业、低保对象；记入日志）
        #[arg(long)]
        reason: String,
        /// 减免金额（元）；目录只用文字说明金额时必填
        #[arg(long)]
        amount: Option<String>,
    },
    /// 全额退还已缴费用（退费；决定人），须写退费凭证号和理由
    Refund {
        /// 办件编号
        case_no: String,
        /// 退费凭证号
        #[arg(long)]
        receipt: String,
        /// 退费理由（记入日志）
        #[arg(long)]
        reason: String,
    },
}

fn render(a: &FeeAccount) -> String {
    let mut s = format!("{}  {}（{}）", a.account, a.status.zh(), a.department);
    if let Some(t) = &a.theme_no {
        s.push_str(&format!("  主题 {t} 一次收取"));
    }
    for l in &a.lines {
        let amount = match (l.amount_fen, &l.amount_text) {
            (Some(f), Some(t)) => format!("{} 元（{t}）", yuan(f)),
            (Some(f), None) => format!("{} 元", yuan(f)),
            (None, Some(t)) => t.clone(),
            (None, None) => String::new(),
        };
        s.push_str(&format!("\n  {} {}：{amount}；依据：{}", l.case_no, l.name, l.basis));
    }
    match a.due_fen {
        Some(d) if !a.lines.is_empty() => s.push_str(&format!("\n  应收：{} 元", yuan(d))),
        None => s.push_str("\n  应收：按目录说明填写"),
        _ => {}
    }
    if let Some(f) = a.amount_fen {
        let what = if a.exempt_reason.is_some() { "减免" } else { "实收" };
        s.push_str(&format!("\n  {what}：{} 元  {}", yuan(f), a.paid_on.map(|d| d.to_string()).unwrap_or_default()));
    }
    if let Some(r) = &a.receipt_no {
        s.push_str(&format!("  票据号 {r}"));
    }
    if let Some(r) = &a.exempt_reason {
        s.push_str(&format!("\n  减免理由：{r}"));
    }
    if let Some(f) = a.refunded_fen {
        s.push_str(&format!(
            "\n  已退费 {} 元  {}  凭证 {}  理由：{}",
            yuan(f),
            a.refunded_on.map(|d| d.to_string()).unwrap_or_default(),
            a.refund_receipt_no.as_deref().unwrap_or(""),
            a.refund_reason.as_deref().unwrap_or("")
        ));
    }
    s
}

pub fn fee(ws: &Workstation, auth: &Auth, c: &FeeCmd, out: &Out) -> Result<()> {
    let by = auth.actor(ws)?;
    let a = match c {
        FeeCmd::Show { case_no } => ws.fee(&by, case_no)?,
        FeeCmd::Pay { case_no, receipt, amount } => ws.pay_fee(
            &by,
            case_no,
            &Payment { receipt_no: receipt.clone(), amount_fen: amount.as_deref().map(fen).transpose()? },
        )?,
        FeeCmd::Exempt { case_no, reason, amount } => {
            ws.exempt_fee(&by, case_no, reason, amount.as_deref().map(fen).transpose()?)?
        }
        FeeCmd::Refund { case_no, receipt, reason } => ws.refund_fee(&by, case_no, receipt, reason)?,
    };
    out.value(&a, || render(&a));
    Ok(())
}

#[derive(Subcommand)]
pub enum PostCmd {
    /// 本工作站的服务站点（县级中心 / 乡镇便民服务中心 / 村级代办点）
    Show,
    /// 设置服务站点（全部部门的管理员）：--level county|township|village
    Set {
        /// 站点层级：county | township | village（县级中心 | 乡镇便民服务中心 | 村级代办点）
        #[arg(long)]
        level: String,
        /// 乡镇名称（乡镇便民服务中心和村级代办点必填）
        #[arg(long)]
        township: Option<String>,
        /// 村（社区）名称（村级代办点必填）
        #[arg(long)]
        village: Option<String>,
    },
}

pub fn post(ws: &Workstation, auth: &Auth, c: &PostCmd, out: &Out) -> Result<()> {
    let p = match c {
        PostCmd::Show => ws.service_post()?,
        PostCmd::Set { level, township, village } => {
            let level = yc_core::agent::PostLevel::parse(level).ok_or_else(|| {
                anyhow!(CoreError::Invalid(format!("未知的站点层级：{level}（county、township 或 village）")))
            })?;
            let p = yc_core::agent::Post { level, township: township.clone(), village: village.clone() };
            ws.set_service_post(&auth.actor(ws)?, &p)?
        }
    };
    out.value(&p, || {
        [Some(p.level.zh().to_owned()), p.township.clone(), p.village.clone()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" · ")
    });
    Ok(())
}

/// `yc agent show CASE`.
pub fn agent(ws: &Workstation, auth: &Auth, case_no: &str, out: &Out) -> Result<()> {
    let a = ws.case_agent(&auth.actor(ws)?, case_no)?;
    out.value(&a, || match &a {
        None => format!("{case_no}：申请人本人办理（无代办）"),
        Some(a) => format!(
            "{case_no}：{}（{}{}）代 {} 办理；委托书附件 {}",
            a.name,
            a.level.zh(),
            a.post.as_deref().map(|p| format!("，{p}")).unwrap_or_default(),
            a.applicant_name,
            &a.authorisation[..12.min(a.authorisation.len())]
        ),
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn yuan_typed_becomes_fen() {
        assert_eq!(super::fen("80").unwrap(), 8000);
        assert_eq!(super::fen("¥550.5").unwrap(), 55050);
        assert_eq!(super::fen("10.05元").unwrap(), 1005);
        assert!(super::fen("1.234").is_err());
        assert!(super::fen("-3").is_err());
    }
}
