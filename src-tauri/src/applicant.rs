//! The applicant's side of a case in the case view (docs/applicant.md): delivery (送达), notices
//! (办件通知, the phone masked), fees (一次性收费), the licence ids of its certificates and the agent
//! who filed it. One read for the panels, and a command per step; every rule is the core's.

use chrono::NaiveDate;
use serde::Serialize;
use ts_rs::TS;
use yc_core::agent::{CaseAgent, Post as ServicePost};
use yc_core::delivery::command::Delivery;
use yc_core::delivery::{Dispatch, Plan};
use yc_core::fee::{FeeAccount, Payment};
use yc_core::licence::Licence;
use yc_core::notice::NoticeStatus;

use crate::context::AppCtx;
use crate::ipc::IpcResult;

/// Everything the case view's applicant panels show.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ApplicantSide {
    pub delivery: Option<Delivery>,
    pub notices: NoticeStatus,
    pub fee: FeeAccount,
    /// Electronic licences issued from this case (their GB/T 36904 ids).
    pub licences: Vec<Licence>,
    pub agent: Option<CaseAgent>,
}

impl AppCtx {
    pub fn applicant_side(&self, case_no: &str) -> IpcResult<ApplicantSide> {
        let actor = self.actor()?;
        let ws = self.workstation()?;
        let holder = ws.case_summary(case_no)?.applicant_id;
        Ok(ApplicantSide {
            delivery: ws.delivery(&actor, case_no)?,
            notices: ws.notice_status(&actor, case_no)?,
            fee: ws.fee(&actor, case_no)?,
            licences: ws.licences(&holder)?.into_iter().filter(|l| l.case_no.as_deref() == Some(case_no)).collect(),
            agent: ws.case_agent(&actor, case_no)?,
        })
    }

    pub fn plan_delivery(&self, case_no: &str, plan: &Plan) -> IpcResult<Delivery> {
        let actor = self.actor()?;
        Ok(self.workstation()?.plan_delivery(&actor, case_no, plan)?)
    }

    pub fn dispatch_delivery(&self, case_no: &str, dispatch: &Dispatch) -> IpcResult<Delivery> {
        let actor = self.actor()?;
        Ok(self.workstation()?.dispatch_delivery(&actor, case_no, dispatch)?)
    }

    pub fn delivery_receipt(&self, case_no: &str, signed_by: &str, on: Option<NaiveDate>) -> IpcResult<Delivery> {
        let actor = self.actor()?;
        Ok(self.workstation()?.record_delivery_receipt(&actor, case_no, signed_by, on)?)
    }

    pub fn delivery_return(&self, case_no: &str, reason: &str, on: Option<NaiveDate>) -> IpcResult<Delivery> {
        let actor = self.actor()?;
        Ok(self.workstation()?.record_delivery_return(&actor, case_no, reason, on)?)
    }

    pub fn notice_consent(&self, case_no: &str, phone: Option<&str>) -> IpcResult<NoticeStatus> {
        let actor = self.actor()?;
        Ok(self.workstation()?.record_notice_consent(&actor, case_no, phone)?)
    }

    pub fn service_post(&self) -> IpcResult<ServicePost> {
        self.actor()?;
        Ok(self.workstation()?.service_post()?)
    }

    pub fn set_service_post(&self, post: &ServicePost) -> IpcResult<ServicePost> {
        let actor = self.actor()?;
        Ok(self.workstation()?.set_service_post(&actor, post)?)
    }

    pub fn pay_fee(&self, case_no: &str, payment: &Payment) -> IpcResult<FeeAccount> {
        let actor = self.actor()?;
        Ok(self.workstation()?.pay_fee(&actor, case_no, payment)?)
    }

    pub fn exempt_fee(&self, case_no: &str, reason: &str, amount_fen: Option<i64>) -> IpcResult<FeeAccount> {
        let actor = self.actor()?;
        Ok(self.workstation()?.exempt_fee(&actor, case_no, reason, amount_fen)?)
    }

    pub fn refund_fee(&self, case_no: &str, receipt_no: &str, reason: &str) -> IpcResult<FeeAccount> {
        let actor = self.actor()?;
        Ok(self.workstation()?.refund_fee(&actor, case_no, receipt_no, reason)?)
    }
}
