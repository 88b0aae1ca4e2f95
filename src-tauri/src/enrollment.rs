//! Enrollment and offline update bundles in the 设置 tab (docs/ADMIN.md §2, §6): the status, a
//! reply or bundle file read by the page, what it would change, applying it. The rules (signature,
//! issuer, serial, atomic apply) are the core's (yc_core::provisioning); this only carries them.

use serde::Serialize;
use ts_rs::TS;
use yc_core::enrollment::EnrollmentStatus;
use yc_core::provisioning::{Applied, Change, Preview};

use crate::context::AppCtx;
use crate::ipc::IpcResult;

/// A package (enrollment reply or update bundle) as the page shows it: what it is, what it changes
/// (Chinese lines from the core) and, for a preview, why it would be refused.
#[derive(Debug, Clone, Serialize, TS)]
pub struct PackageView {
    pub issuer: String,
    pub serial: u64,
    pub to: String,
    pub issued_at: String,
    pub issuer_fingerprint: String,
    pub changes: Vec<String>,
    pub refusal: Option<String>,
}

fn lines(changes: &[Change]) -> Vec<String> {
    changes.iter().map(Change::zh).collect()
}

impl From<Preview> for PackageView {
    fn from(p: Preview) -> Self {
        Self {
            changes: lines(&p.changes),
            issuer: p.issuer,
            serial: p.serial,
            to: p.to,
            issued_at: p.issued_at,
            issuer_fingerprint: p.issuer_fingerprint,
            refusal: p.refusal,
        }
    }
}

impl From<Applied> for PackageView {
    fn from(a: Applied) -> Self {
        Self {
            changes: lines(&a.changes),
            issuer: a.issuer,
            serial: a.serial,
            to: String::new(),
            issued_at: String::new(),
            issuer_fingerprint: String::new(),
            refusal: None,
        }
    }
}

impl AppCtx {
    pub fn enrollment_status(&self) -> IpcResult<EnrollmentStatus> {
        self.actor()?;
        Ok(self.workstation()?.enrollment_status()?)
    }

    /// Imports the city's signed enrollment reply (the file's text) with the issuer fingerprint the
    /// administrator confirmed; admin of every department (core checks).
    pub fn import_enrollment(&self, text: &str, issuer_fingerprint: &str) -> IpcResult<PackageView> {
        let actor = self.actor()?;
        Ok(self.workstation()?.import_enrollment(&actor, text.as_bytes(), issuer_fingerprint)?.into())
    }

    /// What an update bundle would change, or why it would be refused; writes nothing. An app
    /// package beside it cannot be checked from the page (no folder): `yc update show` does that.
    pub fn show_update(&self, text: &str) -> IpcResult<PackageView> {
        self.actor()?;
        Ok(self.workstation()?.show_update(text.as_bytes(), None)?.into())
    }

    pub fn apply_update(&self, text: &str) -> IpcResult<PackageView> {
        let actor = self.actor()?;
        Ok(self.workstation()?.apply_update(&actor, text.as_bytes(), None)?.into())
    }
}
