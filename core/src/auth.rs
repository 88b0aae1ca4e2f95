//! Who is acting: logins counted and locked after too many wrong passwords, unlocks and password
//! resets by an administrator, password changes by the person — each on the record.
//!
//! A front end (the desktop's login screen, the CLI's password prompt) turns a person into an
//! [`Actor`] only through [`Workstation::login`]; an account locked here stays locked for every
//! front end until an administrator unlocks it. The journal never holds a password or its hash.

use rusqlite::{OptionalExtension, params};

use chrono::{DateTime, FixedOffset};
use rusqlite::Transaction;
use serde::{Deserialize, Serialize};

use crate::case::Role;
use crate::clock::{shown, stamp};
use crate::error::{CoreError, Result};
use crate::events;
use crate::journal::{self, NewEvent};
use crate::staff::{self, Actor};
use crate::workstation::{Workstation, load_actor};

/// Wrong passwords in a row that lock an account, unless the `auth.max_failed_logins` setting
/// says otherwise.
pub const DEFAULT_MAX_FAILED_LOGINS: u32 = 5;

/// The role recorded on events the system writes on an account's behalf (a lockout).
const SYSTEM_ROLE: &str = "system";

struct Account {
    hash: Option<String>,
    failed: u32,
    locked_at: Option<String>,
}

/// Days a workstation may go without a successful sync before only an administrator may log in
/// (setting `auth.offline_login_days`; 0 turns the rule off).
pub const DEFAULT_OFFLINE_LOGIN_DAYS: i64 = 30;

