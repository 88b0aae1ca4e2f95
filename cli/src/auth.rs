//! The person behind `--as`: `yc` acts as a staff account only after that account's password,
//! checked (and counted, and locked after too many) by the core's `Workstation::login`. Without
//! this the journal's actor was whatever the caller typed.
//!
//! The password comes from, in order: `YC_PASSWORD` (scripts), `--password-file FILE` (its first
//! line; keep the file readable by the service account only), or a prompt on the terminal with
//! echo off. Asked once per command, only when the command acts as someone.

use std::cell::OnceCell;
use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::{Context, Result, anyhow};
use yc_core::staff::Actor;
use yc_core::{CoreError, Workstation};

pub struct Auth {
    id: String,
    password_file: Option<PathBuf>,
    password: OnceCell<String>,
    actor: OnceCell<Actor>,
}

impl Auth {
    pub fn new(id: &str, password_file: Option<PathBuf>) -> Self {
        Self { id: id.to_owned(), password_file, password: OnceCell::new(), actor: OnceCell::new() }
    }

    /// The password from a non-interactive source, if one is given.
    fn given_password(&self) -> Result<Option<String>> {
        if let Ok(p) = std::env::var("YC_PASSWORD") {
            return Ok(Some(p));
        }
        if let Some(f) = &self.password_file {
            let text = std::fs::read_to_string(f).with_context(|| format!("读取密码文件 {}", f.display()))?;
            return Ok(Some(text.lines().next().unwrap_or_default().to_owned()));
        }
        Ok(None)
    }

    /// The logged-in actor: asks for the password if no other source gives it.
    pub fn actor(&self, ws: &Workstation) -> Result<Actor> {
        if let Some(a) = self.actor.get() {
            return Ok(a.clone());
        }
        let password = self.password()?;
        let a = ws.login(&self.id, &password)?;
        Ok(self.actor.get_or_init(|| a).clone())
    }

    /// The password of the `--as` account, from wherever it is given (not yet checked).
    pub fn password(&self) -> Result<String> {
        if let Some(p) = self.password.get() {
            return Ok(p.clone());
        }
        let password = match self.given_password()? {
            Some(p) => p,
            None if std::io::stdin().is_terminal() => {
                rpassword::prompt_password(format!("{} 的密码：", self.id)).context("读取密码")?
            }
            None => {
                return Err(anyhow!(CoreError::Missing {
                    action: format!("以 {} 的身份操作", self.id),
                    field: "密码（终端输入，或 --password-file 文件，或环境变量 YC_PASSWORD）".into(),
                }));
            }
        };
        Ok(self.password.get_or_init(|| password).clone())
    }

    /// The actor if a password was given without asking (for commands that only show more when
    /// they know who asks, such as the next actions of `case show`).
    pub fn actor_if_given(&self, ws: &Workstation) -> Result<Option<Actor>> {
        match self.given_password()? {
            Some(p) => {
                self.password.get_or_init(|| p);
                self.actor(ws).map(Some)
            }
            None => Ok(None),
        }
    }
}
