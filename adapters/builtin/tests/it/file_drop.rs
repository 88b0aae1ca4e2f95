//! File-drop packets: atomic, signed, verified on import; tampering and replays are refused.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use yc_adapter_sdk::{Adapter, ErrorClass, OutItem};
use yc_adapters::file_drop::{self, FileDrop, FileDropConfig, STREAM};

struct Pair {
    _root: tempfile::TempDir,
    exchange: PathBuf,
    sender: FileDrop,
    receiver: FileDrop,
}

fn config(root: &Path, ws: &str, exchange: &Path, trusted: BTreeMap<String, String>) -> FileDropConfig {
    let home = root.join(ws);
    FileDropConfig {
        workstation_id: ws.into(),
        outbox_dir: exchange.to_path_buf(),
        inbox_dir: exchange.to_path_buf(),
        key_file: home.join("key.pk8"),
        state_dir: home.join("state"),
        trusted_keys: trusted,
        max_items_per_packet: 1000,
    }
}

fn pair() -> Pair {
    let root = tempfile::tempdir().unwrap();
    let exchange = root.path().join("usb");
    std::fs::create_dir_all(root.path().join("TOWN01")).unwrap();
    std::fs::create_dir_all(root.path().join("COUNTY")).unwrap();
    let a_pub = file_drop::generate_key(&root.path().join("TOWN01/key.pk8")).unwrap();
    file_drop::generate_key(&root.path().join("COUNTY/key.pk8")).unwrap();
    let sender = FileDrop::new(config(root.path(), "TOWN01", &exchange, BTreeMap::new())).unwrap();
    let trusted = BTreeMap::from([("TOWN01".to_string(), a_pub)]);
    let receiver = FileDrop::new(config(root.path(), "COUNTY", &exchange, trusted)).unwrap();
    Pair { _root: root, exchange, sender, receiver }
}

fn items(range: std::ops::Range<usize>) -> Vec<OutItem> {
    range
        .map(|i| {
            OutItem::new(
                format!("TOWN01-{i:05}"),
                "cases",
                Some(format!("C{}", i % 7)),
                i as u64 + 1,
                "case.filed",
                "2026-11-23T09:30:00+08:00",
                serde_json::json!({"村民": "王五", "i": i}),
            )
        })
        .collect()
}

async fn pull_all(r: &mut FileDrop, max: usize) -> (Vec<String>, Option<String>, Vec<String>) {
    let mut keys = Vec::new();
    let mut rejected = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = r.pull(STREAM, cursor.as_deref(), max).await.unwrap();
        assert!(page.items.len() <= max);
        rejected.extend(page.rejected.into_iter().map(|x| x.message));
        if page.items.is_empty() {
            return (keys, cursor, rejected);
        }
        keys.extend(page.items.into_iter().map(|i| i.key));
        cursor = page.next_cursor;
    }
}

fn packet_dirs(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("yc-"))
        .collect();
    v.sort();
    v
}

#[tokio::test]
async fn packets_round_trip_in_order_across_pages_and_ack_moves_them_aside() {
    let mut p = pair();
    let sent = items(0..2500);
    let r = p.sender.push(&sent).await.unwrap();
    assert_eq!(r.acked.len(), 2500);
    let dirs = packet_dirs(&p.exchange);
    assert_eq!(dirs.len(), 3, "1000 items per packet");
    for d in &dirs {
        for f in [
            "bagit.txt",
            "bag-info.txt",
            "manifest-sha256.txt",
            "tagmanifest-sha256.txt",
            "tagmanifest-sha256.txt.sig",
            "data/items.jsonl",
        ] {
            assert!(d.join(f).is_file(), "{} lacks {f}", d.display());
        }
    }
    let (keys, cursor, rejected) = pull_all(&mut p.receiver, 700).await;
    assert!(rejected.is_empty(), "{rejected:?}");
    assert_eq!(keys, sent.iter().map(|i| i.key.clone()).collect::<Vec<_>>());
    p.receiver.ack(STREAM, cursor.as_deref().unwrap()).await.unwrap();
    assert!(packet_dirs(&p.exchange).is_empty());
    assert_eq!(packet_dirs(&p.exchange.join("imported")).len(), 3);
    let (again, _, _) = pull_all(&mut p.receiver, 700).await;
    assert!(again.is_empty());
}