impl Workstation {
    /// (last successful sync or, never synced, the adapter's registration; days since) when that
    /// is longer ago than the offline-login limit. Only for a workstation that syncs at all, and
    /// never for a demo.
    pub fn offline_too_long(&self) -> Result<Option<(String, i64)>> {
        if self.setting("demo.today")?.is_some() {
            return Ok(None);
        }
        let limit = self
            .setting("auth.offline_login_days")?
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or(DEFAULT_OFFLINE_LOGIN_DAYS);
        if limit <= 0 {
            return Ok(None);
        }
        let last: Option<String> = self.store().reader()?.query_row(
            "SELECT MAX(COALESCE(last_success_at, created_at)) FROM adapters WHERE enabled = 1",
            [],
            |r| r.get(0),
        )?;
        let Some(last) = last else { return Ok(None) };
        let Some(day) = last.get(..10).and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()) else {
            return Ok(None);
        };
        let days = (self.today() - day).num_days();
        Ok((days > limit).then(|| (shown(&last), days)))
    }

    /// The lock threshold in force (`auth.max_failed_logins`, default 5, at least 1).
    pub fn max_failed_logins(&self) -> Result<u32> {
        Ok(self
            .setting("auth.max_failed_logins")?
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap_or(DEFAULT_MAX_FAILED_LOGINS)
            .max(1))
    }

    fn account(&self, id: &str) -> Result<Option<Account>> {
        let conn = self.store().reader()?;
        Ok(conn
            .query_row(
                "SELECT password_hash, failed_logins, locked_at FROM staff WHERE id = ?1 AND active = 1",
                [id],
                |r| Ok(Account { hash: r.get(0)?, failed: r.get(1)?, locked_at: r.get(2)? }),
            )
            .optional()?)
    }

    /// Checks `password` for `id`. A wrong password is counted; the `max_failed_logins`-th in a
    /// row locks the account (journaled), and a locked account is refused even with the right
    /// password. A right password resets the count. Disabled and unknown accounts are refused
    /// alike, without saying which.
    pub fn login(&self, id: &str, password: &str) -> Result<Actor> {
        let Some(acc) = self.account(id)? else { return Err(CoreError::UnknownStaff(id.into())) };
        if let Some(at) = acc.locked_at {
            return Err(CoreError::AccountLocked { id: id.into(), since: shown(&at) });
        }
        let Some(hash) = acc.hash else {
            // An account without a password cannot log in (it acts only through an admin's set-up).
            return Err(CoreError::WrongPassword { remaining: None });
        };
        if staff::check_password(&hash, password) {
            if acc.failed > 0 {
                self.store().write(|tx| {
                    tx.execute("UPDATE staff SET failed_logins = 0 WHERE id = ?1", [id])?;
                    Ok(())
                })?;
            }
            let actor = load_actor(&*self.store().reader()?, id)?;
            // A laptop kept offline for weeks may be out of step with the platform (staff left,
            // catalog changed): an administrator looks first.
            if !actor.has_role(Role::Admin)
                && let Some((since, days)) = self.offline_too_long()?
            {
                return Err(CoreError::OfflineTooLong { since, days });
            }
            self.unlock_keys(id, password)?;
            return Ok(actor);
        }
        let max = self.max_failed_logins()?;
        let now = self.clock().now();
        let (failed, locked) = self.store().write(|tx| {
            let failed: u32 = tx.query_row(
                "UPDATE staff SET failed_logins = failed_logins + 1 WHERE id = ?1 RETURNING failed_logins",
                [id],
                |r| r.get(0),
            )?;
            let locked = failed >= max;
            if locked {
                tx.execute("UPDATE staff SET locked_at = ?2 WHERE id = ?1", params![id, stamp(&now)])?;
                journal::append(
                    tx,
                    NewEvent {
                        case_no: None,
                        actor: id,
                        role: SYSTEM_ROLE,
                        action: events::STAFF_LOCKED,
                        at: now,
                        payload: serde_json::json!({ "id": id, "failed_logins": failed }),
                        reason: Some("连续输错密码"),
                    },
                )?;
            }
            Ok((failed, locked))
        })?;
        if locked {
            Err(CoreError::AccountLocked { id: id.into(), since: shown(&stamp(&now)) })
        } else {
            Err(CoreError::WrongPassword { remaining: Some(max - failed) })
        }
    }

    /// An administrator unlocks a locked account (or clears its wrong-password count), with a
    /// reason, on the record.
    pub fn unlock_staff(&self, by: &Actor, id: &str, reason: &str) -> Result<()> {
        by.require_role(Role::Admin, "解锁账号")?;
        require_reason(reason, "解锁账号")?;
        let acc = self.account(id)?.ok_or_else(|| CoreError::UnknownStaff(id.into()))?;
        if acc.locked_at.is_none() && acc.failed == 0 {
            return Err(CoreError::Invalid(format!("账号 {id} 未锁定，无需解锁")));
        }
        let now = self.clock().now();
        if crate::vault::is_encrypted(&self.data_dir()) {
            crate::vault::clear_lock(&self.data_dir(), id)?;
        }
        self.store().write(|tx| {
            tx.execute("UPDATE staff SET failed_logins = 0, locked_at = NULL WHERE id = ?1", [id])?;
            journal::append_admin(
                tx,
                by,
                events::STAFF_UNLOCK,
                now,
                serde_json::json!({ "id": id, "failed_logins": acc.failed, "was_locked": acc.locked_at.is_some() }),
                Some(reason),
            )
            .map(drop)
        })
    }

    /// The person changes their own password (the old one proves it is them).
    pub fn change_password(&self, id: &str, old: &str, new: &str) -> Result<()> {
        let me = self.login(id, old)?;
        check_new_password(new)?;
        let now = self.clock().now();
        self.store().write(|tx| {
            tx.execute("UPDATE staff SET password_hash = ?2 WHERE id = ?1", params![id, staff::hash_password(new)])?;
            crate::signing::rewrap(tx, id, old, new)?;
            // The person's copy of the data key follows the password (written before the commit:
            // a crash after it leaves the old password opening the store and the new one too).
            self.rewrap_data_key(id, &me.name, new)?;
            journal::append(
                tx,
                NewEvent {
                    case_no: None,
                    actor: &me.id,
                    role: SYSTEM_ROLE,
                    action: events::STAFF_PASSWORD_CHANGE,
                    at: now,
                    payload: serde_json::json!({ "id": id }),
                    reason: None,
                },
            )?;
            Ok(())
        })
    }

    /// An administrator sets a new password for someone who forgot theirs; it also unlocks the
    /// account. Journaled with the reason, never with the password.
    pub fn reset_password(&self, by: &Actor, id: &str, new: &str, reason: &str) -> Result<()> {
        by.require_role(Role::Admin, "重置密码")?;
        require_reason(reason, "重置密码")?;
        check_new_password(new)?;
        if self.account(id)?.is_none() {
            return Err(CoreError::UnknownStaff(id.into()));
        }
        let now = self.clock().now();
        let ws_key = self.store().keyring().workstation();
        self.store().write(|tx| {
            tx.execute(
                "UPDATE staff SET password_hash = ?2, failed_logins = 0, locked_at = NULL WHERE id = ?1",
                params![id, staff::hash_password(new)],
            )?;
            journal::append_admin(
                tx,
                by,
                events::STAFF_PASSWORD_RESET,
                now,
                serde_json::json!({ "id": id }),
                Some(reason),
            )?;
            // The old key is sealed under a password nobody knows any more: a new key, announced
            // in the journal; events signed with the old one keep verifying under it.
            crate::signing::create_staff_key(tx, id, new, &by.id, now, ws_key.as_deref())?;
            let name: String = tx.query_row("SELECT name FROM staff WHERE id = ?1", [id], |r| r.get(0))?;
            self.rewrap_data_key(id, &name, new)
        })?;
        self.store().keyring_mut().remove(id);
        Ok(())
    }
}

