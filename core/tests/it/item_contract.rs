//! The item contract (docs/adapter-protocol.md §3.8, docs/schemas/) against what the core really
//! emits: the demo workstation's every outbox item is validated against the schema of its kind,
//! every kind emitted is in the code list, and the docs' tables list exactly the code's kinds and
//! streams. A change on one side without the other fails here.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::Value;
use yc_adapter_sdk::OutItem;
use yc_core::case::{Action, Role, State};
use yc_core::demo::{DemoOptions, default_today};
use yc_core::sync::contract::{ItemKind, Stream};

fn docs() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs")
}

fn schema(file: &str) -> Value {
    let path = docs().join("schemas").join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn validator(file: &str) -> jsonschema::Validator {
    jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(&schema(file))
        .unwrap_or_else(|e| panic!("{file} is not a valid draft 2020-12 schema: {e}"))
}

fn strings(v: &Value) -> BTreeSet<String> {
    v.as_array().unwrap_or_else(|| panic!("not an array: {v}")).iter().map(|s| s.as_str().unwrap().to_owned()).collect()
}

fn codes<T: Copy>(all: &[T], code: impl Fn(T) -> &'static str) -> BTreeSet<String> {
    all.iter().map(|&x| code(x).to_owned()).collect()
}

/// Rows of the markdown table that follows `heading` in docs/adapter-protocol.md: the cells of
/// each body row, backticks kept.
fn table_after(heading: &str) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(docs().join("adapter-protocol.md")).unwrap();
    let start = text.find(heading).unwrap_or_else(|| panic!("adapter-protocol.md has no «{heading}»"));
    let rows: Vec<Vec<String>> = text[start..]
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .skip(2) // header and separator
        .map(|l| l.trim().trim_matches('|').split('|').map(|c| c.trim().to_owned()).collect())
        .collect();
    assert!(!rows.is_empty(), "no table after «{heading}»");
    rows
}

fn unquote(cell: &str) -> String {
    cell.trim_matches('`').to_owned()
}

#[test]
fn the_docs_list_exactly_the_kinds_and_streams_of_the_code() {
    let kinds = table_after("Item kinds (`kind`)");
    let documented: BTreeMap<String, (String, String)> =
        kinds.iter().map(|r| (unquote(&r[0]), (unquote(&r[1]), r[2].clone()))).collect();
    assert_eq!(documented.len(), kinds.len(), "a kind is listed twice");
    let code: BTreeSet<String> = ItemKind::all().iter().map(|k| k.code()).collect();
    assert_eq!(documented.keys().cloned().collect::<BTreeSet<_>>(), code, "docs' kind table ≠ ItemKind::all()");
    for k in ItemKind::all() {
        let (stream, schema_cell) = &documented[&k.code()];
        assert_eq!(stream, k.stream().code(), "stream of {k} in the docs");
        assert!(schema_cell.contains(k.schema_file()), "{k}: docs name «{schema_cell}», code {}", k.schema_file());
    }

    let streams = table_after("Streams (`stream`)");
    let documented: BTreeMap<String, String> = streams.iter().map(|r| (unquote(&r[0]), r[1].clone())).collect();
    assert_eq!(documented.keys().cloned().collect::<BTreeSet<_>>(), codes(Stream::ALL, Stream::code));
    for s in Stream::ALL {
        let says_reserved = documented[s.code()].contains("reserved, not yet produced");
        assert_eq!(says_reserved, !s.produced(), "stream {s}: «{}»", documented[s.code()]);
    }
}

