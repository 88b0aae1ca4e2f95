//! The item contract: every stream and kind the outbox produces, as types, and the case snapshot
//! each case item carries. docs/adapter-protocol.md §3.8 lists exactly these (a test parses its
//! tables) and docs/schemas/ holds a JSON Schema per payload (a test validates every payload the
//! demo workstation emits), so docs and code cannot drift.

use rusqlite::{Transaction, params};
use serde::Serialize;

use crate::case::{self, Action};
use crate::error::{CoreError, Result};

/// An outbox stream: what an adapter subscribes to (`yc adapter add --streams`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stream {
    /// Case events and sealed documents, in per-case order.
    Cases,
    /// Answers to far-side queries (a status query); no per-case order.
    Replies,
    /// Supervision events (电子监察 monitor hits); no per-case order.
    Supervision,
    /// 好差评: ratings given at this workstation and each step of the work order a 差评 opens;
    /// no per-case order. Ratings that came from the far side are not sent back.
    Evaluations,
    /// Delivery of results to applicants (送达: method, dispatch, receipt, 退件); no per-case
    /// order. The city platform's unified courier (统一快递) takes its pickups from here.
    Deliveries,
    /// Notices to applicants (办件通知: accepted, supplement needed, decided, ready for pickup,
    /// delivered) for the SMS gateway; no per-case order.
    Notifications,
}

impl Stream {
    pub const ALL: &'static [Stream] = &[
        Stream::Cases,
        Stream::Replies,
        Stream::Supervision,
        Stream::Evaluations,
        Stream::Deliveries,
        Stream::Notifications,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Cases => "cases",
            Self::Replies => "replies",
            Self::Supervision => "supervision",
            Self::Evaluations => "evaluations",
            Self::Deliveries => "deliveries",
            Self::Notifications => "notifications",
        }
    }

    /// False for names kept free for later use: an adapter may subscribe, but no item comes yet.
    pub fn produced(self) -> bool {
        matches!(
            self,
            Self::Cases
                | Self::Replies
                | Self::Supervision
                | Self::Evaluations
                | Self::Deliveries
                | Self::Notifications
        )
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|x| x.code() == s)
    }
}

impl std::fmt::Display for Stream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// The kind of an outbox item. Case kinds are derived from [`Action`], so a new action is a new
/// kind without a second list to keep in step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ItemKind {
    /// `case.<action code>`: a case action was journaled.
    Case(Action),
    /// `document.sealed`: a document of a case was sealed (journal action `document.sealed`).
    DocumentSealed,
    /// `case.status`: the answer to a far side's status query.
    CaseStatus,
    /// `supervision.hit`: a monitor raised a supervision event (journal action `supervision.hit`).
    SupervisionHit,
    /// `delivery.<op>`: a step of a result's delivery (journal action of the same name).
    Delivery(crate::delivery::Op),
    /// `notice.sms`: a templated notice to the applicant's consented phone (crate::notice).
    Notice,
    /// `evaluation.rating`: an applicant's rating captured here (journal action `rating.record`).
    Rating,
    /// `evaluation.work_order`: a step of a 差评's work order (journal action `work_order.step`).
    WorkOrderStep,
}

impl ItemKind {
    /// Every kind, case actions in [`Action::ALL`] order first.
    pub fn all() -> Vec<ItemKind> {
        let mut v: Vec<ItemKind> = Action::ALL.iter().map(|&a| ItemKind::Case(a)).collect();
        v.extend([ItemKind::DocumentSealed, ItemKind::CaseStatus, ItemKind::SupervisionHit]);
        v.extend(crate::delivery::Op::ALL.iter().map(|&o| ItemKind::Delivery(o)));
        v.extend([ItemKind::Notice, ItemKind::Rating, ItemKind::WorkOrderStep]);
        v
    }

