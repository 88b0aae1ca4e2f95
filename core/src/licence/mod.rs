//! Electronic licences (电子证照, GB/T 36904): the licence id every certificate gets when it is
//! sealed, and the local licence directory (holder, type, validity, status) kept from the
//! certificates issued here and the licences pulled through the inbox, so intake takes a valid
//! licence instead of a paper copy (一号式, 免提交).
//!
//! The id is `1.2.156.3005.2.<type>.<issuer>.<serial>.<version>.<check>` (`ids::make_licence_id`,
//! check character ISO/IEC 7064 MOD 37,36, agreeing with python-stdnum on the vectors in
//! core/tests/data/). Here: the type is the item's 基本编码 (the national licence-type directory
//! is not available offline; the catalog's basic code is the one national code the item has),
//! the issuer the implementing department's credit code, the serial the case number without its
//! hyphens (unique offline, like the case number), the version 1 + the changes and transfers the
//! case has had (a re-issue after 变更 is a new version; a reprint is the same id).
//!
//! Statuses: a certificate is `valid` when sealed; 变更/转让 make the earlier version `changed`;
//! 撤销 `revoked`; 注销 `cancelled`; past its validity it reads `expired` (a function of the day,
//! so not stored: the table stays a function of the journal alone).

pub mod directory;
pub mod project;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::{CoreError, Result};

crate::case::coded_enum! {
    /// 证照状态.
    #[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "LicenceState"))]
    pub enum Status {
        Valid = ("valid", "有效", "Valid"),
        Changed = ("changed", "已变更", "Changed (superseded)"),
        Revoked = ("revoked", "已撤销", "Revoked"),
        Cancelled = ("cancelled", "已注销", "Cancelled"),
        Expired = ("expired", "已过期", "Expired"),
    }
}

crate::case::coded_enum! {
    /// Where the directory learned of a licence.
    #[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "LicenceSource"))]
    pub enum Source {
        Issued = ("issued", "本机签发", "Issued here"),
        Inbox = ("inbox", "证照库同步", "From the licence library"),
    }
}

/// A licence in the directory, its status as of the day it is read.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Licence {
    pub licence_id: String,
    /// Resident ID or credit code of the holder.
    pub holder_id: String,
    pub holder_name: String,
    /// The licence's name (营业执照, 食品经营许可证 …): what a material is matched on.
    pub type_name: String,
    pub issuer_name: String,
    /// The case it was issued from, when issued here.
    pub case_no: Option<String>,
    pub valid_from: NaiveDate,
    /// None: no end (长期有效).
    pub valid_until: Option<NaiveDate>,
    pub status: Status,
    pub source: Source,
}

impl Licence {
    /// The status on `today`: a valid licence past its last day has expired.
    pub fn status_on(&self, today: NaiveDate) -> Status {
        match (self.status, self.valid_until) {
            (Status::Valid, Some(until)) if until < today => Status::Expired,
            (s, _) => s,
        }
    }

    /// Whether the licence can stand for a material of this name: the material names the
    /// licence (营业执照 in「营业执照」, 不动产权证书 in「土地权属来源证明或不动产权证书」).
    pub fn fits(&self, material_name: &str) -> bool {
        let t = self.type_name.trim_end_matches("（电子证照）").trim();
        !t.is_empty() && material_name.contains(t)
    }
}

/// What a sealed certificate's `document.sealed` event carries under `licence`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Issued {
    pub licence_id: String,
    pub type_code: String,
    pub type_name: String,
    pub issuer_code: String,
    pub serial: String,
    pub version: u16,
}

/// The serial of a case's licence: its case number without hyphens (`440305-W01-20261120-00001`
/// → `440305W012026112000001`), unique offline as the case number is.
pub fn serial_for(case_no: &str) -> String {
    case_no.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_uppercase()).collect()
}