#[tokio::test]
async fn resumed_pull_from_a_saved_cursor_neither_loses_nor_repeats() {
    let mut p = pair();
    let sent = items(0..1500);
    p.sender.push(&sent).await.unwrap();
    let first = p.receiver.pull(STREAM, None, 400).await.unwrap();
    let saved = first.next_cursor.clone().unwrap();
    let (rest, _, _) = {
        let mut keys = Vec::new();
        let mut cursor = Some(saved);
        loop {
            let page = p.receiver.pull(STREAM, cursor.as_deref(), 400).await.unwrap();
            if page.items.is_empty() {
                break (keys, cursor, ());
            }
            keys.extend(page.items.into_iter().map(|i| i.key));
            cursor = page.next_cursor;
        }
    };
    let mut all: Vec<String> = first.items.into_iter().map(|i| i.key).collect();
    all.extend(rest);
    assert_eq!(all, sent.iter().map(|i| i.key.clone()).collect::<Vec<_>>());
}

#[tokio::test]
async fn repush_is_acked_without_a_second_packet_and_changed_payload_is_permanent() {
    let mut p = pair();
    let sent = items(0..3);
    p.sender.push(&sent).await.unwrap();
    let again = p.sender.push(&sent).await.unwrap();
    assert_eq!(again.acked.len(), 3);
    assert_eq!(packet_dirs(&p.exchange).len(), 1);
    let mut changed = sent[..1].to_vec();
    changed[0].payload = serde_json::json!({"村民": "赵六"});
    changed[0].payload_sha256 = yc_adapter_sdk::payload_sha256(&changed[0].payload);
    let r = p.sender.push(&changed).await.unwrap();
    assert_eq!(r.rejected[0].class, ErrorClass::Permanent);
}

#[tokio::test]
async fn sequence_survives_restart_so_numbers_are_never_reused() {
    let p = pair();
    let cfg = config(p._root.path(), "TOWN01", &p.exchange, BTreeMap::new());
    let mut s1 = FileDrop::new(cfg.clone()).unwrap();
    s1.push(&items(0..1)).await.unwrap();
    drop(s1);
    let mut s2 = FileDrop::new(cfg).unwrap();
    s2.push(&items(1..2)).await.unwrap();
    let names: Vec<String> =
        packet_dirs(&p.exchange).iter().map(|d| d.file_name().unwrap().to_string_lossy().into_owned()).collect();
    assert_eq!(names, vec!["yc-TOWN01-0000000001", "yc-TOWN01-0000000002"]);
}

#[tokio::test]
async fn tampered_payload_is_refused_and_quarantined_without_blocking_other_packets() {
    let mut p = pair();
    p.sender.push(&items(0..2)).await.unwrap();
    p.sender.push(&items(2..4)).await.unwrap();
    let first = &packet_dirs(&p.exchange)[0];
    let f = first.join("data/items.jsonl");
    let text = std::fs::read_to_string(&f).unwrap().replace("王五", "王九");
    std::fs::write(&f, text).unwrap();
    let (keys, _, rejected) = pull_all(&mut p.receiver, 100).await;
    assert_eq!(keys, vec!["TOWN01-00002", "TOWN01-00003"]);
    assert_eq!(rejected.len(), 1);
    assert!(rejected[0].contains("data/items.jsonl 的摘要不符"), "{}", rejected[0]);
    let q = p.exchange.join("quarantine");
    assert!(q.join("yc-TOWN01-0000000001").is_dir());
    assert!(std::fs::read_to_string(q.join("yc-TOWN01-0000000001.reason.txt")).unwrap().contains("篡改"));
}

