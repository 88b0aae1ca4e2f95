//! `yc enroll` and `yc update` end to end, as an administrator runs them: with the city simulator
//! over real HTTP on loopback, and by files carried between the city and the workstation.

use std::path::Path;
use std::process::{Command, Output};

use yc_adapter_sdk::provision::{Contents, FORMAT, Package, PackageKind, Signed, StaffEntry};
use yc_sim::enrollment::{EnrollmentDesk, load_or_make_key, sign_package};

const PW: &str = "pw-123456";

fn yc(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_yc"))
        .arg("--data")
        .arg(data)
        .args(args)
        .env_remove("YC_USER")
        .env_remove("YC_TODAY")
        .env("YC_PASSWORD", PW)
        .output()
        .expect("yc runs")
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn ok(data: &Path, args: &[&str]) -> Output {
    let o = yc(data, args);
    assert!(o.status.success(), "yc {args:?}: {}", err(&o));
    o
}

fn json(data: &Path, args: &[&str]) -> serde_json::Value {
    let mut a = vec!["--json"];
    a.extend_from_slice(args);
    serde_json::from_slice(&ok(data, &a).stdout).expect("JSON")
}

fn contents(dir: &Path) -> std::path::PathBuf {
    let c = dir.join("contents");
    std::fs::create_dir_all(&c).unwrap();
    std::fs::write(c.join("catalog.json"), yc_core::catalog::DEMO_CATALOG_JSON).unwrap();
    let staff = vec![StaffEntry {
        id: "wangfang".into(),
        name: "王芳".into(),
        roles: vec!["clerk".into()],
        departments: vec!["*".into()],
    }];
    std::fs::write(c.join("staff.json"), serde_json::to_vec(&staff).unwrap()).unwrap();
    c
}

fn start(data: &Path, code: &str, city: &str, extra: &[&str]) -> Output {
    let mut args = vec![
        "enroll",
        "start",
        "--region",
        "440305",
        "--workstation",
        code,
        "--name",
        "某镇便民服务中心",
        "--departments",
        "*",
        "--city",
        city,
        "--admin-password",
        PW,
    ];
    args.extend_from_slice(extra);
    yc(data, &args)
}

#[test]
fn enrollment_through_the_city_adapter_with_the_simulator() {
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("issuer.key");
    let fp = yc_sim::enrollment::fingerprint(&load_or_make_key(&key_file).unwrap());
    let desk =
        EnrollmentDesk {
            issuer: "某市政务服务数据管理局（模拟）".into(), key_file, contents: contents(dir.path())
        };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (addr, _sim) =
        rt.block_on(yc_sim::city::spawn(yc_sim::SimConfig { enrollment: Some(desk), ..Default::default() })).unwrap();
    let city = format!("http://{addr}");
    let data = dir.path().join("ws");

    let o = start(&data, "W07", &city, &[]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(out(&o).contains("培训模式"), "{}", out(&o));
    assert_eq!(json(&data, &["enroll", "status"])["state"], "training");

    // The administrator typed the fingerprint wrong: the reply is refused, nothing changes.
    let wrong = "0".repeat(64);
    let o = yc(&data, &["enroll", "send", "--city", &city, "--issuer-fingerprint", &wrong]);
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("签发者不可信") && err(&o).contains(&fp), "{}", err(&o));
    assert_eq!(json(&data, &["enroll", "status"])["state"], "training");

    let o = ok(&data, &["enroll", "send", "--city", &city, "--issuer-fingerprint", &fp]);
    assert!(out(&o).contains("新增工作人员 wangfang"), "{}", out(&o));
    let st = json(&data, &["enroll", "status"]);
    assert_eq!(st["state"], "enrolled");
    assert_eq!(st["issuer_fingerprint"], fp.as_str());
    assert!(out(&ok(&data, &["staff", "list"])).contains("王芳"));
    assert!(out(&ok(&data, &["adapter", "list"])).contains("city-platform"));
    // The adapter the reply configured syncs with the platform that enrolled it.
    let o = yc(&data, &["sync", "--once"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert!(ok(&data, &["journal", "verify"]).status.success());

    // A second PC claiming the same code is turned away by the platform, with its reason.
    let other = dir.path().join("other");
    assert!(start(&other, "W07", &city, &[]).status.success());
    let o = yc(&other, &["enroll", "send", "--city", &city, "--issuer-fingerprint", &fp]);
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("另一台电脑"), "{}", err(&o));
}

#[test]
fn enrollment_and_update_bundles_by_files() {
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("issuer.key");
    let key = load_or_make_key(&key_file).unwrap();
    let fp = yc_sim::enrollment::fingerprint(&key);
    let desk =
        EnrollmentDesk { issuer: "某市政务服务数据管理局".into(), key_file, contents: contents(dir.path()) };
    let data = dir.path().join("ws");
    let req_file = dir.path().join("request.json");
    let o = start(&data, "W08", "https://zwfw.example.gov.cn", &["--out", req_file.to_str().unwrap()]);
    assert!(o.status.success(), "{}", err(&o));

    // The city's side: check the request file, sign the reply file.
    let (signed, req) = yc_sim::enrollment::check_request(&std::fs::read(&req_file).unwrap()).unwrap();
    assert_eq!(req.label(), "440305-W08");
    let reply = yc_sim::enrollment::reply(
        &desk,
        &key,
        &signed,
        &req,
        "https://zwfw.example.gov.cn",
        "2026-12-03T10:00:00+08:00",
    )
    .unwrap();
    let reply_file = dir.path().join("reply.json");
    std::fs::write(&reply_file, reply.to_bytes()).unwrap();

    let o = ok(&data, &["enroll", "import", reply_file.to_str().unwrap(), "--issuer-fingerprint", &fp, "--dry-run"]);
    assert!(out(&o).contains("导入事项目录"), "{}", out(&o));
    assert_eq!(json(&data, &["enroll", "status"])["state"], "training", "a dry run changes nothing");
    ok(&data, &["enroll", "import", reply_file.to_str().unwrap(), "--issuer-fingerprint", &fp]);
    let st = json(&data, &["enroll", "status"]);
    assert_eq!(st["state"], "enrolled");

    // An update bundle, as `yc-sim bundle` makes it.
    let bundle = |serial: u64, id: &str| -> Signed {
        let p = Package {
            format: FORMAT,
            kind: PackageKind::Update,
            issuer: "某市政务服务数据管理局".into(),
            serial,
            to: "440305-W08".into(),
            workstation_key: st["workstation_key"].as_str().unwrap().into(),
            issued_at: "2026-12-03T11:00:00+08:00".into(),
            request_sha256: None,
            contents: Contents {
                staff: vec![StaffEntry {
                    id: id.into(),
                    name: "赵敏".into(),
                    roles: vec!["reviewer".into()],
                    departments: vec!["*".into()],
                }],
                ..Contents::default()
            },
        };
        sign_package(&key, &p)
    };
    let usb = dir.path().join("usb");
    std::fs::create_dir_all(&usb).unwrap();
    let good = usb.join("update-2.json");
    std::fs::write(&good, bundle(2, "zhaomin").to_bytes()).unwrap();
    let o = ok(&data, &["update", "show", good.to_str().unwrap()]);
    assert!(out(&o).contains("新增工作人员 zhaomin"), "{}", out(&o));
    assert!(!out(&ok(&data, &["staff", "list"])).contains("赵敏"), "show writes nothing");

    let mut t = bundle(3, "qianli");
    t.body = t.body.replace("qianli", "hacker");
    let tampered = usb.join("tampered.json");
    std::fs::write(&tampered, t.to_bytes()).unwrap();
    let o = yc(&data, &["update", "apply", tampered.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("签名核验失败"), "{}", err(&o));

    ok(&data, &["update", "apply", good.to_str().unwrap()]);
    assert!(out(&ok(&data, &["staff", "list"])).contains("赵敏"));
    let o = yc(&data, &["update", "apply", good.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("重复导入"), "{}", err(&o));
    let o = yc(&data, &["update", "show", good.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "show fails for a bundle that would be refused");
    assert!(out(&o).contains("不能导入") && out(&o).contains("重复导入"), "{}", out(&o));
    let list = json(&data, &["update", "list"]);
    assert_eq!(list.as_array().unwrap().len(), 2, "{list}");
}
