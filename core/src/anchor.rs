//! Anchored journal heads (issue 12 part 2; the wire format is docs/adapter-protocol.md §6).
//!
//! Signatures stop a rewrite by someone without the signer's password; they do not stop someone
//! who has it (or the workstation key) from re-writing history and re-signing it. What stops that
//! is a witness outside the machine: every sync pass shows each anchoring far side the journal
//! head and the events since the last head it signed for. The far side re-chains them with its
//! own implementation of the chain formula and refuses a head that does not extend every head
//! it has seen (a fork); the receipt it signs is stored here. `yc journal verify` then checks the
//! local chain against every receipt, so a rewrite of anything a far side has seen is named even
//! if the attacker re-signed it, and a rewrite that also deletes the receipts is refused by the
//! far side at the next sync.
//!
//! The far side's receipt key is pinned at its first receipt by a journal event
//! (`sync.anchor_key`); a receipt under any other key is refused.

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::Serialize;
use yc_adapter_sdk::anchor::{self as wire, ChainEvent, HeadProof, HeadReceipt, MAX_EVENTS_PER_ANCHOR};

use crate::error::{CoreError, Result};
use crate::events;
use crate::hash::hex;
use crate::signing::SigningKey;

/// The last receipt an adapter's far side signed: where the next proof starts.
fn last_receipt(conn: &Connection, adapter: &str) -> Result<Option<(i64, String)>> {
    Ok(conn
        .query_row(
            "SELECT seq, hash FROM journal_anchors WHERE adapter = ?1 ORDER BY seq DESC LIMIT 1",
            [adapter],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

/// The proof for `adapter`'s far side: the events after its last receipt (at most
/// [`MAX_EVENTS_PER_ANCHOR`]), the head they end in, signed by the workstation key. `None` when
/// the far side has already signed for the current head.
pub fn proof(conn: &Connection, adapter: &str, workstation: &str, key: &SigningKey) -> Result<Option<HeadProof>> {
    let (from_seq, from_hash) = last_receipt(conn, adapter)?.unwrap_or((0, hex(&crate::journal::GENESIS)));
    let head: i64 = conn.query_row("SELECT COALESCE(MAX(seq), 0) FROM journal", [], |r| r.get(0))?;
    if head <= from_seq {
        return Ok(None);
    }
    let mut st = conn.prepare_cached(
        "SELECT seq, id, case_no, actor, role, action, at, payload, reason, hash FROM journal
         WHERE seq > ?1 ORDER BY seq LIMIT ?2",
    )?;
    let events = st
        .query_map(params![from_seq, MAX_EVENTS_PER_ANCHOR as i64], |r| {
            Ok(ChainEvent {
                seq: r.get(0)?,
                id: r.get(1)?,
                case_no: r.get(2)?,
                actor: r.get(3)?,
                role: r.get(4)?,
                action: r.get(5)?,
                at: r.get(6)?,
                payload: r.get(7)?,
                reason: r.get(8)?,
                hash: hex(&r.get::<_, Vec<u8>>(9)?),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let Some(last) = events.last() else { return Ok(None) };
    let (seq, hash) = (last.seq, last.hash.clone());
    // The signatures of the runs ending in the stretch, for a far side that checks them.
    let signatures = conn
        .prepare_cached(
            "SELECT first_seq, last_seq, key_id, signature FROM journal_signatures
             WHERE last_seq > ?1 AND last_seq <= ?2 ORDER BY last_seq",
        )?
        .query_map(params![from_seq, seq], |r| {
            Ok(wire::RunSignature {
                first_seq: r.get(0)?,
                last_seq: r.get(1)?,
                key_id: r.get(2)?,
                signature: hex(&r.get::<_, Vec<u8>>(3)?),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let signature = hex(&key.sign(&wire::head_message(workstation, seq, &hash)));
    Ok(Some(HeadProof {
        workstation: workstation.to_owned(),
        from_seq,
        from_hash,
        events,
        seq,
        hash,
        public_key: hex(key.public_key()),
        signature,
        signatures,
    }))
}

/// The receipt key pinned for `far_side`, from the journal.
fn pinned_key(conn: &Connection, far_side: &str) -> Result<Option<String>> {
    let mut st = conn.prepare_cached(
        "SELECT json_extract(payload, '$.public_key') FROM journal
         WHERE action = ?1 AND json_extract(payload, '$.far_side') = ?2 ORDER BY seq DESC LIMIT 1",
    )?;
    Ok(st.query_row(params![events::SYNC_ANCHOR_KEY, far_side], |r| r.get(0)).optional()?)
}

/// Why a receipt is not taken (in Chinese, for the adapter's state and `yc sync`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadReceipt(pub String);

/// Checks the far side's answer against what was sent (or, for a receipt of an earlier proof that
/// came back late, against the journal) and the pinned key, and keeps it; the first receipt of a
/// far side pins its key (journaled, signed by the workstation key). A receipt already kept is
/// taken again without effect. Runs in the caller's write transaction.
pub fn store_receipt(
    tx: &Transaction<'_>,
    adapter: &str,
    proof: &HeadProof,
    receipt: &HeadReceipt,
    at: chrono::DateTime<chrono::FixedOffset>,
) -> Result<std::result::Result<(), BadReceipt>> {
    let bad = |m: String| Ok(Err(BadReceipt(m)));
    // A receipt answers this proof, or (a far side reached by carried files) an earlier one: then
    // it must name a head the journal holds, with the hash the journal holds there.
    let earlier = receipt.seq < proof.seq && receipt.seq > 0 && receipt.workstation == proof.workstation && {
        let local: Option<Vec<u8>> = tx
            .prepare_cached("SELECT hash FROM journal WHERE seq = ?1")?
            .query_row([receipt.seq], |r| r.get(0))
            .optional()?;
        local.is_some_and(|h| hex(&h) == receipt.hash)
    };
    if !earlier && (receipt.workstation != proof.workstation || receipt.seq != proof.seq || receipt.hash != proof.hash)
    {
        return bad(format!(
            "对端签收的日志头（{} 第 {} 号 {}）不是本次发送的（{} 第 {} 号 {}）",
            receipt.workstation,
            receipt.seq,
            short(&receipt.hash),
            proof.workstation,
            proof.seq,
            short(&proof.hash)
        ));
    }
    if receipt.far_side.trim().is_empty() || !receipt.signature_ok() {
        return bad(format!("对端“{}”的签收签名无效", receipt.far_side));
    }
    match pinned_key(tx, &receipt.far_side)? {
        Some(k) if k != receipt.public_key => {
            return bad(format!(
                "对端“{}”的签收密钥（{}…）与已固定的密钥（{}…）不同，需管理员核实",
                receipt.far_side,
                short(&receipt.public_key),
                short(&k)
            ));
        }
        Some(_) => {}
        None => {
            crate::journal::append(
                tx,
                crate::journal::NewEvent {
                    case_no: None,
                    actor: "system",
                    role: crate::case::Role::Admin.code(),
                    action: events::SYNC_ANCHOR_KEY,
                    at,
                    payload: serde_json::json!({
                        "adapter": adapter,
                        "far_side": receipt.far_side,
                        "public_key": receipt.public_key,
                    }),
                    reason: Some("首次签收日志头，固定对端签收密钥"),
                },
            )?;
        }
    }
    tx.prepare_cached(
        "INSERT INTO journal_anchors (adapter, far_side, seq, hash, received_at, public_key, signature, stored_at,
           signatures_checked)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT(adapter, seq) DO NOTHING",
    )?
    .execute(params![
        adapter,
        receipt.far_side,
        receipt.seq,
        receipt.hash,
        receipt.received_at,
        receipt.public_key,
        receipt.signature,
        crate::clock::stamp(&at),
        receipt.signatures_checked,
    ])?;
    Ok(Ok(()))
}

fn short(h: &str) -> &str {
    h.get(..12).unwrap_or(h)
}

/// What the receipts say about the local journal.
#[derive(Debug, Clone, Default, Serialize)]
pub struct AnchorReport {
    /// Receipts checked.
    pub receipts: i64,
    /// The highest sequence number a far side has signed for, and who.
    pub anchored_seq: i64,
    pub anchored_by: Vec<String>,
    /// The highest sequence number a valid receipt vouches for with the signatures checked by the
    /// far side: the routine verify trusts the signatures up to it (docs/journal-signing.md).
    pub checkpoint_seq: i64,
    /// The first receipt the journal disagrees with: the event's seq and why.
    pub first_bad: Option<(i64, String)>,
}

/// Checks the journal against every stored receipt: each receipt's signature under the key the
/// journal pinned for its far side, and the journal's hash at the receipt's seq. `workstation` is
/// this workstation's label (receipts are signed for it).
pub fn verify(conn: &Connection, workstation: &str) -> Result<AnchorReport> {
    let mut rep = AnchorReport::default();
    let mut st = conn.prepare(
        "SELECT adapter, far_side, seq, hash, received_at, public_key, signature, signatures_checked
         FROM journal_anchors ORDER BY seq, adapter",
    )?;
    let rows = st.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            HeadReceipt {
                far_side: r.get(1)?,
                workstation: String::new(),
                seq: r.get(2)?,
                hash: r.get(3)?,
                received_at: r.get(4)?,
                public_key: r.get(5)?,
                signature: r.get(6)?,
                signatures_checked: r.get(7)?,
            },
        ))
    })?;
    let mut local = conn.prepare_cached("SELECT hash FROM journal WHERE seq = ?1")?;
    let mut pins: std::collections::HashMap<String, Option<String>> = std::collections::HashMap::new();
    for row in rows {
        let (adapter, mut r) = row?;
        r.workstation = workstation.to_owned();
        rep.receipts += 1;
        if !pins.contains_key(&r.far_side) {
            pins.insert(r.far_side.clone(), pinned_key(conn, &r.far_side)?);
        }
        let pinned = pins.get(&r.far_side).and_then(Option::as_deref);
        let problem = if !r.signature_ok() {
            Some(format!("“{}”（适配器 {adapter}）的签收签名无效", r.far_side))
        } else if pinned != Some(r.public_key.as_str()) {
            Some(format!("“{}”的签收不是用日志中固定的密钥签的", r.far_side))
        } else {
            match local.query_row([r.seq], |x| x.get::<_, Vec<u8>>(0)).optional()? {
                None => Some(format!(
                    "“{}”于 {} 签收到第 {} 号事件，但本地日志没有这一号（日志被截短）",
                    r.far_side, r.received_at, r.seq
                )),
                Some(h) if hex(&h) != r.hash => Some(format!(
                    "第 {} 号事件的哈希与“{}”于 {} 签收的不符（签收 {}…，本地 {}…）：该号及以前的日志在签收后被改写",
                    r.seq,
                    r.far_side,
                    r.received_at,
                    short(&r.hash),
                    short(&hex(&h))
                )),
                Some(_) => None,
            }
        };
        if let Some(p) = problem {
            if rep.first_bad.is_none() {
                rep.first_bad = Some((r.seq, p));
            }
            continue;
        }
        // Only receipts before the first bad one count: past a disagreement nothing is vouched for.
        if r.signatures_checked && rep.first_bad.is_none() {
            rep.checkpoint_seq = rep.checkpoint_seq.max(r.seq);
        }
        if r.seq > rep.anchored_seq {
            rep.anchored_seq = r.seq;
            rep.anchored_by.clear();
        }
        if r.seq == rep.anchored_seq && !rep.anchored_by.contains(&r.far_side) {
            rep.anchored_by.push(r.far_side.clone());
        }
    }
    Ok(rep)
}

impl From<BadReceipt> for CoreError {
    fn from(b: BadReceipt) -> Self {
        CoreError::Invalid(b.0)
    }
}