/// The licence id of a certificate of `case_no` (see the module doc for each part).
pub fn issue(type_code: &str, type_name: &str, issuer_code: &str, case_no: &str, version: u16) -> Result<Issued> {
    let serial = serial_for(case_no);
    // Catalog codes may carry `-`, `_` or `.`; the id's parts are letters and digits only.
    let type_code: String = type_code.chars().filter(char::is_ascii_alphanumeric).collect();
    let type_code = type_code.as_str();
    let licence_id = crate::ids::make_licence_id(type_code, issuer_code, &serial, version).ok_or_else(|| {
        CoreError::Invalid(format!(
            "无法生成电子证照标识：证照类型代码「{type_code}」、发证机关统一社会信用代码「{issuer_code}」或版本 {version} 不合规"
        ))
    })?;
    Ok(Issued {
        licence_id,
        type_code: crate::ids::normalize(type_code),
        type_name: type_name.to_owned(),
        issuer_code: crate::ids::normalize(issuer_code),
        serial,
        version,
    })
}

/// A licence arriving from the licence library (证照库) through the inbox (`licence.record`),
/// journaled as `licence.import`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub licence_id: String,
    pub holder_id: String,
    pub holder_name: String,
    pub type_name: String,
    pub issuer_name: String,
    pub valid_from: NaiveDate,
    #[serde(default)]
    pub valid_until: Option<NaiveDate>,
    /// valid | changed | revoked | cancelled (expired is computed from `valid_until`).
    pub status: Status,
}

impl Record {
    /// Checks the id (GB/T 36904 structure and check character), the holder's id and the dates.
    pub fn checked(mut self) -> Result<Record> {
        self.licence_id = crate::ids::check_licence_id(&self.licence_id)?;
        self.holder_id = crate::ids::normalize(&self.holder_id);
        if self.holder_id.is_empty() || self.holder_name.trim().is_empty() || self.type_name.trim().is_empty() {
            return Err(CoreError::Missing {
                action: "登记电子证照".into(),
                field: "持证人、证件号码和证照名称".into(),
            });
        }
        if self.valid_until.is_some_and(|u| u < self.valid_from) {
            return Err(CoreError::Invalid(format!("证照 {} 的有效期止早于起", self.licence_id)));
        }
        if self.status == Status::Expired {
            // Expiry is read from the dates; a record saying so without them is refused.
            return Err(CoreError::Invalid("证照状态「已过期」由有效期推算，请给出有效期止".into()));
        }
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_case_gives_a_checked_licence_id_and_a_change_a_new_version() {
        let issuer = crate::ids::make_credit_code("11440300MB2C95374").unwrap();
        let one = issue("000102001000", "营业执照", &issuer, "440305-W01-20261120-00007", 1).unwrap();
        assert_eq!(one.serial, "440305W012026112000007");
        assert!(one.licence_id.starts_with("1.2.156.3005.2.000102001000."), "{}", one.licence_id);
        assert_eq!(crate::ids::check_licence_id(&one.licence_id).as_deref(), Ok(one.licence_id.as_str()));
        let two = issue("000102001000", "营业执照", &issuer, "440305-W01-20261120-00007", 2).unwrap();
        assert!(two.licence_id.contains(".002."));
        assert_ne!(one.licence_id, two.licence_id);
        assert!(issue("000102001000", "营业执照", "not-a-code", "X-1", 1).is_err());
    }

    #[test]
    fn a_licence_fits_the_materials_that_name_it_and_expires_by_date() {
        let l = Licence {
            licence_id: "x".into(),
            holder_id: "h".into(),
            holder_name: "n".into(),
            type_name: "不动产权证书".into(),
            issuer_name: "i".into(),
            case_no: None,
            valid_from: "2020-01-01".parse().unwrap(),
            valid_until: Some("2026-11-30".parse().unwrap()),
            status: Status::Valid,
            source: Source::Inbox,
        };
        assert!(l.fits("土地权属来源证明或不动产权证书"));
        assert!(!l.fits("营业执照"));
        assert_eq!(l.status_on("2026-11-30".parse().unwrap()), Status::Valid);
        assert_eq!(l.status_on("2026-12-01".parse().unwrap()), Status::Expired);
    }
}
