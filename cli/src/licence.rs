//! `yc licence …`: the local electronic licence directory (电子证照, GB/T 36904) — a holder's
//! licences with their status today, one licence, and what intake can take instead of paper.

use anyhow::{Result, anyhow};
use clap::Subcommand;
use yc_core::licence::Licence;
use yc_core::{CoreError, Workstation};

use crate::output::Out;

#[derive(Subcommand)]
pub enum LicenceCmd {
    /// 持证人（身份证号码或统一社会信用代码）的证照及其今天的状态
    List {
        /// 持证人的身份证号码或统一社会信用代码
        holder_id: String,
    },
    /// 按证照标识查看一个证照
    Show {
        /// 电子证照标识
        licence_id: String,
    },
    /// 申请人可代替某事项材料的有效电子证照（配合 `yc case new --licence MATERIAL=LICENCE_ID` 使用）
    Offers {
        /// 申请人的身份证号码或统一社会信用代码
        applicant_id: String,
        /// 事项编码
        item: String,
    },
}

fn line(l: &Licence) -> String {
    format!(
        "{}  {}  {}  持证人 {}  {} 起{}  {}（{}）",
        l.licence_id,
        l.type_name,
        l.status.zh(),
        l.holder_name,
        l.valid_from,
        l.valid_until.map_or_else(|| "，长期有效".to_owned(), |u| format!("至 {u}")),
        l.issuer_name,
        l.source.zh()
    )
}

pub fn licence(ws: &Workstation, c: &LicenceCmd, out: &Out) -> Result<()> {
    match c {
        LicenceCmd::List { holder_id } => {
            let list = ws.licences(holder_id)?;
            out.value(&list, || {
                if list.is_empty() { "（无）".into() } else { list.iter().map(line).collect::<Vec<_>>().join("\n") }
            });
        }
        LicenceCmd::Show { licence_id } => {
            let l = ws
                .licence(licence_id)?
                .ok_or_else(|| anyhow!(CoreError::Invalid(format!("电子证照 {licence_id} 不在本机证照目录中"))))?;
            out.value(&l, || line(&l));
        }
        LicenceCmd::Offers { applicant_id, item } => {
            let offers = ws.licence_offers(applicant_id, item)?;
            out.value(&offers, || {
                if offers.is_empty() {
                    "（无可代替纸质材料的有效电子证照）".into()
                } else {
                    offers
                        .iter()
                        .map(|o| format!("{}（{}）← {}", o.material_id, o.material_name, line(&o.licence)))
                        .collect::<Vec<_>>()
                        .join("\n")
                }
            });
        }
    }
    Ok(())
}
