//! A supervision hit (监察事件): the rule it breaks, how serious, the case, department and staff
//! member, the evidence. Monitors raise hits; overdue work orders and complaints raise them too.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A supervision rule. Stable codes (serde snake_case) travel in the journal and the outbox.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// The decision came (or is still missing) after its deadline.
    DecisionOverdue,
    /// Delivery (送达) after the §44 ten working days.
    DeliveryOverdue,
    /// No first handling within the pre-review days of filing.
    PreReviewLate,
    /// A second or later supplement request (多次补正).
    RepeatedSupplement,
    /// A refusal (不予受理/不予许可) whose legal basis is missing or generic.
    WeakLegalBasis,
    /// A 承诺件 decided implausibly soon after filing.
    HastyDecision,
    /// Many events in minutes on days-old cases (线下办理后集中录入).
    BackfillBurst,
    /// 办结 while a required material is not marked provided.
    ClosedWithoutMaterials,
    /// A 差评 work order past its working-day deadline.
    WorkOrderOverdue,
    /// A complaint not answered within its limit.
    ComplaintOverdue,
}

impl Rule {
    pub const ALL: &'static [Rule] = &[
        Rule::DecisionOverdue,
        Rule::DeliveryOverdue,
        Rule::PreReviewLate,
        Rule::RepeatedSupplement,
        Rule::WeakLegalBasis,
        Rule::HastyDecision,
        Rule::BackfillBurst,
        Rule::ClosedWithoutMaterials,
        Rule::WorkOrderOverdue,
        Rule::ComplaintOverdue,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Rule::DecisionOverdue => "decision_overdue",
            Rule::DeliveryOverdue => "delivery_overdue",
            Rule::PreReviewLate => "pre_review_late",
            Rule::RepeatedSupplement => "repeated_supplement",
            Rule::WeakLegalBasis => "weak_legal_basis",
            Rule::HastyDecision => "hasty_decision",
            Rule::BackfillBurst => "backfill_burst",
            Rule::ClosedWithoutMaterials => "closed_without_materials",
            Rule::WorkOrderOverdue => "work_order_overdue",
            Rule::ComplaintOverdue => "complaint_overdue",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Rule::DecisionOverdue => "决定超期",
            Rule::DeliveryOverdue => "送达超期",
            Rule::PreReviewLate => "预审超时",
            Rule::RepeatedSupplement => "多次补正",
            Rule::WeakLegalBasis => "否定无据",
            Rule::HastyDecision => "决定过快",
            Rule::BackfillBurst => "突击补录",
            Rule::ClosedWithoutMaterials => "材料不全办结",
            Rule::WorkOrderOverdue => "差评整改超期",
            Rule::ComplaintOverdue => "投诉答复超期",
        }
    }

    pub fn parse(s: &str) -> Option<Rule> {
        Rule::ALL.iter().copied().find(|r| r.code() == s || r.zh() == s)
    }

    pub fn severity(self) -> Severity {
        match self {
            Rule::DecisionOverdue
            | Rule::DeliveryOverdue
            | Rule::WeakLegalBasis
            | Rule::BackfillBurst
            | Rule::ClosedWithoutMaterials => Severity::Serious,
            _ => Severity::Warning,
        }
    }
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// 预警: to be looked at.
    Warning,
    /// 违规: counted against the department.
    Serious,
}

impl Severity {
    pub fn code(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Serious => "serious",
        }
    }
}

/// One supervision event: what was seen, where and by whom. The payload of `supervision.hit`.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hit {
    /// `rule:subject`: the same finding always has the same id (a second run raises nothing).
    pub hit_id: String,
    pub rule: Rule,
    pub severity: Severity,
    pub case_no: Option<String>,
    pub department: Option<String>,
    pub staff: Option<String>,
    /// The figures behind the finding (dates, counts, the basis text…).
    #[cfg_attr(feature = "ts", ts(type = "Record<string, unknown>"))]
    pub evidence: serde_json::Value,
    /// The day the offending thing happened (the period statistics count it in).
    pub occurred_on: NaiveDate,
}
