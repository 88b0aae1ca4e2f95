//! The seal usage log (用印登记) and the sealed files, checked against the journal.
//!
//! Every usage entry is made from its `document.sealed` journal event (seal::usage_fields), in
//! the same transaction, in the same order. So the log can be recomputed from the journal and
//! compared entry by entry: a rewritten entry (even re-chained with the public formula), a
//! deleted or truncated tail, an entry with no sealing event, and a stored PDF that no longer
//! hashes to what the event recorded are each named. What this cannot catch alone is a rewrite
//! of the journal *and* the log together: that is what signed events and anchored heads are for
//! (docs/SECURITY.md).

use ring::digest;
use serde::Serialize;

use crate::error::Result;
use crate::journal::{self, Event, hex};
use crate::workstation::Workstation;

#[derive(Debug, Clone, Serialize)]
pub struct RecordReport {
    pub ok: bool,
    /// `document.sealed` events in the journal.
    pub sealed_events: i64,
    /// Entries in the seal usage log.
    pub usage_entries: i64,
    /// Sealed PDF files re-hashed.
    pub files_checked: i64,
    /// The first problem found, in Chinese, naming what and where.
    pub problem: Option<String>,
}

impl Workstation {
    /// Re-walks the usage log's own chain, then compares it with the journal's sealing events and
    /// re-hashes every sealed file.
    pub fn verify_seal_record(&self) -> Result<RecordReport> {
        let chain = self.verify_seal_usage()?;
        let conn = self.store().reader()?;
        let sealed: Vec<Event> = journal::events_with_action(&conn, crate::events::DOCUMENT_SEALED)?;
        let mut st = conn.prepare(
            "SELECT seq, doc_id, seal_id, case_no, doc_type, file_sha256, signature_info, actor, at FROM seal_usage
             ORDER BY seq",
        )?;
        let usage: Vec<(i64, Vec<String>)> = st
            .query_map([], |r| Ok((r.get(0)?, (1..9).map(|i| r.get(i)).collect::<rusqlite::Result<Vec<String>>>()?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut report = RecordReport {
            ok: true,
            sealed_events: i64::try_from(sealed.len()).unwrap_or(i64::MAX),
            usage_entries: i64::try_from(usage.len()).unwrap_or(i64::MAX),
            files_checked: 0,
            problem: None,
        };
        let mut fail = |p: String| {
            report.ok = false;
            report.problem.get_or_insert(p);
        };
        if let Some(bad) = chain.first_bad {
            fail(format!("用印登记第 {bad} 条被改动、删除或重排（登记自身的哈希链断开）"));
        }
        for (i, ev) in sealed.iter().enumerate() {
            let info = ev.payload.get("signature_info").cloned().unwrap_or(serde_json::Value::Null);
            let expected = crate::document::usage_fields(ev, &info);
            match usage.get(i) {
                None => {
                    fail(format!(
                        "用印登记缺少 {} 条：日志第 {} 条起的用印事件（办件 {}）在登记中没有记录（登记被删除或截断）",
                        sealed.len() - i,
                        ev.seq,
                        ev.case_no.as_deref().unwrap_or("—")
                    ));
                    break;
                }
                Some((seq, fields)) if *fields != expected => {
                    const NAMES: [&str; 8] =
                        ["文书编号", "印章", "办件编号", "文书类型", "文件摘要", "签名信息", "用印人", "用印时间"];
                    let which: Vec<&str> = NAMES
                        .iter()
                        .zip(fields.iter().zip(&expected))
                        .filter(|(_, (a, b))| a != b)
                        .map(|(n, _)| *n)
                        .collect();
                    fail(format!(
                        "用印登记第 {seq} 条与日志第 {} 条用印事件不符（{}被改动）",
                        ev.seq,
                        which.join("、")
                    ));
                }
                Some(_) => {}
            }
        }
        if usage.len() > sealed.len() {
            let (seq, fields) = &usage[sealed.len()];
            fail(format!(
                "用印登记第 {seq} 条（文书 {}）在日志中没有对应的用印事件：登记共 {} 条，日志中用印事件 {} 条",
                fields[0],
                usage.len(),
                sealed.len()
            ));
        }
        let dir = self.data_dir().join("documents");
        for ev in &sealed {
            let sha = ev.payload.get("file_sha256").and_then(|v| v.as_str()).unwrap_or_default();
            let path = dir.join(format!("{sha}.pdf"));
            report.files_checked += 1;
            match crate::vault::read_file(&path, self.store().files(), crate::document::DOCUMENT_KIND) {
                Ok(bytes) if hex(digest::digest(&digest::SHA256, &bytes).as_ref()) == sha => {}
                Ok(_) => fail(format!(
                    "文书文件 {} 与日志第 {} 条用印事件记录的摘要不符（办件 {}，可能被替换或损坏）",
                    path.display(),
                    ev.seq,
                    ev.case_no.as_deref().unwrap_or("—")
                )),
                Err(e) => fail(format!(
                    "文书文件 {} 无法读取（日志第 {} 条用印事件，办件 {}）：{e}",
                    path.display(),
                    ev.seq,
                    ev.case_no.as_deref().unwrap_or("—")
                )),
            }
        }
        Ok(report)
    }
}