#[test]
fn the_schemas_enumerate_the_code_lists() {
    let envelope = schema("out-item.schema.json");
    let all: BTreeSet<String> = ItemKind::all().iter().map(|k| k.code()).collect();
    assert_eq!(strings(&envelope["properties"]["kind"]["enum"]), all);
    let produced: BTreeSet<String> = Stream::ALL.iter().filter(|s| s.produced()).map(|s| s.code().to_owned()).collect();
    assert_eq!(strings(&envelope["properties"]["stream"]["enum"]), produced);

    let case = schema("item.case.schema.json");
    assert_eq!(strings(&case["properties"]["action"]["enum"]), codes(Action::ALL, Action::code));
    assert_eq!(strings(&case["properties"]["state_after"]["enum"]), codes(State::ALL, State::code));
    assert_eq!(strings(&case["properties"]["role"]["enum"]), codes(Role::ALL, Role::code));
    // The snapshot is spelled out in each schema so every file stands alone; the copies agree.
    for file in ["item.document.sealed.schema.json", "item.case.status.schema.json"] {
        assert_eq!(schema(file)["$defs"]["case"], case["$defs"]["case"], "{file}: $defs.case differs");
    }
    let rating = schema("item.evaluation.rating.schema.json");
    use yc_core::supervision::evaluation::OrderState;
    use yc_core::supervision::{Channel, Level, WorkOrderStep};
    assert_eq!(strings(&rating["properties"]["channel"]["enum"]), codes(Channel::ALL, Channel::code));
    assert_eq!(strings(&rating["properties"]["level"]["enum"]), codes(Level::ALL, Level::code));
    let order = schema("item.evaluation.work_order.schema.json");
    assert_eq!(strings(&order["properties"]["step"]["enum"]), codes(WorkOrderStep::ALL, WorkOrderStep::code));
    let states = [
        OrderState::Verifying,
        OrderState::Rectifying,
        OrderState::Feedback,
        OrderState::Callback,
        OrderState::Review,
        OrderState::Closed,
    ];
    assert_eq!(strings(&order["properties"]["state_after"]["enum"]), codes(&states, OrderState::code));
    for file in ["item.evaluation.rating.schema.json", "item.evaluation.work_order.schema.json"] {
        assert_eq!(schema(file)["$defs"]["case"], case["$defs"]["case"], "{file}: $defs.case differs");
    }
    for k in ItemKind::all() {
        validator(k.schema_file());
    }
}

/// The demo workstation (sealed documents included) plus one answered status query, and a named
/// 差评 at the window with the first step of its work order.
fn demo() -> (tempfile::TempDir, yc_core::Workstation) {
    let dir = tempfile::tempdir().unwrap();
    let ws = yc_core::demo::create(
        dir.path(),
        &DemoOptions { cases: 40, today: default_today(), seed: 7, seal: true, encrypt: false },
    )
    .unwrap();
    let case_no = ws.list_cases(&yc_core::query::ListFilter::default()).unwrap()[0].case_no.clone();
    let c = rusqlite::Connection::open(dir.path().join("yichuang.db")).unwrap();
    c.execute(
        "INSERT INTO inbox (adapter, stream, key, kind, case_no, payload, payload_sha256, received_at, state)
         VALUES ('city-platform', 'applications', 'Q-1', 'status.query', ?1, '{}', '', '2026-01-01T00:00:00+08:00', 'received')",
        [&case_no],
    )
    .unwrap();
    drop(c);
    let applied = ws.apply_inbox().unwrap();
    assert_eq!((applied.applied, applied.failed), (1, 0));
    let done =
        ws.list_cases(&yc_core::query::ListFilter { state: Some(State::Completed), ..Default::default() }).unwrap();
    let closed = done.first().expect("the sealed demo closes cases");
    let rating = yc_core::supervision::NewRating {
        case_no: closed.case_no.clone(),
        channel: yc_core::supervision::Channel::WindowDevice,
        level: yc_core::supervision::Level::Dissatisfied,
        indicators: [("效率".to_owned(), yc_core::supervision::Level::Dissatisfied)].into(),
        comment: Some("排队太久".into()),
        real_name: true,
        rater_name: Some(closed.applicant_name.clone()),
        rater_phone: None,
    };
    let admin = ws.actor("admin").unwrap();
    let order = ws.record_rating(&admin, &rating).unwrap().work_order.expect("a 差评 opens a work order");
    ws.step_work_order(&admin, &order, yc_core::supervision::WorkOrderStep::Verify, "已核实").unwrap();
    (dir, ws)
}

fn outbox(dir: &Path) -> Vec<OutItem> {
    let c = rusqlite::Connection::open(dir.join("yichuang.db")).unwrap();
    let mut st = c
        .prepare(
            "SELECT key, stream, case_no, case_seq, kind, occurred_at, payload, payload_sha256 FROM outbox ORDER BY id",
        )
        .unwrap();
    st.query_map([], |r| {
        Ok(OutItem {
            key: r.get(0)?,
            stream: r.get(1)?,
            case_no: r.get(2)?,
            seq: r.get(3)?,
            kind: r.get(4)?,
            occurred_at: r.get(5)?,
            payload: serde_json::from_str(&r.get::<_, String>(6)?).unwrap(),
            payload_sha256: r.get(7)?,
        })
    })
    .unwrap()
    .collect::<rusqlite::Result<_>>()
    .unwrap()
}

fn errors(v: &jsonschema::Validator, instance: &Value) -> Vec<String> {
    v.iter_errors(instance).map(|e| format!("{} at {}", e, e.instance_path())).collect()
}

