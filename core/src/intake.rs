//! Intake (收件): filing an application or booking an appointment — the applicant checked
//! (ids), the item's materials snapshotted, reuse of earlier materials (一号式), attachments, the
//! case number given out — in one transaction with its journal event and outbox item.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::case::{self, Action, Role};
use crate::catalog::Item;
use crate::error::{CoreError, Result};
use crate::ids;
use crate::journal::{self, NewEvent};
use crate::numbering;
use crate::projection::{ApplicantSnapshot, FiledPayload, ItemSnapshot, MaterialRecord, Projector, SubItemRef};
use crate::staff::Actor;
use crate::workstation::{Workstation, enum_code};

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct NewCase {
    pub item_code: String,
    pub applicant_id: String,
    pub applicant_name: String,
    #[serde(default)]
    pub phone: Option<String>,
    /// None: at the window.
    #[serde(default)]
    pub channel: Option<case::Channel>,
    /// Material ids handed in. `None` = all required materials handed in.
    #[serde(default)]
    pub provided: Option<Vec<String>>,
    /// material id → earlier case number it is reused from.
    #[serde(default)]
    pub reuse: Vec<(String, String)>,
    /// Book an appointment (预约) instead of filing now.
    #[serde(default)]
    pub appointment: bool,
    /// A credit code that fails only its checksum (early pilot codes) may be accepted with a reason.
    #[serde(default)]
    pub id_override: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
    /// Scans and photos already stored with `put_attachment`, named by hash.
    #[serde(default)]
    pub attachments: Vec<crate::attachment::Attachment>,
    /// The situation (办理情形, a catalog sub-item code) when the item has several: only its
    /// materials apply. None = every material of the item.
    #[serde(default)]
    pub sub_item: Option<String>,
    /// How the result is to reach the applicant (送达方式), recorded with the filing; changeable
    /// later (`plan_delivery`). None: not asked yet.
    #[serde(default)]
    pub delivery: Option<crate::delivery::Plan>,
    /// material id → electronic licence id (电子证照) taken instead of a paper copy: a valid
    /// licence of the applicant that names the material (`licence_offers`).
    #[serde(default)]
    pub licences: Vec<(String, String)>,
    /// The township or village agent filing for the applicant (代办, crate::agent); the
    /// applicant's authorisation must be among `attachments`, linked to material
    /// [`crate::agent::AUTHORISATION`]. None: the applicant (or their own proxy) at the window.
    #[serde(default)]
    pub agent: Option<crate::agent::Filing>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct ReusableMaterial {
    pub material_id: String,
    pub name: String,
    pub case_no: String,
    pub filed_on: String,
}

impl Workstation {
    /// Stores a scan or photo for an intake in progress (before the case exists). Clerks only.
    /// Unreferenced files cost disk, never correctness: only the journal makes a file part of a case.
    pub fn put_attachment(&self, by: &Actor, name: &str, bytes: &[u8]) -> Result<crate::attachment::Attachment> {
        by.require_role(Role::Clerk, "添加附件")?;
        self.blobs().put(name, bytes)
    }

    /// Files a new application (or books an appointment). Returns the case number.
    pub fn new_case(&self, by: &Actor, req: &NewCase) -> Result<String> {
        let mut out = self.new_cases(by, std::slice::from_ref(req))?;
        Ok(out.remove(0))
    }

    /// Files several cases in one transaction (bulk intake from a township packet, the demo,
    /// benchmarks). All or none.
    pub fn new_cases(&self, by: &Actor, reqs: &[NewCase]) -> Result<Vec<String>> {
        let now = self.now();
        let mut projector = Projector::new(self.calendar().clone());
        self.store.write(|tx| {
            let prepared = self.prepare_filings(tx, by, reqs)?;
            self.write_filings(tx, &mut projector, by, &prepared, reqs, now)
        })
    }

    /// The checks and payloads of `reqs` (role, department, applicant, materials), before any
    /// write. The items are read on `conn`: filing passes its own transaction, so they come from
    /// the writer's warm page cache (catalog_versions::item_on says why) and any refusal rolls
    /// the whole batch back.
    pub(crate) fn prepare_filings(
        &self,
        conn: &rusqlite::Connection,
        by: &Actor,
        reqs: &[NewCase],
    ) -> Result<Vec<Prepared>> {
        let today = self.today();
        let mut prepared = Vec::with_capacity(reqs.len());
        let mut items: std::collections::HashMap<&str, (i64, Item)> = std::collections::HashMap::new();
        for req in reqs {
            let role = role_for(by, action_new(req))?;
            if !items.contains_key(req.item_code.as_str()) {
                items.insert(&req.item_code, crate::catalog_versions::item_on(conn, &req.item_code, None)?);
            }
            let (version, item) = &items[req.item_code.as_str()];
            by.require_department(&item.department)?;
            let plan = req.delivery.as_ref().map(crate::delivery::Plan::normalized).transpose()?;
            let payload = self.filed_payload(req, *version, item, today)?;
            let agent = match &req.agent {
                Some(f) => Some(agent_record(f, &payload, &self.service_post()?, today)?),
                None => None,
            };
            prepared.push((role, payload, plan, agent));
        }
        Ok(prepared)
    }

    /// Journals prepared filings inside the caller's transaction (a check-in files its appointed
    /// case in its own). Returns the case numbers.
    pub(crate) fn write_filings(
        &self,
        tx: &rusqlite::Transaction<'_>,
        projector: &mut Projector,
        by: &Actor,
        prepared: &[Prepared],
        reqs: &[NewCase],
        now: chrono::DateTime<chrono::FixedOffset>,
    ) -> Result<Vec<String>> {
        let day_key = now.format("%Y%m%d").to_string();
        let mut seq = numbering::last_seq(tx, &day_key)?;
        let mut out = Vec::with_capacity(prepared.len());
        for ((role, payload, plan, agent), req) in prepared.iter().zip(reqs) {
            seq += 1;
            let no = numbering::case_no(&self.identity, now.date_naive(), seq);
            let ev = journal::append(
                tx,
                NewEvent {
                    case_no: Some(&no),
                    actor: &by.id,
                    role: role.code(),
                    action: action_new(req).code(),
                    at: now,
                    payload: serde_json::to_value(payload).map_err(|e| CoreError::Invalid(e.to_string()))?,
                    reason: None,
                },
            )?;
            projector.apply(tx, &ev)?;
            crate::sync::outbox::enqueue(tx, &ev, &self.label())?;
            if let Some(p) = plan {
                let step = crate::delivery::Step::Plan {
                    case_no: no.clone(),
                    method: p.method,
                    address: p.address.clone(),
                    recipient: p.recipient.clone(),
                };
                crate::delivery::project::write(tx, &by.id, Role::Clerk.code(), &step, now, &self.label())?;
            }
            if let Some(a) = agent {
                let r = crate::agent::Record { case_no: no.clone(), ..a.clone() };
                crate::agent::write(tx, &by.id, now, &r)?;
            }
            out.push(no);
        }
        Ok(out)
    }

    pub(crate) fn filed_payload(
        &self,
        req: &NewCase,
        version: i64,
        item: &Item,
        today: NaiveDate,
    ) -> Result<FiledPayload> {
        let name = req.applicant_name.trim();
        if name.is_empty() {
            return Err(CoreError::Missing { action: "申请收件".into(), field: "申请人姓名或名称".into() });
        }
        let raw = ids::normalize(&req.applicant_id);
        let overridden = req.id_override.as_deref().is_some_and(|r| !r.trim().is_empty());
        // The rule (checksum override, warnings the clerk confirms, a number that reads as a
        // person's ID) is ids::accept_for_intake; a reason given is recorded with the case.
        let accepted = ids::accept_for_intake(&raw, today, None, overridden)?;
        let looks_credit = accepted.kind == ids::IdKind::CreditCode;
        let (kind, id) = (if looks_credit { "legal_person" } else { "person" }, accepted.normalized);
        // An agent files through the township's channel (乡镇代办), never online.
        let channel =
            req.channel.unwrap_or(if req.agent.is_some() { case::Channel::Township } else { case::Channel::Window });
        if req.agent.is_some() && channel == case::Channel::Online {
            return Err(CoreError::Invalid("网上申报不登记代办员：代办在乡镇或村便民服务站收件".into()));
        }
        if item.secret && channel == case::Channel::Online {
            return Err(CoreError::Invalid(format!("涉密事项「{}」不得网上办理", item.name)));
        }
        let situation = match req.sub_item.as_deref().filter(|c| !c.trim().is_empty()) {
            Some(code) => Some(
                item.sub_items
                    .iter()
                    .find(|s| s.code == code)
                    .ok_or_else(|| CoreError::Invalid(format!("事项「{}」没有编码为 {code} 的办理情形", item.name)))?,
            ),
            None => None,
        };
        let applies = |id: &str| situation.is_none_or(|s| s.materials.iter().any(|m| m == id));
        let known: std::collections::HashSet<&str> =
            item.materials.iter().map(|m| m.id.as_str()).filter(|id| applies(id)).collect();
        for id in req.provided.iter().flatten().chain(req.reuse.iter().chain(&req.licences).map(|(m, _)| m)) {
            if !known.contains(id.as_str()) {
                return Err(CoreError::Invalid(format!("事项「{}」没有材料 {id}", item.name)));
            }
        }
        // Only a reuse request needs the applicant's history (bulk intake skips the lookup).
        let reusable = if req.reuse.is_empty() { Vec::new() } else { self.reusable_materials(&id)? };
        let mut materials = Vec::with_capacity(item.materials.len());
        for m in item.materials.iter().filter(|m| applies(&m.id)) {
            let reused_from = req.reuse.iter().find(|(mid, _)| *mid == m.id).map(|(_, c)| c.clone());
            if let Some(from) = &reused_from {
                if !m.reusable {
                    return Err(CoreError::Invalid(format!("材料「{}」不可复用，须重新提交", m.name)));
                }
                if !reusable.iter().any(|r| &r.case_no == from && r.name == m.name) {
                    return Err(CoreError::Invalid(format!("办件 {from} 中没有该申请人可复用的「{}」", m.name)));
                }
            }
            // A licence from the directory stands for the paper copy; it is named where a reuse
            // names its case (a licence id never reads as a case number).
            let reused_from = match req.licences.iter().find(|(mid, _)| *mid == m.id) {
                Some((_, lid)) => Some(self.licence_for_material(lid, &id, &m.name, today)?),
                None => reused_from,
            };
            // Without a list, a window filing takes the required materials as handed in; an
            // appointment has handed in nothing yet (the clerk ticks them at check-in).
            let provided = reused_from.is_some()
                || req.provided.as_ref().map_or(m.required && !req.appointment, |p| p.contains(&m.id));
            materials.push(MaterialRecord {
                id: m.id.clone(),
                name: m.name.clone(),
                required: m.required,
                provided,
                reused_from,
            });
        }
        Ok(FiledPayload {
            item: ItemSnapshot {
                code: item.code.clone(),
                version,
                name: item.name.clone(),
                department: item.department.clone(),
                kind: if enum_code(&item.kind) == "immediate" { case::Kind::Immediate } else { case::Kind::Promised },
                promised_days: item.promised_limit_days,
                statutory_days: item.statutory_limit_days,
                has_certificate: item.result.as_ref().is_some_and(|r| enum_code(&r.kind) == "certificate"),
            },
            applicant: ApplicantSnapshot { kind: kind.into(), id, name: name.into(), phone: req.phone.clone() },
            channel: channel.code().to_owned(),
            materials,
            id_override: if looks_credit || accepted.overridden { req.id_override.clone() } else { None },
            note: req.note.clone(),
            attachments: crate::attachment::check_for_filing(&self.blobs(), &req.attachments, &{
                // An agent's filing carries the applicant's authorisation besides the item's materials.
                let mut k = known.clone();
                if req.agent.is_some() {
                    k.insert(crate::agent::AUTHORISATION);
                }
                k
            })?,
            sub_item: situation.map(|s| SubItemRef { code: s.code.clone(), name: s.name.clone() }),
        })
    }

    /// Checks that licence `lid` may stand for material `name` of applicant `holder` today.
    fn licence_for_material(&self, lid: &str, holder: &str, name: &str, today: NaiveDate) -> Result<String> {
        let id = crate::ids::normalize(lid);
        let l = crate::licence::project::one(&*self.store.reader()?, &id)?
            .ok_or_else(|| CoreError::Invalid(format!("电子证照 {id} 不在本机证照目录中")))?;
        if l.holder_id != holder {
            return Err(CoreError::Invalid(format!("电子证照 {id} 的持证人不是本申请人")));
        }
        let status = l.status_on(today);
        if status != crate::licence::Status::Valid {
            return Err(CoreError::Invalid(format!(
                "电子证照 {id}（{}）{}，不能代替「{name}」",
                l.type_name,
                status.zh()
            )));
        }
        if !l.fits(name) {
            return Err(CoreError::Invalid(format!("电子证照「{}」不能代替材料「{name}」", l.type_name)));
        }
        Ok(id)
    }

    /// Materials this applicant already handed in on earlier cases, offered for reuse (一号式).
    pub fn reusable_materials(&self, applicant_id: &str) -> Result<Vec<ReusableMaterial>> {
        let conn = self.store.reader()?;
        let mut st = conn.prepare_cached(
            "SELECT m.material_id, m.name, c.case_no, c.filed_on FROM case_materials m JOIN cases c USING (case_no)
             WHERE c.applicant_id = ?1 AND m.provided = 1 ORDER BY c.filed_on DESC, c.case_no DESC",
        )?;
        let rows = st.query_map([applicant_id], |r| {
            Ok(ReusableMaterial { material_id: r.get(0)?, name: r.get(1)?, case_no: r.get(2)?, filed_on: r.get(3)? })
        })?;
        let mut seen = std::collections::HashSet::new();
        let mut out = Vec::new();
        for r in rows {
            let r = r?;
            if seen.insert(r.name.clone()) {
                out.push(r);
            }
        }
        Ok(out)
    }
}

/// A filing checked and ready to journal: the role it is taken in, its payload, its delivery plan
/// and the agent who filed it, if any.
pub(crate) type Prepared = (Role, FiledPayload, Option<crate::delivery::Plan>, Option<crate::agent::Record>);

fn action_new(r: &NewCase) -> Action {
    if r.appointment { Action::Appoint } else { Action::File }
}

/// The agent's record for a filing (the case number is filled in when it is given out): the
/// authorisation must be one of the filing's attachments.
fn agent_record(
    f: &crate::agent::Filing,
    payload: &FiledPayload,
    post: &crate::agent::Post,
    today: NaiveDate,
) -> Result<crate::agent::Record> {
    let (name, id_no, level, post) = f.resolve(post, today)?;
    let authorisation =
        payload.attachments.iter().find(|a| a.material.as_deref() == Some(crate::agent::AUTHORISATION)).ok_or_else(
            || CoreError::Missing {
                action: "代办收件".into(),
                field: format!("{}（扫描件，材料 {}）", crate::agent::AUTHORISATION_NAME, crate::agent::AUTHORISATION),
            },
        )?;
    if id_no.as_deref() == Some(payload.applicant.id.as_str()) {
        return Err(CoreError::Invalid("代办员与申请人是同一人：本人申请不必登记代办".into()));
    }
    Ok(crate::agent::Record {
        case_no: String::new(),
        name,
        id_no,
        level,
        post,
        applicant_name: payload.applicant.name.clone(),
        applicant_id: payload.applicant.id.clone(),
        authorisation: authorisation.sha256.clone(),
    })
}

pub(crate) fn role_for(actor: &Actor, action: Action) -> Result<Role> {
    let rule = case::rule(action);
    rule.roles.iter().copied().find(|r| actor.has_role(*r)).ok_or_else(|| CoreError::RoleDenied {
        actor: actor.name.clone(),
        role: rule.roles.iter().map(|r| r.zh()).collect::<Vec<_>>().join("或"),
        action: action.zh().into(),
    })
}

pub(crate) fn refusal(state: case::State, action: Action, actor: &Actor, r: case::Refusal) -> CoreError {
    match r {
        case::Refusal::Role { needed } => CoreError::RoleDenied {
            actor: actor.name.clone(),
            role: needed.iter().map(|r| r.zh()).collect::<Vec<_>>().join("或"),
            action: action.zh().into(),
        },
        case::Refusal::State { detail } => {
            CoreError::IllegalTransition { state: state.zh().into(), action: action.zh().into(), detail }
        }
        case::Refusal::Missing { field } => CoreError::Missing { action: action.zh().into(), field: field.into() },
        case::Refusal::Invalid(m) => CoreError::Invalid(m),
    }
}
