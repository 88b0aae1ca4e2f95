//! `yc theme …`: parallel approval (并联审批) on the command line — the catalog's themes, filing a
//! theme once for every branch, the lead department's board, the combined supplement notice, and
//! the results delivered together.
//! Roles and department scope are checked in the core (`yc_core::theme`).

use anyhow::{Result, anyhow};
use clap::{Args, Subcommand};
use yc_core::theme::board::ThemeBoard;
use yc_core::theme::intake::NewTheme;
use yc_core::{CoreError, Workstation};

use crate::auth::Auth;
use crate::output::Out;

#[derive(Subcommand)]
pub enum ThemeCmd {
    /// 当前事项目录中的主题（套餐）；加 --filed 时列出本工作站已收件的主题
    List {
        /// 列出已收件的主题（--as 账号可见的），而不是目录中的主题
        #[arg(long)]
        filed: bool,
        /// 与 --filed 一起用：只列仍在办理的
        #[arg(long)]
        open: bool,
        /// 与 --filed 一起用：最多列出多少个（默认 50）
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
    /// 一口收件：每个事项建一个分支办件，共用材料只收一次，只出一张回执
    New(NewThemeArgs),
    /// 并联看板：各分支办件的部门、状态、预警灯和剩余工作日
    Show {
        /// 主题编号
        theme_no: String,
    },
    /// 合并的补正告知：所有待补正分支的一次性告知
    Notice {
        /// 主题编号
        theme_no: String,
    },
    /// 一次交齐补正材料（按告知书所列名称）：材料补齐的分支恢复办理
    Supplement {
        /// 主题编号
        theme_no: String,
        /// 补交的材料名称，逗号分隔（按告知书所列名称）
        #[arg(long, value_delimiter = ',', required = true)]
        materials: Vec<String>,
    },
    /// 结果一并送达：必办分支都已作出决定后，把已决定的分支一起送达
    Deliver {
        /// 主题编号
        theme_no: String,
        /// 送达情况（如窗口领取、EMS 单号），记入每个分支的送达记录
        #[arg(long)]
        detail: Option<String>,
    },
    /// 合并的办理结果告知书：各事项的办理结果及其盖章文书
    Result {
        /// 主题编号
        theme_no: String,
    },
}

#[derive(Args)]
pub struct NewThemeArgs {
    /// 主题编码，如 ZT-QYKB-001（见 yc theme list）
    theme_code: String,
    /// 申请人的身份证号码或统一社会信用代码
    #[arg(long)]
    applicant_id: String,
    /// 申请人姓名或单位名称
    #[arg(long = "applicant-name")]
    name: String,
    /// 申请人的联系电话
    #[arg(long)]
    phone: Option<String>,
    /// 渠道：window | online | township
    #[arg(long)]
    channel: Option<String>,
    /// 已交共用材料的编号（默认全部必交材料；编号见 `theme list`）
    #[arg(long, value_delimiter = ',')]
    provided: Option<Vec<String>>,
    /// KEY=CASE_NO：复用同一申请人以前办件中的共用材料
    #[arg(long)]
    reuse: Vec<String>,
    /// 不需要办理的可选分支的事项编码
    #[arg(long, value_delimiter = ',')]
    skip: Vec<String>,
    /// 接受只有校验位不符的统一社会信用代码，并写明理由
    #[arg(long)]
    id_override: Option<String>,
    /// 收件备注（随收件记入日志）
    #[arg(long)]
    note: Option<String>,
}

pub fn theme(ws: &Workstation, auth: &Auth, c: &ThemeCmd, out: &Out) -> Result<()> {
    match c {
        ThemeCmd::List { filed: false, .. } => {
            let themes = ws.catalog_themes(None)?;
            let items = ws.catalog_items(None)?;
            out.value(&themes, || {
                let mut s = String::new();
                for t in &themes {
                    s.push_str(&format!(
                        "{}  {}  牵头：{}  总时限 {} 个工作日\n",
                        t.code, t.name, t.lead_department, t.overall_limit_days
                    ));
                    let members: Vec<&yc_core::catalog::Item> =
                        t.branches.iter().filter_map(|b| items.iter().find(|i| i.code == b.item)).collect();
                    for b in &t.branches {
                        let name = items.iter().find(|i| i.code == b.item).map_or("？", |i| i.name.as_str());
                        let after: Vec<&str> = b
                            .after
                            .iter()
                            .map(|a| items.iter().find(|i| &i.code == a).map_or(a.as_str(), |i| i.name.as_str()))
                            .collect();
                        s.push_str(&format!(
                            "    {}  {}{}{}\n",
                            b.item,
                            name,
                            if b.required { "" } else { "（选办）" },
                            if after.is_empty() {
                                String::new()
                            } else {
                                format!("（在「{}」之后）", after.join("」「"))
                            }
                        ));
                    }
                    let shared = yc_core::theme::intake::shared_materials(&members);
                    let keys: Vec<String> = shared.iter().map(|m| format!("{}={}", m.key, m.name)).collect();
                    s.push_str(&format!("    材料（--provided 用键）：{}\n", keys.join("；")));
                }
                s.trim_end().to_owned()
            });
        }
        ThemeCmd::List { filed: true, open, limit } => {
            let by = auth.actor(ws)?;
            let rows = ws.themes(&by, *open, *limit)?;
            out.value(&rows, || {
                rows.iter()
                    .map(|r| {
                        format!(
                            "{}  {}  {}  {}  已决定 {}/{}  总期限 {}{}",
                            r.theme_no,
                            r.name,
                            r.applicant_name,
                            r.state_zh,
                            r.settled,
                            r.branches,
                            r.due_date.as_deref().unwrap_or("未知"),
                            light_text(r.light, r.days_left)
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
        ThemeCmd::New(a) => {
            let by = auth.actor(ws)?;
            let reuse = a
                .reuse
                .iter()
                .map(|r| {
                    r.split_once('=')
                        .map(|(m, c)| (m.to_owned(), c.to_owned()))
                        .ok_or_else(|| anyhow!(CoreError::Invalid(format!("--reuse 应为 材料键=办件编号：{r}"))))
                })
                .collect::<Result<Vec<_>>>()?;
            let channel = a
                .channel
                .as_deref()
                .map(|c| {
                    yc_core::case::Channel::parse(c)
                        .ok_or_else(|| anyhow!(CoreError::Invalid(format!("未知的收件渠道：{c}"))))
                })
                .transpose()?;
            let receipt = ws.new_theme(
                &by,
                &NewTheme {
                    theme_code: a.theme_code.clone(),
                    applicant_id: a.applicant_id.clone(),
                    applicant_name: a.name.clone(),
                    phone: a.phone.clone(),
                    channel,
                    provided: a.provided.clone(),
                    reuse,
                    skip: a.skip.clone(),
                    id_override: a.id_override.clone(),
                    note: a.note.clone(),
                },
            )?;
            out.value(&receipt, || receipt.text());
        }
        ThemeCmd::Show { theme_no } => {
            let b = ws.theme_board(&auth.actor(ws)?, theme_no)?;
            out.value(&b, || board_text(&b));
        }
        ThemeCmd::Notice { theme_no } => {
            let n = ws.theme_supplement_notice(&auth.actor(ws)?, theme_no)?;
            out.value(&n, || n.text());
        }
        ThemeCmd::Supplement { theme_no, materials } => {
            let done = ws.supplement_theme(&auth.actor(ws)?, theme_no, materials)?;
            out.value(&done, || {
                if done.is_empty() {
                    "所交材料未补齐任何事项的补正要求，各事项仍在补正中".to_owned()
                } else {
                    format!("已补正，恢复办理：{}", done.join("、"))
                }
            });
        }
        ThemeCmd::Deliver { theme_no, detail } => {
            let done = ws.deliver_theme(&auth.actor(ws)?, theme_no, detail.as_deref())?;
            out.value(&done, || format!("已一并送达（办结）：{}", done.join("、")));
        }
        ThemeCmd::Result { theme_no } => {
            let r = ws.theme_result(&auth.actor(ws)?, theme_no)?;
            out.value(&r, || r.text().trim_end().to_owned());
        }
    }
    Ok(())
}

fn light_text(light: Option<yc_core::deadline::Light>, left: Option<i64>) -> String {
    use yc_core::deadline::Light;
    match (light, left) {
        (Some(l), Some(n)) => {
            let lamp = match l {
                Light::Green => "绿灯",
                Light::Yellow => "黄灯",
                Light::Red => "红灯",
            };
            if n < 0 {
                format!("  {lamp}，超期 {} 个工作日", -n)
            } else {
                format!("  {lamp}，剩 {n} 个工作日")
            }
        }
        _ => String::new(),
    }
}

/// The board as text: the theme, then one line per branch.
fn board_text(b: &ThemeBoard) -> String {
    let mut s = format!(
        "{}  {}（{}）\n申请人：{}（{}）  收件 {}  牵头部门：{}\n总时限 {} 个工作日，{}{}\n状态：{}{}，必办事项已决定 {}/{}\n",
        b.theme_no,
        b.name,
        b.theme_code,
        b.applicant_name,
        b.applicant_id,
        b.filed_on,
        b.lead_department,
        b.limit_days,
        b.due_date.as_deref().map_or_else(
            || format!("期限未知（{}）", b.deadline_note.as_deref().unwrap_or("")),
            |d| format!("{d} 前办结")
        ),
        light_text(b.light, b.days_left),
        b.state_zh,
        b.outcome.map(|o| format!("（{}）", o.zh())).unwrap_or_default(),
        b.required_settled,
        b.required,
    );
    for (i, br) in b.branches.iter().enumerate() {
        s.push_str(&format!(
            "  {}. {}  {}  {}  {}{}{}{}\n",
            i + 1,
            br.case_no,
            br.item_name,
            br.department,
            br.state_zh,
            if br.required { "" } else { "（选办）" },
            light_text(br.light, br.days_left) + if br.paused { "（暂停计时）" } else { "" },
            if br.waiting_on.is_empty() {
                String::new()
            } else {
                format!("  待「{}」准予", br.waiting_on.join("」「"))
            }
        ));
    }
    if let Some(late) = b.late_days.filter(|l| *l > 0) {
        s.push_str(&format!(
            "  ！总期限超期：{} 全部决定，超期 {late} 个工作日\n",
            b.decided_on.as_deref().unwrap_or("")
        ));
    }
    for r in &b.refusals {
        s.push_str(&format!(
            "  ！{}：{}（{}）理由：{}{}\n",
            r.item_name,
            r.action_zh,
            r.department,
            r.reason.as_deref().unwrap_or("（未填）"),
            r.legal_basis.as_deref().map(|l| format!("；依据：{l}")).unwrap_or_default()
        ));
    }
    // `out.value` adds the last newline.
    s.trim_end().to_owned()
}
