//! The licence directory as intake uses it: a holder's licences with their status today, the
//! licences that can stand for an item's materials (offered instead of a paper copy), and the
//! library's records arriving through the inbox.

use serde::Serialize;

use super::{Licence, Record, Status};
use crate::error::{CoreError, Result};
use crate::events;
use crate::journal::{self, NewEvent};
use crate::workstation::Workstation;

/// A valid licence that can stand for one of an item's materials.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LicenceOffer {
    pub material_id: String,
    pub material_name: String,
    pub licence: Licence,
}

impl Workstation {
    /// A holder's licences (resident ID or credit code), each with its status today.
    pub fn licences(&self, holder_id: &str) -> Result<Vec<Licence>> {
        let today = self.today();
        let holder = crate::ids::normalize(holder_id);
        let mut out = super::project::of_holder(&*self.store().reader()?, &holder)?;
        for l in &mut out {
            l.status = l.status_on(today);
        }
        Ok(out)
    }

    /// One licence by its id, with its status today.
    pub fn licence(&self, licence_id: &str) -> Result<Option<Licence>> {
        let id = crate::ids::normalize(licence_id);
        let today = self.today();
        Ok(super::project::one(&*self.store().reader()?, &id)?.map(|mut l| {
            l.status = l.status_on(today);
            l
        }))
    }

    /// The applicant's valid licences that can stand for the item's materials a government
    /// department issues (来源：政府部门核发): offered at intake instead of a paper copy. A
    /// revoked, cancelled, superseded or expired licence is never offered.
    pub fn licence_offers(&self, applicant_id: &str, item_code: &str) -> Result<Vec<LicenceOffer>> {
        let (_, item) = self.catalog_item(item_code, None)?;
        let valid: Vec<Licence> =
            self.licences(applicant_id)?.into_iter().filter(|l| l.status == Status::Valid).collect();
        let mut out = Vec::new();
        for m in item.materials.iter().filter(|m| m.source == crate::catalog::MaterialSource::Government) {
            if let Some(l) = valid.iter().find(|l| l.fits(&m.name)) {
                out.push(LicenceOffer { material_id: m.id.clone(), material_name: m.name.clone(), licence: l.clone() });
            }
        }
        Ok(out)
    }

    /// A licence from the licence library (证照库), pulled through the inbox (`licence.record`):
    /// checked (GB/T 36904 id, holder, dates), journaled as `licence.import`, and recorded.
    pub fn record_licence_from_sync(&self, adapter: &str, payload: &serde_json::Value) -> Result<Licence> {
        let rec: Record = serde_json::from_value(payload.clone())
            .map_err(|e| CoreError::Invalid(format!("证照记录内容不完整：{e}")))?;
        let rec = rec.checked()?;
        let now = self.now();
        let body = serde_json::to_value(&rec).map_err(|e| CoreError::Invalid(e.to_string()))?;
        self.store().write(|tx| {
            let ev = journal::append(
                tx,
                NewEvent {
                    case_no: None,
                    actor: &format!("sync:{adapter}"),
                    role: "external",
                    action: events::LICENCE_IMPORT,
                    at: now,
                    payload: body,
                    reason: None,
                },
            )?;
            super::project::project_import(tx, &ev)
        })?;
        self.licence(&rec.licence_id)?.ok_or_else(|| CoreError::Invalid(format!("证照 {} 未写入", rec.licence_id)))
    }
}
