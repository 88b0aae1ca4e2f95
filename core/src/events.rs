//! The names of the journal's events that are not case actions, in one place.
//!
//! A case's own events are named by [`crate::case::Action::code`] (`case.file`, `case.accept`, …);
//! everything else a workstation journals — its setup, staff accounts, the clock, seals, sync
//! administration, supervision — is named here, so the projection, the outbox contract, the
//! integrity checks and the writers agree on one spelling. Renaming one is a migration: events
//! already in a journal keep the name they were written with.

// ---- the workstation and its configuration ----
pub const INIT: &str = "workstation.init";
pub const CATALOG_IMPORT: &str = "catalog.import";
pub const CALENDAR_IMPORT: &str = "calendar.import";
/// An administrator accepts a clock that went back or jumped ahead.
pub const CLOCK_CONFIRM: &str = "clock.confirm";
/// From here on every event must carry its signer's signature (a real workstation, at init).
pub const JOURNAL_SIGNING: &str = "journal.signing";
/// The workstation's signing key (public half), for events no person makes.
pub const WORKSTATION_KEY: &str = "workstation.key";

// ---- staff accounts ----
pub const STAFF_ADD: &str = "staff.add";
pub const STAFF_PASSWORD: &str = "staff.password";
pub const STAFF_LOCKED: &str = "staff.locked";
pub const STAFF_UNLOCK: &str = "staff.unlock";
pub const STAFF_PASSWORD_CHANGE: &str = "staff.password.change";
pub const STAFF_PASSWORD_RESET: &str = "staff.password.reset";
/// An account's signing key (public half): made with the account, replaced by a reset.
pub const STAFF_KEY: &str = "staff.key";

// ---- seals and documents ----
pub const SEAL_TRUST_ANCHOR: &str = "seal.trust_anchor";
pub const SEAL_AUTHORITY: &str = "seal.authority";
pub const SEAL_ISSUE: &str = "seal.issue";
pub const SEAL_REVOKE: &str = "seal.revoke";
pub const SEAL_UNLOCK: &str = "seal.unlock";
/// A decision, notice or certificate sealed (the usage log entry is derived from it).
pub const DOCUMENT_SEALED: &str = "document.sealed";
/// A sealed document got its document timestamp (PAdES B-T/B-LT) from the sync pass: the stamped
/// file replaces the B-B one as the document's current file (crate::timestamping).
pub const DOCUMENT_TIMESTAMPED: &str = "document.timestamped";
/// The seal authority took a time-stamping authority's root into the trust bundle.
pub const SEAL_TSA_ROOT: &str = "seal.tsa_root";

// ---- other departments (arriving through sync) ----
pub const DEPT_OPINION: &str = "dept.opinion";
pub const DEPT_DECISION: &str = "dept.decision";

// ---- parallel approval (并联审批) ----
/// A theme filed once: its snapshot and the branch case numbers; the branch filings follow in
/// the same transaction (crate::theme).
pub const THEME_FILE: &str = "theme.file";

// ---- delivery of the result to the applicant (送达, crate::delivery) ----
/// How the result will reach the applicant (chosen at intake, changed until it is sent).
pub const DELIVERY_PLAN: &str = "delivery.plan";
/// Handed to the post, a courier, the city platform's courier or the township agent.
pub const DELIVERY_DISPATCH: &str = "delivery.dispatch";
/// Signed for by the applicant or a proxy (签收), at the window or on the return card.
pub const DELIVERY_RECEIPT: &str = "delivery.receipt";
/// Came back undelivered (退件).
pub const DELIVERY_RETURN: &str = "delivery.return";

// ---- electronic licences (电子证照, crate::licence) ----
/// A licence from the licence library (证照库), pulled through the inbox.
pub const LICENCE_IMPORT: &str = "licence.import";

// ---- notices to the applicant (办件通知, crate::notice) ----
/// The applicant consents to notices at a phone number, or withdraws.
pub const NOTICE_CONSENT: &str = "notice.consent";
/// A templated notice queued for the SMS gateway (with the case action that prompted it).
pub const NOTICE_QUEUED: &str = "notice.queued";