impl Workstation {
    /// Opens the account's signing key (and the workstation key) with the password just checked.
    /// An account from before signed events gets its key now, journaled by the person.
    fn unlock_keys(&self, id: &str, password: &str) -> Result<()> {
        let (staff_key, ws_key) = {
            let conn = self.store().reader()?;
            crate::signing::unlock(&conn, id, password)?
        };
        let staff_key = match staff_key {
            Some(k) => k,
            None => {
                let now = self.clock().now();
                let ws = ws_key.clone().or_else(|| self.store().keyring().workstation());
                let made = self.store().write(|tx| {
                    let k = crate::signing::create_staff_key(tx, id, password, id, now, ws.as_deref())?;
                    // Sign its own announcement: the key is unlocked before the commit signs.
                    self.store().keyring_mut().insert(id, Some(k.clone()), None);
                    Ok(k)
                });
                match made {
                    Ok(k) => k,
                    Err(e) => {
                        self.store().keyring_mut().remove(id);
                        return Err(e);
                    }
                }
            }
        };
        self.store().keyring_mut().insert(id, Some(staff_key), ws_key);
        Ok(())
    }

    /// Gives `id` a copy of the data key under `password` when the store is encrypted.
    fn rewrap_data_key(&self, id: &str, name: &str, password: &str) -> Result<()> {
        match self.store().data_key() {
            Some(key) => crate::vault::set_password(&self.data_dir(), key, id, name, password),
            None => Ok(()),
        }
    }

    /// Accounts locked by wrong passwords typed before the store was open (counted in the access
    /// file) are locked in the store too, on the record, so an administrator sees and unlocks them.
    pub(crate) fn mirror_locks_from_access(&self) -> Result<()> {
        for (id, failed, at) in crate::vault::locked_accounts(&self.data_dir())? {
            let Some(acc) = self.account(&id)? else { continue };
            if acc.locked_at.is_some() {
                continue;
            }
            let now = self.clock().now();
            self.store().write(|tx| {
                tx.execute(
                    "UPDATE staff SET locked_at = ?2, failed_logins = ?3 WHERE id = ?1",
                    params![id, at, failed],
                )?;
                journal::append(
                    tx,
                    NewEvent {
                        case_no: None,
                        actor: &id,
                        role: SYSTEM_ROLE,
                        action: events::STAFF_LOCKED,
                        at: now,
                        payload: serde_json::json!({ "id": id, "failed_logins": failed, "before_open": true, "locked_at": at }),
                        reason: Some("连续输错密码（工作站数据未打开时）"),
                    },
                )
                .map(drop)
            })?;
        }
        Ok(())
    }

    /// Drops the person's signing key from this program (logout, screen lock by another person).
    pub fn logout(&self, id: &str) {
        self.store().keyring_mut().remove(id);
    }
}

