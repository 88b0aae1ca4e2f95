//! `yc notice …`: notices to the applicant (办件通知) — the consent to SMS at a number (shown
//! masked), and each notice of a case with its sending state. The notices themselves are queued
//! by the case actions (crate yc_core::notice).

use anyhow::Result;
use clap::Subcommand;
use yc_core::Workstation;

use crate::auth::Auth;
use crate::output::Out;

#[derive(Subcommand)]
pub enum NoticeCmd {
    /// 登记申请人同意向 --phone 号码发送短信通知，或用 --withdraw 撤回同意（号码随即删除）
    Consent {
        /// 办件编号
        case_no: String,
        /// 申请人同意接收短信通知的手机号码
        #[arg(long, required_unless_present = "withdraw")]
        phone: Option<String>,
        /// 撤回短信通知的同意（号码随即删除）
        #[arg(long, conflicts_with = "phone")]
        withdraw: bool,
    },
    /// 一个办件的短信授权（号码部分隐藏）和各条通知的发送状态
    Show {
        /// 办件编号
        case_no: String,
    },
}

pub fn notice(ws: &Workstation, auth: &Auth, c: &NoticeCmd, out: &Out) -> Result<()> {
    let by = auth.actor(ws)?;
    let s = match c {
        NoticeCmd::Consent { case_no, phone, withdraw } => {
            ws.record_notice_consent(&by, case_no, if *withdraw { None } else { phone.as_deref() })?
        }
        NoticeCmd::Show { case_no } => ws.notice_status(&by, case_no)?,
    };
    out.value(&s, || {
        let mut t = format!(
            "{}  短信通知：{}",
            s.case_no,
            s.phone_masked.as_deref().map_or_else(|| "未同意（不发送）".to_owned(), |p| format!("同意，{p}"))
        );
        for n in &s.notices {
            let state = if n.sent {
                "已发送".to_owned()
            } else if n.sending.is_empty() {
                "待发送（尚无通知通道）".to_owned()
            } else {
                n.sending.join("；")
            };
            t.push_str(&format!("\n  {}  {}  [{}]\n    {}", n.queued_at, n.template.zh(), state, n.text));
        }
        t
    });
    Ok(())
}
