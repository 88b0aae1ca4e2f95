//! Who is acting: logins counted and locked after too many wrong passwords, unlocks and password
//! resets by an administrator, password changes by the person — each on the record.
//!
//! A front end (the desktop's login screen, the CLI's password prompt) turns a person into an
//! [`Actor`] only through [`Workstation::login`]; an account locked here stays locked for every
//! front end until an administrator unlocks it. The journal never holds a password or its hash.

use rusqlite::{OptionalExtension, params};

use crate::case::Role;
use crate::clock::stamp;
use crate::error::{CoreError, Result};
use crate::journal::{self, NewEvent};
use crate::staff::{self, Actor};
use crate::workstation::{Workstation, load_actor};

/// Wrong passwords in a row that lock an account, unless the `auth.max_failed_logins` setting
/// says otherwise.
pub const DEFAULT_MAX_FAILED_LOGINS: u32 = 5;

/// Journal actions of this module (not case actions).
pub mod actions {
    pub const LOCKED: &str = "staff.locked";
    pub const UNLOCK: &str = "staff.unlock";
    pub const PASSWORD_CHANGE: &str = "staff.password.change";
    pub const PASSWORD_RESET: &str = "staff.password.reset";
}

/// The role recorded on events the system writes on an account's behalf (a lockout).
const SYSTEM_ROLE: &str = "system";

struct Account {
    hash: Option<String>,
    failed: u32,
    locked_at: Option<String>,
}

impl Workstation {
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
            let conn = self.store().reader()?;
            return load_actor(&conn, id);
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
                        action: actions::LOCKED,
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
        self.store().write(|tx| {
            tx.execute("UPDATE staff SET failed_logins = 0, locked_at = NULL WHERE id = ?1", [id])?;
            journal::append_admin(
                tx,
                by,
                actions::UNLOCK,
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
            journal::append(
                tx,
                NewEvent {
                    case_no: None,
                    actor: &me.id,
                    role: SYSTEM_ROLE,
                    action: actions::PASSWORD_CHANGE,
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
        self.store().write(|tx| {
            tx.execute(
                "UPDATE staff SET password_hash = ?2, failed_logins = 0, locked_at = NULL WHERE id = ?1",
                params![id, staff::hash_password(new)],
            )?;
            journal::append_admin(tx, by, actions::PASSWORD_RESET, now, serde_json::json!({ "id": id }), Some(reason))
                .map(drop)
        })
    }
}

/// `2026-12-03T12:00:00.000+08:00` as a clerk reads it: `2026-12-03 12:00` (Beijing time).
fn shown(at: &str) -> String {
    at.get(..16).map_or_else(|| at.to_owned(), |s| s.replacen('T', " ", 1))
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
                journal::CLOCK_CONFIRM,
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
    if p.chars().count() < 8 {
        return Err(CoreError::Invalid("新密码至少 8 个字符".into()));
    }
    Ok(())
}