impl Workstation {
    /// An administrator accepts the clock as it is now after it went back or jumped ahead
    /// (journaled with the reason and the two times), so writing can go on.
    pub fn confirm_clock(&self, by: &Actor, reason: &str) -> Result<()> {
        by.require_role(Role::Admin, "确认系统时钟")?;
        require_reason(reason, "确认系统时钟")?;
        let now = self.clock().now();
        self.store().write(|tx| {
            let last: Option<String> =
                tx.query_row("SELECT at FROM journal ORDER BY seq DESC LIMIT 1", [], |r| r.get(0)).optional()?;
            journal::append_admin(
                tx,
                by,
                events::CLOCK_CONFIRM,
                now,
                serde_json::json!({ "last_event_at": last, "now": stamp(&now) }),
                Some(reason),
            )
            .map(drop)
        })
    }
}

fn require_reason(reason: &str, action: &str) -> Result<()> {
    if reason.trim().is_empty() {
        return Err(CoreError::Missing { action: action.into(), field: "理由".into() });
    }
    Ok(())
}

fn check_new_password(p: &str) -> Result<()> {
    staff::check_new_password(p)
}

// ---- accounts ----------------------------------------------------------------------------

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NewStaff {
    pub id: String,
    pub name: String,
    pub roles: Vec<Role>,
    pub departments: Vec<String>,
    pub password: Option<String>,
}

impl Workstation {
    pub fn add_staff(&self, by: &Actor, s: &NewStaff) -> Result<Actor> {
        by.require_role(Role::Admin, "添加工作人员")?;
        if s.id.trim().is_empty() || s.name.trim().is_empty() || s.roles.is_empty() || s.departments.is_empty() {
            return Err(CoreError::Invalid("工作人员须有账号、姓名、至少一个角色和部门".into()));
        }
        let now = self.now();
        let ws_key = self.store.keyring().workstation();
        self.store.write(|tx| {
            insert_staff(tx, s, &by.id, now, ws_key.as_deref())?;
            match &s.password {
                Some(pw) => self.rewrap_data_key(&s.id, &s.name, pw),
                None => Ok(()),
            }
        })?;
        self.actor(&s.id)
    }

    pub fn list_staff(&self) -> Result<Vec<Actor>> {
        let conn = self.store.reader()?;
        let mut st = conn.prepare("SELECT id FROM staff WHERE active = 1 ORDER BY id")?;
        let ids: Vec<String> = st.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        ids.iter().map(|i| load_actor(&conn, i)).collect()
    }
}

/// Adds the account, journaled; an account with a password also gets its signing key (and a
/// copy of the workstation key when `ws_key` is unlocked). Returns the new key.
pub(crate) fn insert_staff(
    tx: &Transaction<'_>,
    s: &NewStaff,
    by: &str,
    now: DateTime<FixedOffset>,
    ws_key: Option<&crate::signing::SigningKey>,
) -> Result<Option<std::sync::Arc<crate::signing::SigningKey>>> {
    let roles = serde_json::to_string(&s.roles).map_err(|e| CoreError::Invalid(e.to_string()))?;
    let depts = serde_json::to_string(&s.departments).map_err(|e| CoreError::Invalid(e.to_string()))?;
    let hash = s.password.as_deref().map(staff::hash_password);
    let n = tx.execute(
        "INSERT INTO staff (id, name, roles, departments, password_hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT(id) DO NOTHING",
        params![s.id, s.name, roles, depts, hash, stamp(&now)],
    )?;
    if n == 0 {
        return Err(CoreError::Invalid(format!("账号已存在：{}", s.id)));
    }
    journal::append(
        tx,
        NewEvent {
            case_no: None,
            actor: by,
            role: Role::Admin.code(),
            action: events::STAFF_ADD,
            at: now,
            // Never the password hash: the journal is synced and audited.
            payload: serde_json::json!({ "id": s.id, "name": s.name, "roles": s.roles, "departments": s.departments }),
            reason: None,
        },
    )?;
    s.password.as_deref().map(|pw| crate::signing::create_staff_key(tx, &s.id, pw, by, now, ws_key)).transpose()
}
