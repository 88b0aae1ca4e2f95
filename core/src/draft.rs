//! A half-filled intake, kept per staff account so a crash, a power cut or a lunch break loses
//! nothing: `<data>/drafts/<account>.json`. Written to a temporary file, flushed and renamed, so a
//! process killed mid-write leaves the previous draft whole; readable by the workstation's OS
//! user only (it holds an applicant's name and ID number). The draft is the clerk's own: no other
//! account reads it, and it is not a record (not journaled) until it is filed.

use std::io::Write as _;
use std::path::PathBuf;

use crate::error::{CoreError, Result};
use crate::staff::Actor;
use crate::workstation::Workstation;

/// The associated-data kind of a draft file on an encrypted workstation.
const KIND: &str = "draft";

/// Largest draft accepted (an intake form, not a scan: attachments are stored separately).
pub const MAX_DRAFT_BYTES: usize = 256 * 1024;

impl Workstation {
    fn draft_path(&self, by: &Actor) -> Result<PathBuf> {
        if by.id.is_empty() || !by.id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
            return Err(CoreError::Invalid(format!("账号不能用作文件名：{}", by.id)));
        }
        Ok(self.data_dir().join("drafts").join(format!("{}.json", by.id)))
    }

    /// Saves `json` (any JSON value the front end's form serialises to) as `by`'s draft.
    pub fn save_draft(&self, by: &Actor, json: &str) -> Result<()> {
        if json.len() > MAX_DRAFT_BYTES {
            return Err(CoreError::Invalid(format!("草稿过大（{} 字节，上限 {MAX_DRAFT_BYTES}）", json.len())));
        }
        serde_json::from_str::<serde_json::Value>(json)
            .map_err(|e| CoreError::Invalid(format!("草稿不是有效的 JSON：{e}")))?;
        let path = self.draft_path(by)?;
        let io = |e: std::io::Error| CoreError::io(&path, e);
        let dir = path.parent().unwrap_or(&path);
        std::fs::create_dir_all(dir).map_err(io)?;
        let tmp = path.with_extension("json.tmp");
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        let bytes = crate::vault::file_bytes(&path, self.store().files(), KIND, json.as_bytes())?;
        let mut f = opts.open(&tmp).map_err(io)?;
        f.write_all(&bytes).and_then(|()| f.sync_all()).map_err(io)?;
        drop(f);
        std::fs::rename(&tmp, &path).map_err(io)
    }

    /// `by`'s draft, if there is one.
    pub fn load_draft(&self, by: &Actor) -> Result<Option<String>> {
        let path = self.draft_path(by)?;
        if !path.exists() {
            return Ok(None);
        }
        let bytes = crate::vault::read_file(&path, self.store().files(), KIND)?;
        String::from_utf8(bytes)
            .map(Some)
            .map_err(|_| CoreError::Invalid(format!("草稿不是 UTF-8 文本：{}", path.display())))
    }

    /// Discards `by`'s draft (after filing, or when the clerk clears the form).
    pub fn clear_draft(&self, by: &Actor) -> Result<()> {
        let path = self.draft_path(by)?;
        match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(CoreError::io(&path, e)),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::Clock;
    use crate::staff::Actor;
    use crate::workstation::{Identity, Workstation};

    fn ws(dir: &std::path::Path) -> Workstation {
        let id = Identity { region: "440305".into(), code: "W01".into(), name: "测试".into() };
        Workstation::init(dir, id, "pw123456", Clock::at_date(chrono::NaiveDate::from_ymd_opt(2026, 12, 2).unwrap()))
            .unwrap()
    }

    fn actor(id: &str) -> Actor {
        Actor { id: id.into(), name: id.into(), roles: vec![crate::case::Role::Clerk], departments: vec!["*".into()] }
    }

    #[test]
    fn a_draft_is_per_account_replaced_whole_and_cleared() {
        let dir = tempfile::tempdir().unwrap();
        let ws = ws(dir.path());
        let (a, b) = (actor("zhangwei"), actor("lina"));
        assert_eq!(ws.load_draft(&a).unwrap(), None);
        ws.save_draft(&a, r#"{"applicant_name":"王五"}"#).unwrap();
        ws.save_draft(&a, r#"{"applicant_name":"王五六"}"#).unwrap();
        assert_eq!(ws.load_draft(&a).unwrap().as_deref(), Some(r#"{"applicant_name":"王五六"}"#));
        assert_eq!(ws.load_draft(&b).unwrap(), None, "another clerk never sees it");
        // Bad input changes nothing.
        assert!(ws.save_draft(&a, "{not json").is_err());
        assert!(ws.save_draft(&a, &format!("\"{}\"", "x".repeat(super::MAX_DRAFT_BYTES))).is_err());
        assert_eq!(ws.load_draft(&a).unwrap().as_deref(), Some(r#"{"applicant_name":"王五六"}"#));
        assert!(ws.save_draft(&actor("../etc"), "{}").is_err());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let meta = std::fs::metadata(dir.path().join("drafts").join("zhangwei.json")).unwrap();
            assert_eq!(meta.permissions().mode() & 0o077, 0, "readable by the OS user only");
        }
        ws.clear_draft(&a).unwrap();
        ws.clear_draft(&a).unwrap();
        assert_eq!(ws.load_draft(&a).unwrap(), None);
    }
}