#[test]
fn every_item_the_demo_emits_matches_the_schema_of_its_kind_and_carries_the_case_snapshot() {
    let (dir, _ws) = demo();
    let items = outbox(dir.path());
    let envelope = validator("out-item.schema.json");
    let payloads: BTreeMap<&str, jsonschema::Validator> =
        ItemKind::all().iter().map(|k| (k.schema_file(), validator(k.schema_file()))).collect();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    // case_no -> the snapshot on its first item; every later item must carry the same one.
    let mut snapshots: BTreeMap<String, Value> = BTreeMap::new();
    for it in &items {
        let kind = ItemKind::parse(&it.kind).unwrap_or_else(|| panic!("kind {} is not in the contract", it.kind));
        *seen.entry(it.kind.clone()).or_default() += 1;
        assert_eq!(it.stream, kind.stream().code(), "{}", it.key);
        assert!(it.hash_matches(), "{}: payload_sha256 is not the canonical hash", it.key);
        let env = serde_json::to_value(it).unwrap();
        let bad = errors(&envelope, &env);
        assert!(bad.is_empty(), "item {} ({}) breaks out-item.schema.json: {bad:#?}", it.key, it.kind);
        let bad = errors(&payloads[kind.schema_file()], &it.payload);
        assert!(
            bad.is_empty(),
            "payload of {} ({}) breaks {}: {bad:#?}\n{:#}",
            it.key,
            it.kind,
            kind.schema_file(),
            it.payload
        );

        let p = &it.payload;
        match kind {
            ItemKind::Case(a) => assert_eq!(p["action"], a.code()),
            ItemKind::DocumentSealed => assert_eq!(p["action"], "document.sealed"),
            ItemKind::Delivery(op) => assert_eq!(p["action"], op.event()),
            ItemKind::CaseStatus
            | ItemKind::SupervisionHit
            | ItemKind::Notice
            | ItemKind::Rating
            | ItemKind::WorkOrderStep => {}
        }
        let case_no = it.case_no.clone().unwrap_or_else(|| p["case_no"].as_str().unwrap().to_owned());
        assert_eq!(p["case"]["case_no"], case_no.as_str());
        let first = snapshots.entry(case_no.clone()).or_insert_with(|| p["case"].clone());
        assert_eq!(&p["case"], first, "{case_no}: the snapshot changed between items");
        if matches!(kind, ItemKind::Case(Action::File | Action::Appoint)) && p["data"].get("item").is_some() {
            // The snapshot says what the filing said (a filing after an appointment carries no
            // filing data: the appointment did).
            let (d, s) = (&p["data"], &p["case"]);
            assert_eq!(s["item"]["code"], d["item"]["code"]);
            assert_eq!(s["item"]["name"], d["item"]["name"]);
            assert_eq!(s["item"]["catalog_version"], d["item"]["version"]);
            assert_eq!(s["department"], d["item"]["department"]);
            assert_eq!(s["kind"], d["item"]["kind"]);
            assert_eq!(s["applicant"]["kind"], d["applicant"]["kind"]);
            assert_eq!(s["applicant"]["id"], d["applicant"]["id"]);
            assert_eq!(s["applicant"]["name"], d["applicant"]["name"]);
            assert_eq!(s["channel"], d["channel"]);
        }
    }
    // The demo must keep exercising the interesting shapes, or this test proves little.
    for k in [
        "case.file",
        "case.accept",
        "case.request_supplement",
        "case.approve",
        "document.sealed",
        "case.status",
        "evaluation.rating",
        "evaluation.work_order",
    ] {
        assert!(seen.contains_key(k), "the demo emitted no {k}: {seen:?}");
    }
    assert!(seen.len() >= 12, "only {} kinds emitted: {seen:?}", seen.len());
    eprintln!("{} items, {} kinds validated: {seen:?}", items.len(), seen.len());

    // The schemas are strict enough to catch drift: an undocumented field, a missing snapshot,
    // a code outside its list.
    let accept = items.iter().find(|i| i.kind == "case.accept").unwrap();
    let v = &payloads["item.case.schema.json"];
    let mut extra = accept.payload.clone();
    extra["新字段"] = Value::from(1);
    let mut no_case = accept.payload.clone();
    no_case.as_object_mut().unwrap().remove("case");
    let mut wrong_kind = accept.payload.clone();
    wrong_kind["case"]["applicant"]["kind"] = Value::from("individual");
    let mut filing_data = accept.payload.clone();
    filing_data["data"] = serde_json::json!({ "item": {} });
    for (what, bad) in
        [("extra field", extra), ("no case", no_case), ("applicant kind", wrong_kind), ("data", filing_data)]
    {
        assert!(!errors(v, &bad).is_empty(), "{what}: accepted by the schema");
    }
}
