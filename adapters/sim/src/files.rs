//! The city platform's witness for journal heads carried as files (a TEST DOUBLE, like
//! [`crate::heads`]): what the county front-end does when a workstation's USB stick or exchange
//! share arrives — every `head-<ws>-<seq>.json` is witnessed in seq order with the same
//! [`crate::Store`] (and so the same memory of heads and the same key) as the HTTP endpoint, the
//! answer is written as `answer-<ws>-<seq>.json` (docs/adapter-protocol.md §6.4), and the head
//! file moves to `witnessed/`.

use std::path::Path;

use yc_adapter_sdk::HeadProof;
use yc_adapter_sdk::anchor::{HeadFileAnswer, files};

use crate::Store;

/// What one run did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct FileRun {
    pub signed: u64,
    pub refused: u64,
    /// Files that are not a readable head (moved to `unreadable/`).
    pub unreadable: u64,
}

fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes)?;
    std::fs::File::open(&tmp)?.sync_all()?;
    std::fs::rename(tmp, path)
}

/// Witnesses every head file in `heads`, answering into `answers`; `now` is the platform's clock.
pub fn witness_dir(store: &mut Store, heads: &Path, answers: &Path, now: &str) -> std::io::Result<FileRun> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(heads)?.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Some((ws, seq)) = files::parse(files::HEAD, &name) {
            found.push((seq, ws.to_owned(), entry.path()));
        }
    }
    // In seq order: a head that starts where an earlier file ends needs that one signed first.
    found.sort();
    std::fs::create_dir_all(answers)?;
    let mut run = FileRun::default();
    for (seq, ws, path) in found {
        let proof = std::fs::read(&path)
            .ok()
            .and_then(|b| serde_json::from_slice::<HeadProof>(&b).ok())
            .filter(|p| p.workstation == ws && p.seq == seq);
        let done = path.parent().map(|p| p.join(if proof.is_some() { "witnessed" } else { "unreadable" }));
        let Some(proof) = proof else {
            run.unreadable += 1;
            move_into(&path, done.as_deref())?;
            continue;
        };
        let answer = match store.witness(&proof, now) {
            Ok(receipt) => {
                run.signed += 1;
                HeadFileAnswer::Signed { receipt }
            }
            Err(r) => {
                run.refused += 1;
                HeadFileAnswer::Refused {
                    workstation: ws.clone(),
                    seq,
                    error_type: r.error_type.to_owned(),
                    message: r.message,
                }
            }
        };
        let bytes = serde_json::to_vec_pretty(&answer).map_err(std::io::Error::other)?;
        write_atomic(&answers.join(files::name(files::ANSWER, &ws, seq)), &bytes)?;
        move_into(&path, done.as_deref())?;
    }
    Ok(run)
}

fn move_into(path: &Path, dir: Option<&Path>) -> std::io::Result<()> {
    let (Some(dir), Some(name)) = (dir, path.file_name()) else { return Ok(()) };
    std::fs::create_dir_all(dir)?;
    std::fs::rename(path, dir.join(name))
}