// ---- appointments (预约, crate::appointment) ----
/// The slots of a window or an item (times and capacity on every working day).
pub const APPOINTMENT_SCHEDULE: &str = "appointment.schedule";
/// A slot booked, at the window or from the online hall (through the inbox).
pub const APPOINTMENT_BOOK: &str = "appointment.book";
pub const APPOINTMENT_CANCEL: &str = "appointment.cancel";
/// The applicant did not come (爽约).
pub const APPOINTMENT_NO_SHOW: &str = "appointment.no_show";
/// The applicant came: the booking becomes an intake (an appointed case) and a priority ticket.
pub const APPOINTMENT_CHECK_IN: &str = "appointment.check_in";

// ---- queue calling (排队叫号, crate::queue) ----
pub const QUEUE_TAKE: &str = "queue.take";
pub const QUEUE_CALL: &str = "queue.call";
pub const QUEUE_RECALL: &str = "queue.recall";
pub const QUEUE_SKIP: &str = "queue.skip";
pub const QUEUE_TRANSFER: &str = "queue.transfer";
/// The window finished with its ticket and nobody else waits for it.
pub const QUEUE_DONE: &str = "queue.done";
// ---- fees (一次性收费, crate::fee) ----
/// A case's (or theme's) fees paid, with the receipt number.
pub const FEE_PAY: &str = "fee.pay";
/// Waived for a stated reason (减免).
pub const FEE_EXEMPT: &str = "fee.exempt";
/// Paid back (退费) with the voucher number and the reason.
pub const FEE_REFUND: &str = "fee.refund";

// ---- agents (代办, crate::agent) ----
/// The agent who filed a case for the applicant (in the filing's transaction).
pub const AGENT_RECORD: &str = "agent.record";
/// The workstation's service post level (县/乡/村) set.
pub const SERVICE_POST: &str = "workstation.post";

// ---- sync administration ----
pub const SYNC_ADAPTER: &str = "sync.adapter";
pub const SYNC_ENABLE: &str = "sync.enable";
pub const SYNC_DISABLE: &str = "sync.disable";
pub const SYNC_REMOVE: &str = "sync.remove";
pub const SYNC_RETRY: &str = "sync.retry";
pub const SYNC_DISCARD: &str = "sync.discard";
/// A far side's receipt key, pinned at its first receipt for journal heads (crate::anchor).
pub const SYNC_ANCHOR_KEY: &str = "sync.anchor_key";

// ---- backups ----
/// A signed backup of the store was made (its directory, journal head and manifest hash).
pub const BACKUP: &str = "backup.made";
/// The store was replaced by a backup (the replaced head, and the reason when forced).
pub const RESTORE: &str = "backup.restore";
/// A plain store is being converted to encrypted (the verified backup made first, the key id).
pub const STORE_ENCRYPT: &str = "store.encrypt";
/// A new recovery key replaced the old one (the old one no longer opens the store).
pub const RECOVERY_KEY: &str = "store.recovery_key";

// ---- supervision, evaluation, complaints ----
pub const SUPERVISION_CONFIG: &str = "supervision.config";
/// One monitor hit (journals written before the hits of a run were batched; still projected).
pub const SUPERVISION_HIT: &str = "supervision.hit";
/// The hits one monitor run raised, up to [`crate::supervision::monitors::HITS_PER_EVENT`] per
/// event: payload `{"hits": [Hit, …]}`. Each hit is still its own `supervision.hit` outbox item.
pub const SUPERVISION_HITS: &str = "supervision.hits";
pub const RATING: &str = "rating.record";
pub const WORK_ORDER_STEP: &str = "work_order.step";
pub const COMPLAINT_REGISTER: &str = "complaint.register";
pub const COMPLAINT_ASSIGN: &str = "complaint.assign";
pub const COMPLAINT_LINK: &str = "complaint.link";
pub const COMPLAINT_ANSWER: &str = "complaint.answer";

// Enrollment with the city platform and offline update bundles (crate::enrollment,
// crate::provisioning): the request sent, training mode, and each package applied.
pub const ENROLL_REQUEST: &str = "enrollment.request";
pub const TRAINING_MODE: &str = "enrollment.training";
pub const PROVISION_APPLY: &str = "provision.apply";

#[cfg(test)]
mod tests {
    #[test]
    fn names_are_distinct_and_never_a_case_action() {
        let src = include_str!("events.rs");
        let names: Vec<&str> =
            src.lines().filter_map(|l| l.strip_prefix("pub const ")).filter_map(|l| l.split('"').nth(1)).collect();
        assert!(names.len() > 30, "{names:?}");
        let mut sorted = names.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), names.len(), "a name is used twice");
        for n in &names {
            assert!(!n.starts_with("case."), "{n} would read as a case action");
        }
    }
}
