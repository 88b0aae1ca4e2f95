import type { AdapterStatus, CaseDetail, CaseSummary, CatalogEntry } from "../src/bindings";

export function summary(i: number, over: Partial<CaseSummary> = {}): CaseSummary {
  return {
    case_no: `440305-W01-20261123-${String(i).padStart(5, "0")}`,
    item_code: "SPJY",
    item_name: "食品经营许可",
    department: "示范区市场监督管理局",
    kind: "promised",
    applicant_id: "440305199005171235",
    applicant_name: `申请人${i}`,
    channel: "window",
    state: "accepted",
    state_zh: "已受理",
    filed_on: "2026-11-20",
    accepted_on: "2026-11-20",
    due_date: "2026-12-01",
    closed_on: null,
    days_left: 5,
    light: "green",
    paused: false,
    deadline_note: null,
    phase: "decision",
    decided_on: null,
    decision_due: null,
    decision_late_days: null,
    delivery_due: null,
    ...over,
  };
}

export function detail(over: Partial<CaseDetail> = {}): CaseDetail {
  return {
    summary: summary(1, { state: "under_review", state_zh: "审查中" }),
    catalog_version: 1,
    outcome: null,
    certificate_made: false,
    has_certificate: true,
    licence_status: null,
    extension_days: 0,
    stopped_days: 0,
    supplement_count: 0,
    limit_days: 10,
    statutory_days: 20,
    materials: [{ material_id: "m1", name: "营业执照", required: true, provided: true, reused_from: null }],
    events: [
      { seq: 1, id: "e1", case_no: "x", actor: "zhangwei", role: "clerk", action: "file", at: "2026-11-20T01:00:00.000Z", payload: {}, reason: null, hash: "00" },
    ],
    documents: [],
    attachments: [],
    sub_item: null,
    available: [
      { code: "approve", zh: "准予许可", needs_reason: false, needs_basis: false },
      { code: "deny", zh: "不予许可", needs_reason: true, needs_basis: true },
    ],
    ...over,
  };
}

export const item: CatalogEntry = {
  code: "SPJY",
  name: "食品经营许可",
  department: "示范区市场监督管理局",
  item_type_zh: "行政许可",
  kind: "promised",
  kind_zh: "承诺件",
  statutory_days: 20,
  promised_days: 10,
  online: true,
  secret: false,
  materials: [
    { id: "m1", name: "营业执照", required: true, reusable: true, originals: 1, copies: 1, note: null },
    { id: "m2", name: "食品安全管理制度", required: true, reusable: false, originals: 1, copies: 0, note: null },
    { id: "m3", name: "原食品经营许可证", required: true, reusable: false, originals: 1, copies: 0, note: null },
  ],
  sub_items: [
    { code: "SPJY-01", name: "新办", materials: ["m1", "m2"] },
    { code: "SPJY-02", name: "延续", materials: ["m1", "m3"] },
  ],
};

export function adapter(name: string, over: Partial<AdapterStatus> = {}): AdapterStatus {
  return {
    name,
    kind: "city-extranet",
    enabled: true,
    state: "ok",
    streams: ["*"],
    departments: ["*"],
    last_run_at: "2026-11-23T01:00:00.000Z",
    last_success_at: "2026-11-23T01:00:00.000Z",
    last_error: null,
    last_error_class: null,
    last_error_at: null,
    backlog: { pending: 0, sending: 0, sent: 0, acked: 10, failed: 0, quarantined: 0, discarded: 0 },
    oldest_unacked_since: null,
    inbox_received: 0,
    inbox_failed: 0,
    anchored_seq: null,
    anchored_at: null,
    ...over,
  };
}