    pub fn code(self) -> String {
        match self {
            Self::Case(a) => format!("case.{}", a.code()),
            Self::DocumentSealed => crate::events::DOCUMENT_SEALED.to_owned(),
            Self::CaseStatus => "case.status".to_owned(),
            Self::SupervisionHit => crate::events::SUPERVISION_HIT.to_owned(),
            Self::Delivery(o) => o.event().to_owned(),
            Self::Notice => "notice.sms".to_owned(),
            Self::Rating => "evaluation.rating".to_owned(),
            Self::WorkOrderStep => "evaluation.work_order".to_owned(),
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::all().into_iter().find(|k| k.code() == s)
    }

    pub fn stream(self) -> Stream {
        match self {
            Self::Case(_) | Self::DocumentSealed => Stream::Cases,
            Self::CaseStatus => Stream::Replies,
            Self::SupervisionHit => Stream::Supervision,
            Self::Delivery(_) => Stream::Deliveries,
            Self::Notice => Stream::Notifications,
            Self::Rating | Self::WorkOrderStep => Stream::Evaluations,
        }
    }

    /// The kind a journaled case event travels as; `None` for events that are not sent
    /// (a department opinion that arrived by sync, admin events).
    pub fn for_event(action: &str) -> Option<Self> {
        if action == crate::events::DOCUMENT_SEALED {
            return Some(Self::DocumentSealed);
        }
        Action::ALL.iter().copied().find(|a| a.code() == action).map(Self::Case)
    }

    /// The file under docs/schemas/ that describes this kind's payload.
    pub fn schema_file(self) -> &'static str {
        match self {
            Self::Case(_) => "item.case.schema.json",
            Self::DocumentSealed => "item.document.sealed.schema.json",
            Self::CaseStatus => "item.case.status.schema.json",
            Self::SupervisionHit => "item.supervision.hit.schema.json",
            Self::Delivery(_) => "item.delivery.schema.json",
            Self::Notice => "item.notice.sms.schema.json",
            Self::Rating => "item.evaluation.rating.schema.json",
            Self::WorkOrderStep => "item.evaluation.work_order.schema.json",
        }
    }
}

/// On the wire (IPC, JSON) a kind is its code, `case.accept`; TypeScript sees the union of every
/// code (`ItemKind` in ui/src/bindings.ts, written from [`ItemKind::all`]).
impl Serialize for ItemKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.code())
    }
}

impl std::fmt::Display for ItemKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.code())
    }
}

/// Who and what a case is about, on every item of the case (`payload.case`), so an adapter
/// needs no memory of earlier items to map a later one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseSnapshot {
    pub case_no: String,
    pub item: ItemRef,
    pub department: String,
    pub applicant: ApplicantRef,
    pub channel: case::Channel,
    pub kind: case::Kind,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemRef {
    pub code: String,
    pub name: String,
    /// The catalog version the case was opened under (it keeps it).
    pub catalog_version: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApplicantRef {
    /// person | legal_person (the `cases.applicant_kind` code)
    pub kind: String,
    pub id: String,
    pub name: String,
}

impl CaseSnapshot {
    /// Reads the case row inside the caller's transaction, so the snapshot is the state the
    /// item's own event left.
    pub fn read(tx: &Transaction<'_>, case_no: &str) -> Result<Self> {
        let (item, department, applicant, channel, kind) = tx
            .prepare_cached(
                "SELECT item_code, item_name, catalog_version, department, applicant_kind, applicant_id,
                        applicant_name, channel, kind
                 FROM cases WHERE case_no = ?1",
            )?
            .query_row(params![case_no], |r| {
                Ok((
                    ItemRef { code: r.get(0)?, name: r.get(1)?, catalog_version: r.get(2)? },
                    r.get::<_, String>(3)?,
                    ApplicantRef { kind: r.get(4)?, id: r.get(5)?, name: r.get(6)? },
                    r.get::<_, String>(7)?,
                    r.get::<_, String>(8)?,
                ))
            })?;
        let kind = case::Kind::parse(&kind)
            .ok_or_else(|| CoreError::Invalid(format!("办件 {case_no} 的办件类型无法识别：{kind}")))?;
        let channel = case::Channel::parse(&channel)
            .ok_or_else(|| CoreError::Invalid(format!("办件 {case_no} 的收件渠道无法识别：{channel}")))?;
        Ok(Self { case_no: case_no.to_owned(), item, department, applicant, channel, kind })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_parses_back_and_lives_on_a_produced_stream() {
        let all = ItemKind::all();
        assert_eq!(all.len(), Action::ALL.len() + 6 + crate::delivery::Op::ALL.len());
        let codes: std::collections::HashSet<String> = all.iter().map(|k| k.code()).collect();
        assert_eq!(codes.len(), all.len(), "kind codes are unique");
        for k in all {
            assert_eq!(ItemKind::parse(&k.code()), Some(k));
            assert!(k.stream().produced(), "{k} is produced on a reserved stream");
        }
        assert_eq!(ItemKind::for_event("document.sealed"), Some(ItemKind::DocumentSealed));
        assert_eq!(ItemKind::for_event("accept"), Some(ItemKind::Case(Action::Accept)));
        // A Chinese action name is a label, not an event code.
        assert_eq!(ItemKind::for_event("受理"), None);
        assert_eq!(ItemKind::for_event("dept.opinion"), None);
    }
}
