// PROVISIONAL (hand-written until the generator runs)
import { call } from "./ipc";

export type JsonValue = number | string | boolean | Array<JsonValue> | { [key in string]?: JsonValue } | null;
export type IpcError = { kind: string, message: string };
export type Label = { code: string, zh: string, en: string };
export type Identity = { region: string, code: string, name: string };
export type AppInfo = { identity: Identity, today: string, data_dir: string, demo: boolean, version: string, states: Array<Label>, actions: Array<Label>, roles: Array<Label> };
export type StaffEntry = { id: string, name: string, roles_zh: Array<string> };
export type MaterialEntry = { id: string, name: string, required: boolean, reusable: boolean, originals: number, copies: number, note: string | null };
export type CatalogEntry = { code: string, name: string, department: string, item_type_zh: string, kind: string, kind_zh: string, statutory_days: number, promised_days: number, online: boolean, secret: boolean, materials: Array<MaterialEntry> };
export type CatalogDoc = { entry: CatalogEntry, version: number, legal_basis: Array<string>, guide_text: string, notice_text: string };
export type Role = "clerk" | "reviewer" | "decider" | "seal_keeper" | "admin";
export type Actor = { id: string, name: string, roles: Array<Role>, departments: Array<string> };
export type Light = "green" | "yellow" | "red";
export type CaseSummary = { case_no: string, item_code: string, item_name: string, department: string, kind: string, applicant_id: string, applicant_name: string, channel: string, state: string, state_zh: string, filed_on: string, accepted_on: string | null, due_date: string | null, closed_on: string | null, days_left: number | null, light: Light | null, paused: boolean, deadline_note: string | null };
export type DocumentRow = { doc_id: string, case_no: string, doc_type: string, doc_type_zh: string, seal_id: string, file_sha256: string, sealed_at: string, sealed_by: string, path: string };
export type MaterialRow = { material_id: string, name: string, required: boolean, provided: boolean, reused_from: string | null };
export type ActionInfo = { code: string, zh: string, needs_reason: boolean, needs_basis: boolean };
export type Event = { seq: number, id: string, case_no: string | null, actor: string, role: string, action: string, at: string, payload: JsonValue, reason: string | null, hash: string };
export type CaseDetail = { summary: CaseSummary, catalog_version: number, outcome: string | null, certificate_made: boolean, has_certificate: boolean, licence_status: string | null, extension_days: number, stopped_days: number, supplement_count: number, limit_days: number, statutory_days: number, materials: Array<MaterialRow>, events: Array<Event>, documents: Array<DocumentRow>, available: Array<ActionInfo> };
export type ListFilter = { state: string | null, light: Light | null, department: string | null, applicant_id: string | null, open_only: boolean, limit: number | null, offset: number | null };
export type LightCounts = { green: number, yellow: number, red: number, paused: number, unknown: number };
export type IdKind = "ResidentId" | "LegacyResidentId" | "CreditCode" | "LicenceId";
export type IdReport = { kind: IdKind | null, normalized: string, valid: boolean, error: string | null, overridable: boolean, birth_date: string | null };
export type NewCase = { item_code: string, applicant_id: string, applicant_name: string, phone: string | null, channel: string | null, provided: Array<string> | null, reuse: Array<[string, string]>, appointment: boolean, id_override: string | null, note: string | null };
export type ActRequest = { reason: string | null, legal_basis: string | null, days: number | null, materials: Array<string>, detail: string | null };
export type ReusableMaterial = { material_id: string, name: string, case_no: string, filed_on: string };
export type Status = { path: string, schema_version: number, identity: Identity, journal_events: number, cases: number, open_cases: number, catalog_version: number | null, calendar_years: Array<number>, today: string };

export function app_info(): Promise<AppInfo> {
  return call("app_info", {  });
}

export function list_staff(): Promise<Array<StaffEntry>> {
  return call("list_staff", {  });
}

export function login(id: string, password: string): Promise<Actor> {
  return call("login", { id, password });
}

export function logout(): Promise<null> {
  return call("logout", {  });
}

export function lock(): Promise<null> {
  return call("lock", {  });
}

export function unlock(password: string): Promise<Actor> {
  return call("unlock", { password });
}

export function current_actor(): Promise<Actor | null> {
  return call("current_actor", {  });
}

export function list_cases(filter: ListFilter): Promise<Array<CaseSummary>> {
  return call("list_cases", { filter });
}

export function search_cases(query: string, limit: number): Promise<Array<CaseSummary>> {
  return call("search_cases", { query, limit });
}

export function light_counts(): Promise<LightCounts> {
  return call("light_counts", {  });
}

export function case_detail(case_no: string): Promise<CaseDetail> {
  return call("case_detail", { case_no });
}

export function act(case_no: string, action: string, request: ActRequest): Promise<CaseDetail> {
  return call("act", { case_no, action, request });
}

export function check_id(number: string): Promise<IdReport> {
  return call("check_id", { number });
}

export function catalog_items(): Promise<Array<CatalogEntry>> {
  return call("catalog_items", {  });
}

export function catalog_item(code: string): Promise<CatalogDoc> {
  return call("catalog_item", { code });
}

export function reusable_materials(applicant_id: string): Promise<Array<ReusableMaterial>> {
  return call("reusable_materials", { applicant_id });
}

export function new_case(request: NewCase): Promise<string> {
  return call("new_case", { request });
}

export function status(): Promise<Status> {
  return call("status", {  });
}

export function import_calendar(json: string): Promise<number> {
  return call("import_calendar", { json });
}
