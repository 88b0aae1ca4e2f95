//! Staff accounts: who may act, in which roles, for which departments.
//! Checked in the core on every command, never only in the UI.

use std::num::NonZeroU32;

use ring::{pbkdf2, rand::SecureRandom};
use serde::{Deserialize, Serialize};

use crate::case::Role;
use crate::error::{CoreError, Result};
use crate::hash::{hex, unhex};

/// Every department (the comprehensive window, 综合窗口, takes in for all of them).
pub const ALL_DEPARTMENTS: &str = "*";

/// PBKDF2-HMAC-SHA256 iterations for login passwords. Seal PINs use far more (see the seal crate);
/// a login is tried at every unlock, so it stays under ~100 ms on a township PC.
pub const PASSWORD_ITERATIONS: u32 = 100_000;

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Actor {
    pub id: String,
    pub name: String,
    pub roles: Vec<Role>,
    pub departments: Vec<String>,
}

impl Actor {
    pub fn has_role(&self, r: Role) -> bool {
        self.roles.contains(&r)
    }

    pub fn covers(&self, department: &str) -> bool {
        self.departments.iter().any(|d| d == ALL_DEPARTMENTS || d == department)
    }

    pub fn require_role(&self, r: Role, action: &str) -> Result<()> {
        if self.has_role(r) {
            Ok(())
        } else {
            Err(CoreError::RoleDenied { actor: self.name.clone(), role: r.zh().into(), action: action.into() })
        }
    }

    /// Commands over every department's records at once (backup, restore, the statistics, the
    /// recovery key): an actor scoped to some departments must not reach the others'.
    pub fn require_whole_workstation(&self, what: &str) -> Result<()> {
        if self.covers(ALL_DEPARTMENTS) {
            Ok(())
        } else {
            Err(CoreError::DepartmentDenied {
                actor: self.name.clone(), department: format!("全部部门（{what}）")
            })
        }
    }

    /// Figures spanning every department (the statistics table, the 监察 tab) are the
    /// supervisor's: an administrator covering all departments.
    pub fn require_overview(&self, what: &str) -> Result<()> {
        self.require_role(Role::Admin, what)?;
        self.require_whole_workstation(what)
    }

    pub fn require_department(&self, department: &str) -> Result<()> {
        if self.covers(department) {
            Ok(())
        } else {
            Err(CoreError::DepartmentDenied { actor: self.name.clone(), department: department.into() })
        }
    }
}

/// The shortest password accepted for a new or changed one.
pub const PASSWORD_MIN_CHARS: usize = 8;

/// Why `password` is too weak for an account, or `None`: every password set on a workstation (the
/// first administrator's at the first run, a change, a reset) is at least
/// [`PASSWORD_MIN_CHARS`] characters and mixes at least two kinds of character (letters, digits,
/// other signs), so a run of digits or one word cannot open a store that holds applicants' data.
pub fn password_problem(password: &str) -> Option<String> {
    if password.chars().count() < PASSWORD_MIN_CHARS {
        return Some(format!("密码至少 {PASSWORD_MIN_CHARS} 个字符"));
    }
    let letters = password.chars().any(char::is_alphabetic);
    let digits = password.chars().any(|c| c.is_ascii_digit());
    let other = password.chars().any(|c| !c.is_alphanumeric());
    if u8::from(letters) + u8::from(digits) + u8::from(other) < 2 {
        return Some("密码须混用至少两类字符（字母、数字、符号）".into());
    }
    None
}

/// [`password_problem`] as an error.
pub fn check_new_password(password: &str) -> Result<()> {
    password_problem(password).map_or(Ok(()), |p| Err(CoreError::Invalid(p)))
}

pub fn hash_password(password: &str) -> String {
    let mut salt = [0u8; 16];
    // The system RNG failing is not recoverable and not the user's fault.
    ring::rand::SystemRandom::new().fill(&mut salt).expect("system random number generator");
    let mut out = [0u8; 32];
    let iters = NonZeroU32::new(PASSWORD_ITERATIONS).expect("non-zero");
    pbkdf2::derive(pbkdf2::PBKDF2_HMAC_SHA256, iters, &salt, password.as_bytes(), &mut out);
    format!("pbkdf2-sha256${PASSWORD_ITERATIONS}${}${}", hex(&salt), hex(&out))
}

/// Constant-time check via ring (no early exit on the first differing byte).
pub fn check_password(stored: &str, password: &str) -> bool {
    let parts: Vec<&str> = stored.split('$').collect();
    let [scheme, iters, salt, hash] = parts.as_slice() else { return false };
    if *scheme != "pbkdf2-sha256" {
        return false;
    }
    let (Some(iters), Some(salt), Some(hash)) =
        (iters.parse::<u32>().ok().and_then(NonZeroU32::new), unhex(salt), unhex(hash))
    else {
        return false;
    };
    pbkdf2::verify(pbkdf2::PBKDF2_HMAC_SHA256, iters, &salt, password.as_bytes(), &hash).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_checks_only_against_itself() {
        let h = hash_password("窗口123");
        assert!(check_password(&h, "窗口123"));
        assert!(!check_password(&h, "窗口124"));
        assert!(!check_password("garbage", "窗口123"));
        assert_ne!(h, hash_password("窗口123"), "salted");
    }

    #[test]
    fn a_new_password_needs_length_and_two_kinds_of_character() {
        assert!(password_problem("ab1").is_some_and(|p| p.contains("8")));
        assert!(password_problem("12345678").is_some_and(|p| p.contains("两类")));
        assert!(password_problem("abcdefgh").is_some());
        assert!(password_problem("窗口窗口窗口窗口").is_some());
        assert_eq!(password_problem("lina-new-pass"), None);
        assert_eq!(password_problem("yc123456"), None);
        assert_eq!(password_problem("新的密码-2026"), None);
    }

    #[test]
    fn department_scope_is_enforced() {
        let a = Actor {
            id: "a".into(),
            name: "甲".into(),
            roles: vec![Role::Reviewer],
            departments: vec!["示范区民政局".into()],
        };
        assert!(a.require_department("示范区民政局").is_ok());
        assert!(matches!(a.require_department("示范区市场监督管理局"), Err(CoreError::DepartmentDenied { .. })));
        assert!(matches!(a.require_role(Role::Decider, "准予许可"), Err(CoreError::RoleDenied { .. })));
    }
}