#[tokio::test]
async fn rehashed_manifests_without_the_key_fail_the_signature() {
    let mut p = pair();
    p.sender.push(&items(0..2)).await.unwrap();
    let d = &packet_dirs(&p.exchange)[0];
    let data = std::fs::read_to_string(d.join("data/items.jsonl")).unwrap().replace("王五", "王九");
    std::fs::write(d.join("data/items.jsonl"), &data).unwrap();
    let manifest = format!("{}  data/items.jsonl\n", yc_adapter_sdk::sha256_hex(data.as_bytes()));
    std::fs::write(d.join("manifest-sha256.txt"), &manifest).unwrap();
    let tag = std::fs::read_to_string(d.join("tagmanifest-sha256.txt")).unwrap();
    let tag: String = tag
        .lines()
        .map(|l| {
            if l.ends_with("manifest-sha256.txt") && !l.contains("tag") {
                format!("{}  manifest-sha256.txt\n", yc_adapter_sdk::sha256_hex(manifest.as_bytes()))
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    std::fs::write(d.join("tagmanifest-sha256.txt"), tag).unwrap();
    let (keys, _, rejected) = pull_all(&mut p.receiver, 100).await;
    assert!(keys.is_empty());
    assert!(rejected[0].contains("签名无效"), "{rejected:?}");
}

#[tokio::test]
async fn replayed_packet_is_refused_after_import() {
    let mut p = pair();
    p.sender.push(&items(0..2)).await.unwrap();
    let copy = p._root.path().join("copy");
    let original = packet_dirs(&p.exchange)[0].clone();
    copy_dir(&original, &copy);
    let (keys, cursor, _) = pull_all(&mut p.receiver, 100).await;
    assert_eq!(keys.len(), 2);
    p.receiver.ack(STREAM, cursor.as_deref().unwrap()).await.unwrap();
    // Someone copies the old packet back onto the stick.
    copy_dir(&copy, &original);
    let (keys, _, rejected) = pull_all(&mut p.receiver, 100).await;
    assert!(keys.is_empty());
    assert!(rejected[0].contains("重放的交换包"), "{rejected:?}");
    assert!(rejected[0].contains("序号 1 不大于已接收的 1"), "{rejected:?}");
}

#[tokio::test]
async fn packets_from_unregistered_workstations_and_unlisted_files_are_refused() {
    let mut p = pair();
    p.sender.push(&items(0..1)).await.unwrap();
    let root = p._root.path().to_path_buf();
    file_drop::generate_key(&root.join("ROGUE/key.pk8")).unwrap();
    let mut rogue = FileDrop::new(config(&root, "ROGUE", &p.exchange, BTreeMap::new())).unwrap();
    rogue.push(&items(5..6)).await.unwrap();
    let town = packet_dirs(&p.exchange).into_iter().find(|d| d.to_string_lossy().contains("TOWN01")).unwrap();
    std::fs::write(town.join("data/extra.bin"), b"smuggled").unwrap();
    // A half-written packet (crash before rename) is invisible to readers.
    std::fs::create_dir_all(p.exchange.join(".tmp-yc-TOWN01-0000000009/data")).unwrap();
    let (keys, _, rejected) = pull_all(&mut p.receiver, 100).await;
    assert!(keys.is_empty());
    assert_eq!(rejected.len(), 2, "{rejected:?}");
    assert!(rejected.iter().any(|m| m.contains("未登记的工作站 ROGUE")), "{rejected:?}");
    assert!(rejected.iter().any(|m| m.contains("清单外的文件 data/extra.bin")), "{rejected:?}");
}

#[tokio::test]
async fn writing_leaves_no_temporary_directories() {
    let mut p = pair();
    p.sender.push(&items(0..10)).await.unwrap();
    let leftovers: Vec<_> = std::fs::read_dir(&p.exchange)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
        .collect();
    assert!(leftovers.is_empty());
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

fn head_proof(from: i64, seq: i64) -> yc_adapter_sdk::HeadProof {
    yc_adapter_sdk::HeadProof {
        workstation: "440399-W01".into(),
        from_seq: from,
        from_hash: "0".repeat(64),
        events: Vec::new(),
        seq,
        hash: format!("{seq:064}"),
        public_key: String::new(),
        signature: String::new(),
        signatures: Vec::new(),
    }
}

fn answer(dir: &Path, ws: &str, seq: i64, a: &yc_adapter_sdk::anchor::HeadFileAnswer) {
    use yc_adapter_sdk::anchor::files;
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join(files::name(files::ANSWER, ws, seq)), serde_json::to_vec(a).unwrap()).unwrap();
}

fn signed(seq: i64) -> yc_adapter_sdk::anchor::HeadFileAnswer {
    yc_adapter_sdk::anchor::HeadFileAnswer::Signed {
        receipt: yc_adapter_sdk::HeadReceipt {
            far_side: "city-platform-sim".into(),
            workstation: "440399-W01".into(),
            seq,
            hash: format!("{seq:064}"),
            received_at: "2026-12-03T10:00:00+08:00".into(),
            public_key: String::new(),
            signature: String::new(),
            signatures_checked: true,
        },
    }
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.flatten().filter(|e| e.path().is_file()).map(|e| e.file_name().to_string_lossy().into_owned()).collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// Heads go out as files and their answers come back with a later pass (docs/adapter-protocol.md
/// §6.4): pending at first, the receipt handed over once it is there, answers the host already
/// holds moved aside, an unanswered older head replaced by the newer one, a refusal stopping
/// everything until someone looks, a stray answer for another workstation left alone.
#[tokio::test]
async fn heads_travel_as_files_and_answers_come_back_later() {
    let mut p = pair();
    assert!(p.sender.hello().await.unwrap().capabilities.anchor);
    let heads = p.exchange.join("heads");

    let a = p.sender.anchor(&head_proof(0, 40)).await.unwrap();
    assert!(a.receipts.is_empty());
    assert!(a.pending.as_deref().is_some_and(|m| m.contains("待对端回执")), "{a:?}");
    assert_eq!(names(&heads), ["head-440399-W01-000000000040.json"]);
    let written: yc_adapter_sdk::HeadProof =
        serde_json::from_slice(&std::fs::read(heads.join("head-440399-W01-000000000040.json")).unwrap()).unwrap();
    assert_eq!(written, head_proof(0, 40));

    // No answer yet and the journal grew: the newer head replaces the unanswered one.
    let a = p.sender.anchor(&head_proof(0, 55)).await.unwrap();
    assert!(a.pending.is_some() && a.receipts.is_empty());
    assert_eq!(names(&heads), ["head-440399-W01-000000000055.json"]);

    // The far side signed for 55, and someone else's answer lies beside it.
    answer(&heads, "440399-W01", 55, &signed(55));
    answer(&heads, "440399-W02", 60, &signed(60));
    std::fs::remove_file(heads.join("head-440399-W01-000000000055.json")).unwrap(); // taken by the far side
    let a = p.sender.anchor(&head_proof(0, 70)).await.unwrap();
    assert_eq!(a.receipts.iter().map(|r| r.seq).collect::<Vec<_>>(), [55], "the late receipt is handed over");
    assert!(a.pending.is_some(), "70 itself is not answered yet");
    assert!(heads.join("head-440399-W01-000000000070.json").exists());

    // The host stored 55, so the next proof starts there: that answer moves aside.
    let a = p.sender.anchor(&head_proof(55, 70)).await.unwrap();
    assert!(a.receipts.is_empty() && a.pending.is_some());
    assert!(heads.join("imported/answer-440399-W01-000000000055.json").exists());
    assert!(heads.join("answer-440399-W02-000000000060.json").exists(), "another workstation's answer stays");

    // An answer for exactly this head: signed, nothing pending.
    answer(&heads, "440399-W01", 70, &signed(70));
    let a = p.sender.anchor(&head_proof(55, 70)).await.unwrap();
    assert_eq!(a.receipts.len(), 1);
    assert_eq!(a.pending, None);

    // The far side saw a different history: a refusal newer than every receipt stops the
    // anchoring as an operator matter, and keeps doing so.
    answer(
        &heads,
        "440399-W01",
        90,
        &yc_adapter_sdk::anchor::HeadFileAnswer::Refused {
            workstation: "440399-W01".into(),
            seq: 90,
            error_type: "JOURNAL_FORK".into(),
            message: "第 12 号事件的哈希与平台签收过的不符".into(),
        },
    );
    for _ in 0..2 {
        let e = p.sender.anchor(&head_proof(70, 95)).await.unwrap_err();
        assert_eq!(e.class, ErrorClass::Auth);
        assert!(e.message.contains("日志分叉") && e.message.contains("第 12 号事件"), "{e:?}");
    }

    // A garbled answer is quarantined with its reason, not taken.
    std::fs::write(heads.join("answer-440399-W01-000000000099.json"), b"{not json").unwrap();
    std::fs::remove_file(heads.join("answer-440399-W01-000000000090.json")).unwrap();
    let a = p.sender.anchor(&head_proof(70, 99)).await.unwrap();
    assert!(a.receipts.is_empty() && a.pending.is_some());
    let q = names(&p.exchange.join("quarantine"));
    assert!(q.iter().any(|n| n == "answer-440399-W01-000000000099.json"), "{q:?}");
    drop(p.receiver);
}
