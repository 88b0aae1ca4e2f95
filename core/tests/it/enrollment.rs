//! Enrollment with the city by files, training mode before it, and offline update bundles: the
//! rules of yc_core::enrollment and yc_core::provisioning against packages signed by the city
//! simulator's own desk code (yc_sim::enrollment), as a real city's would be.

use std::path::Path;

use ring::signature::{Ed25519KeyPair, KeyPair as _};
use yc_adapter_sdk::provision::{Contents, FORMAT, Package, PackageKind, Signed, StaffEntry, hex};
use yc_core::case::Role;
use yc_core::enrollment::EnrollmentState;
use yc_core::error::ProvisionError;
use yc_core::provisioning::Change;
use yc_core::seal::DocKind;
use yc_core::{Clock, CoreError, NewStaff, Workstation, catalog};
use yc_sim::enrollment::{EnrollmentDesk, load_or_make_key, sign_package};

use crate::seal::{Fx, PIN};

const CAL_2027: &str = r#"{"format":"yichuang-calendar/1","year":2027,"source":"测试用 2027 年安排",
  "holidays":[{"name":"元旦","from":"2027-01-01","to":"2027-01-03"}],"workdays":[]}"#;

/// The city side: its issuer key and contents folder.
struct City {
    dir: tempfile::TempDir,
    key: Ed25519KeyPair,
    desk: EnrollmentDesk,
}

impl City {
    fn new(fill: impl FnOnce(&Path)) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let contents = dir.path().join("contents");
        std::fs::create_dir_all(&contents).unwrap();
        fill(&contents);
        let key_file = dir.path().join("issuer.key");
        let key = load_or_make_key(&key_file).unwrap();
        let desk = EnrollmentDesk { issuer: "某市政务服务数据管理局".into(), key_file, contents };
        City { dir, key, desk }
    }

    fn fingerprint(&self) -> String {
        yc_sim::enrollment::fingerprint(&self.key)
    }

    /// The reply the desk gives to a request file.
    fn reply(&self, request: &Signed) -> Vec<u8> {
        let (signed, req) = yc_sim::enrollment::check_request(&request.to_bytes()).unwrap();
        yc_sim::enrollment::reply(
            &self.desk,
            &self.key,
            &signed,
            &req,
            "http://127.0.0.1:9",
            "2026-11-20T10:00:00+08:00",
        )
        .unwrap()
        .to_bytes()
    }

    fn bundle(&self, ws: &Workstation, serial: u64, contents: Contents) -> Vec<u8> {
        bundle_signed_by(&self.key, ws, serial, contents)
    }
}

fn bundle_signed_by(key: &Ed25519KeyPair, ws: &Workstation, serial: u64, contents: Contents) -> Vec<u8> {
    let st = ws.enrollment_status().unwrap();
    let p = Package {
        format: FORMAT,
        kind: PackageKind::Update,
        issuer: "某市政务服务数据管理局".into(),
        serial,
        to: ws.label(),
        workstation_key: st.workstation_key,
        issued_at: "2026-11-21T09:00:00+08:00".into(),
        request_sha256: None,
        contents,
    };
    sign_package(key, &p).to_bytes()
}

impl Fx {
    /// The text poppler reads from the sealed approval of a new approved case.
    fn sealed_text(&self, n: u16) -> String {
        let no = self.approved_case(n);
        let doc = self.ws.seal_document(&self.a("keeper"), &no, DocKind::Approval, PIN).unwrap();
        let bytes = self.ws.document_bytes(&doc).unwrap();
        let f = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(f.path(), &bytes).unwrap();
        let out =
            std::process::Command::new("pdftotext").arg(f.path()).arg("-").output().expect("pdftotext (poppler-utils)");
        assert!(out.status.success());
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn outbox_rows(&self) -> i64 {
        self.ws.store().reader().unwrap().query_row("SELECT count(*) FROM outbox", [], |r| r.get(0)).unwrap()
    }

    fn events(&self) -> i64 {
        self.ws.status().unwrap().journal_events
    }

    /// Requests and imports an enrollment reply with no contents of note: enrolled.
    fn enrolled(self, city: &City) -> Self {
        let admin = self.a("admin");
        let req = self.ws.request_enrollment(&admin, &["*".into()], None).unwrap();
        self.ws.import_enrollment(&admin, &city.reply(&req), &city.fingerprint()).unwrap();
        self
    }
}

/// The watermark as poppler reads it: 样 and 本, rotated and 150 pt apart, come out on lines of
/// their own (body text never has 样 alone on a line).
fn watermarked(text: &str) -> bool {
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    lines.contains(&"样") && lines.contains(&"本")
}

fn refusal(e: CoreError) -> ProvisionError {
    match e {
        CoreError::Provision(p) => p,
        e => panic!("expected a provisioning refusal, got {e:?}"),
    }
}

#[test]
fn until_enrolled_documents_say_样本_and_nothing_enters_the_outbox() {
    let fx = Fx::named("注册测试");
    let city = City::new(|_| {});
    assert_eq!(fx.ws.enrollment_status().unwrap().state, EnrollmentState::Manual);
    let before = fx.outbox_rows();
    assert!(!watermarked(&fx.sealed_text(1)), "a hand-made workstation is not in training");
    assert!(fx.outbox_rows() > before, "and its cases are queued as always");

    let admin = fx.a("admin");
    let req =
        fx.ws.request_enrollment(&admin, std::slice::from_ref(&fx.dept), Some("https://zwfw.example.gov.cn")).unwrap();
    assert!(fx.ws.training_mode().unwrap());
    assert_eq!(fx.ws.enrollment_status().unwrap().state, EnrollmentState::Training);
    let queued = fx.outbox_rows();
    let text = fx.sealed_text(2);
    assert!(watermarked(&text), "training documents carry the watermark: {text}");
    assert_eq!(fx.outbox_rows(), queued, "a training case never enters the outbox");

    let applied = fx.ws.import_enrollment(&admin, &city.reply(&req), &city.fingerprint()).unwrap();
    assert_eq!(applied.serial, 1);
    assert!(!fx.ws.training_mode().unwrap());
    assert_eq!(fx.ws.enrollment_status().unwrap().state, EnrollmentState::Enrolled);
    assert!(!watermarked(&fx.sealed_text(3)), "enrolled: real documents");
    assert!(fx.outbox_rows() > queued, "enrolled: cases are queued for the city again");

    // Everything above is in the journal: the derived tables rebuild identically.
    let fp = fx.ws.derived_fingerprint().unwrap();
    fx.ws.rebuild().unwrap();
    assert_eq!(fx.ws.derived_fingerprint().unwrap(), fp);
    assert!(fx.ws.verify_journal().unwrap().ok);
}

#[test]
fn the_reply_brings_everything_at_once_and_only_from_the_confirmed_issuer() {
    let fx = Fx::named("注册测试");
    let authority = yc_seal::SealAuthority::generate(
        "某市电子印章制作中心",
        "2026-01-01T00:00:00Z".parse().unwrap(),
        "2036-01-01T00:00:00Z".parse().unwrap(),
    )
    .unwrap();
    let bundle = authority
        .sign_trust_bundle(yc_seal::TrustBundleContent {
            version: 7,
            issuer: "某市电子印章制作中心".into(),
            this_update: "2026-11-19T00:00:00Z".parse().unwrap(),
            next_update: "2026-12-19T00:00:00Z".parse().unwrap(),
            roots: vec![authority.root_certificate().to_vec()],
            seals: vec![],
            revoked_certificates: vec![],
            tsa_roots: vec![],
        })
        .unwrap();
    let city = City::new(|d| {
        std::fs::write(d.join("catalog.json"), catalog::DEMO_CATALOG_JSON).unwrap();
        std::fs::write(d.join("calendar-2027.json"), CAL_2027).unwrap();
        let staff = vec![
            StaffEntry {
                id: "wangfang".into(),
                name: "王芳".into(),
                roles: vec!["clerk".into()],
                departments: vec!["*".into()],
            },
            StaffEntry {
                id: "clerk".into(),
                name: "已有".into(),
                roles: vec!["clerk".into()],
                departments: vec!["*".into()],
            },
        ];
        std::fs::write(d.join("staff.json"), serde_json::to_vec(&staff).unwrap()).unwrap();
        std::fs::create_dir_all(d.join("trust-roots")).unwrap();
        std::fs::write(d.join("trust-roots/city.der"), authority.root_certificate()).unwrap();
        std::fs::write(d.join("trust-bundle.json"), bundle.to_bytes().unwrap()).unwrap();
    });
    let admin = fx.a("admin");
    let first = fx.ws.request_enrollment(&admin, &["*".into()], None).unwrap();
    let req = fx.ws.request_enrollment(&admin, &["*".into()], None).unwrap();
    let reply = city.reply(&req);
    let events = fx.events();
    let versions = fx.ws.catalog_versions().unwrap().len();

    // A key the administrator did not confirm (here: a typo in the fingerprint) is foreign.
    let mut wrong = city.fingerprint();
    wrong.replace_range(0..1, if wrong.starts_with('0') { "1" } else { "0" });
    let e = refusal(fx.ws.import_enrollment(&admin, &reply, &wrong).unwrap_err());
    assert!(matches!(e, ProvisionError::Foreign { .. }), "{e:?}");
    assert!(e.to_string().contains("签发者不可信"), "{e}");
    // A reply to the older request is not for the newest one.
    let e = refusal(fx.ws.import_enrollment(&admin, &city.reply(&first), &city.fingerprint()).unwrap_err());
    assert!(matches!(e, ProvisionError::WrongRequest { .. }), "{e:?}");
    assert_eq!(fx.events(), events, "refusals write nothing");

    // What it will do, then doing it (the fingerprint as a person types it: upper case, colons).
    let typed = city
        .fingerprint()
        .to_uppercase()
        .as_bytes()
        .chunks(2)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect::<Vec<_>>()
        .join(":");
    let preview = fx.ws.show_enrollment_reply(&reply, &typed).unwrap();
    let applied = fx.ws.import_enrollment(&admin, &reply, &typed).unwrap();
    assert_eq!(applied.changes, preview);
    let has = |f: &dyn Fn(&Change) -> bool| applied.changes.iter().any(f);
    assert!(has(&|c| matches!(c, Change::TrustRoot { .. })));
    assert!(has(&|c| matches!(c, Change::TrustBundle { version: 7 })));
    assert!(has(&|c| matches!(c, Change::Calendar { year: 2027 })));
    assert!(has(&|c| matches!(c, Change::StaffAdd { id, .. } if id == "wangfang")));
    assert!(has(&|c| matches!(c, Change::StaffKept { id } if id == "clerk")));
    assert!(has(&|c| matches!(c, Change::Adapter { name, .. } if name == "city-platform")));
    assert_eq!(fx.ws.catalog_versions().unwrap().len(), versions + 1);
    assert!(fx.ws.calendar().years().contains(&2027));
    assert_eq!(fx.ws.trust_bundle().unwrap().version(), 7);
    assert_eq!(fx.ws.actor("wangfang").unwrap().name, "王芳");
    assert_eq!(fx.ws.actor("clerk").unwrap().name, "clerk", "an existing account is left alone");
    assert_eq!(fx.ws.adapter_config("city-platform").unwrap().settings["source"], "440305-W01");
    let st = fx.ws.enrollment_status().unwrap();
    assert_eq!(st.issuer_fingerprint.as_deref(), Some(city.fingerprint().as_str()));

    let e = refusal(fx.ws.import_enrollment(&admin, &reply, &city.fingerprint()).unwrap_err());
    assert!(matches!(e, ProvisionError::AlreadyEnrolled { .. }), "{e:?}");
}

#[test]
fn a_reply_bound_to_another_machine_is_refused() {
    // Two PCs given the same code: the city's reply to one does not enroll the other.
    let a = Fx::named("注册测试");
    let b = Fx::named("注册测试");
    let city = City::new(|_| {});
    let admin = a.a("admin");
    let req_a = a.ws.request_enrollment(&admin, &["*".into()], None).unwrap();
    b.ws.request_enrollment(&b.a("admin"), &["*".into()], None).unwrap();
    let e = refusal(b.ws.import_enrollment(&b.a("admin"), &city.reply(&req_a), &city.fingerprint()).unwrap_err());
    assert!(matches!(e, ProvisionError::NotForUs { .. }), "{e:?}");
    assert!(e.to_string().contains("另一台电脑"), "{e}");
}

fn staff(id: &str) -> Contents {
    Contents {
        staff: vec![StaffEntry {
            id: id.into(),
            name: format!("{id} 姓名"),
            roles: vec!["reviewer".into()],
            departments: vec!["*".into()],
        }],
        ..Contents::default()
    }
}

#[test]
fn tampered_replayed_foreign_and_older_bundles_are_refused_and_a_good_one_applies_once() {
    let city = City::new(|_| {});
    let fx = Fx::named("注册测试").enrolled(&city);
    let admin = fx.a("admin");
    let good =
        city.bundle(&fx.ws, 3, Contents { calendars: vec![serde_json::from_str(CAL_2027).unwrap()], ..staff("zhao") });

    // `yc update show`: what it will change, nothing written.
    let events = fx.events();
    let p = fx.ws.show_update(&good, None).unwrap();
    assert_eq!(p.refusal, None);
    assert_eq!(p.serial, 3);
    assert!(p.changes.iter().any(|c| matches!(c, Change::StaffAdd { id, .. } if id == "zhao")));
    assert!(p.changes.iter().any(|c| matches!(c, Change::Calendar { year: 2027 })));
    assert_eq!(fx.events(), events);
    assert!(fx.ws.actor("zhao").is_err());

    // Tampered: one byte of the signed body changed.
    let mut signed: Signed = serde_json::from_slice(&good).unwrap();
    signed.body = signed.body.replace("zhao 姓名", "zhao 姓各");
    let e = refusal(fx.ws.apply_update(&admin, &serde_json::to_vec(&signed).unwrap(), None).unwrap_err());
    assert!(matches!(e, ProvisionError::Tampered), "{e:?}");
    assert!(e.to_string().contains("签名核验失败"), "{e}");
    // Foreign: well signed, by a key that is not the city's.
    let other =
        Ed25519KeyPair::from_pkcs8(Ed25519KeyPair::generate_pkcs8(&ring::rand::SystemRandom::new()).unwrap().as_ref())
            .unwrap();
    assert_ne!(hex(other.public_key().as_ref()), hex(city.key.public_key().as_ref()));
    let e = refusal(fx.ws.apply_update(&admin, &bundle_signed_by(&other, &fx.ws, 4, staff("qian")), None).unwrap_err());
    assert!(matches!(e, ProvisionError::Foreign { .. }), "{e:?}");
    assert_eq!(fx.events(), events, "refusals write nothing");

    // The good one applies, once.
    let a = fx.ws.apply_update(&admin, &good, None).unwrap();
    assert_eq!(a.serial, 3);
    assert_eq!(fx.ws.actor("zhao").unwrap().roles, vec![Role::Reviewer]);
    let e = refusal(fx.ws.apply_update(&admin, &good, None).unwrap_err());
    assert!(matches!(e, ProvisionError::Replayed { serial: 3, .. }), "{e:?}");
    assert!(e.to_string().contains("重复导入"), "{e}");
    // Older: a lower (or equal) serial than what is applied, however well signed.
    for serial in [2, 3] {
        let e = refusal(fx.ws.apply_update(&admin, &city.bundle(&fx.ws, serial, staff("sun")), None).unwrap_err());
        assert!(matches!(e, ProvisionError::Older { current: 3, .. }), "{serial}: {e:?}");
    }
    let p = fx.ws.show_update(&good, None).unwrap();
    assert!(p.refusal.unwrap().contains("重复导入"), "show says why it would be refused");
    assert_eq!(fx.ws.applied_packages().unwrap().iter().map(|a| a.serial).collect::<Vec<_>>(), vec![1, 3]);

    // An enrollment reply is not an update bundle.
    let reply_like = {
        let st = fx.ws.enrollment_status().unwrap();
        let p = Package {
            format: FORMAT,
            kind: PackageKind::Enrollment,
            issuer: "x".into(),
            serial: 9,
            to: fx.ws.label(),
            workstation_key: st.workstation_key,
            issued_at: "2026-11-21T09:00:00+08:00".into(),
            request_sha256: None,
            contents: Contents::default(),
        };
        sign_package(&city.key, &p).to_bytes()
    };
    let e = refusal(fx.ws.apply_update(&admin, &reply_like, None).unwrap_err());
    assert!(matches!(e, ProvisionError::WrongKind { .. }), "{e:?}");
}

#[test]
fn a_bundle_applies_whole_or_not_at_all() {
    let city = City::new(|_| {});
    let fx = Fx::named("注册测试").enrolled(&city);
    let admin = fx.a("admin");
    let events = fx.events();
    // A good staff change with a broken calendar: nothing of it is applied.
    let bad_cal = serde_json::json!({"format": "yichuang-calendar/1", "year": 2027, "source": "x", "holidays": [], "workdays": [{"date": "2027-03-03", "reason": "不是周末"}]});
    let b = city.bundle(&fx.ws, 2, Contents { calendars: vec![bad_cal], ..staff("zhou") });
    let e = refusal(fx.ws.apply_update(&admin, &b, None).unwrap_err());
    assert!(matches!(e, ProvisionError::BadContent { .. }), "{e:?}");
    assert!(fx.ws.actor("zhou").is_err());
    assert_eq!(fx.events(), events);
    // A process adapter would run a program here: never from a bundle.
    let process: yc_adapter_sdk::AdapterConfig = serde_json::from_value(serde_json::json!({
        "name": "x", "kind": "process", "process": {"command": ["/bin/sh", "-c", "id"]}
    }))
    .unwrap();
    let b = city.bundle(
        &fx.ws,
        2,
        Contents {
            adapters: vec![yc_adapter_sdk::provision::AdapterEntry {
                config: process,
                streams: vec!["*".into()],
                departments: vec!["*".into()],
            }],
            ..Contents::default()
        },
    );
    let e = refusal(fx.ws.apply_update(&admin, &b, None).unwrap_err());
    assert!(e.to_string().contains("process"), "{e}");
    // An app package beside the bundle must be the file the city hashed.
    let folder = tempfile::tempdir().unwrap();
    std::fs::write(folder.path().join("yichuang_0.2.0_amd64.deb"), b"the new package").unwrap();
    let app = |sha: String| Contents {
        app_package: Some(yc_adapter_sdk::provision::AppPackage {
            file: "yichuang_0.2.0_amd64.deb".into(),
            version: "0.2.0".into(),
            sha256: sha,
        }),
        ..Contents::default()
    };
    let swapped = city.bundle(&fx.ws, 2, app(yc_adapter_sdk::sha256_hex(b"what the city built")));
    let e = refusal(fx.ws.apply_update(&admin, &swapped, Some(folder.path())).unwrap_err());
    assert!(e.to_string().contains("哈希"), "{e}");
    let right = city.bundle(&fx.ws, 2, app(yc_adapter_sdk::sha256_hex(b"the new package")));
    let a = fx.ws.apply_update(&admin, &right, Some(folder.path())).unwrap();
    assert!(matches!(&a.changes[..], [Change::AppPackage { version, .. }] if version == "0.2.0"));
    assert!(a.changes[0].zh().contains("sudo apt install ./yichuang_0.2.0_amd64.deb"));
    assert_eq!(fx.events(), events + 1, "one provision.apply event");
}

#[test]
fn only_an_administrator_of_every_department_enrolls_or_updates() {
    let city = City::new(|_| {});
    let fx = Fx::named("注册测试");
    let clerk = fx.a("clerk");
    let e = fx.ws.request_enrollment(&clerk, &["*".into()], None).unwrap_err();
    assert!(matches!(e, CoreError::RoleDenied { .. }), "{e:?}");
    let fx = fx.enrolled(&city);
    let b = city.bundle(&fx.ws, 2, staff("wu"));
    let e = fx.ws.apply_update(&clerk, &b, None).unwrap_err();
    assert!(matches!(e, CoreError::RoleDenied { .. }), "{e:?}");
    let admin = fx.a("admin");
    fx.ws
        .add_staff(
            &admin,
            &NewStaff {
                id: "deptadmin".into(),
                name: "部门管理员".into(),
                roles: vec![Role::Admin],
                departments: vec![fx.dept.clone()],
                password: None,
            },
        )
        .unwrap();
    let e = fx.ws.apply_update(&fx.a("deptadmin"), &b, None).unwrap_err();
    assert!(matches!(e, CoreError::DepartmentDenied { .. }), "{e:?}");
    fx.ws.apply_update(&admin, &b, None).unwrap();
    let _ = city.dir.path();
}

// ---- the first run (the desktop's wizard, `yc enroll start`) ---------------------------------

fn first_run_setup() -> yc_core::enrollment::FirstRun {
    yc_core::enrollment::FirstRun {
        region: "440305".into(),
        workstation: "w09".into(),
        name: "某镇便民服务中心".into(),
        departments: vec!["示范区民政局".into(), " 示范区税务局 ".into()],
        city_url: Some("https://zwfw.example.gov.cn".into()),
        admin_password: "first-admin-1".into(),
    }
}

#[test]
fn the_first_run_checks_everything_before_writing_anything() {
    use yc_core::enrollment::FirstRun;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("ws");
    type Spoil = fn(&mut FirstRun);
    let cases: [(&str, Spoil); 6] = [
        ("8 个字符", |s| s.admin_password = "pw-1".into()),
        ("两类", |s| s.admin_password = "12345678901".into()),
        ("行政区划", |s| s.region = "4403".into()),
        ("工作站代码", |s| s.workstation = "窗口一".into()),
        ("部门", |s| s.departments = vec![" ".into()]),
        ("https://", |s| s.city_url = Some("zwfw.example.gov.cn".into())),
    ];
    for (says, spoil) in cases {
        let mut setup = first_run_setup();
        spoil(&mut setup);
        let e = setup.check().err().unwrap_or_else(|| panic!("{says}: accepted"));
        assert!(e.to_string().contains(says), "{says}: {e}");
        let e = Workstation::first_run(&data, &setup, Clock::System).err().expect("refused");
        assert!(e.to_string().contains(says), "{says}: {e}");
        assert!(!data.join(yc_core::store::DB_FILE).exists() && !yc_core::vault::is_encrypted(&data), "{says}: wrote");
    }
    assert!(first_run_setup().check().is_ok());
}

#[test]
fn the_first_run_makes_an_encrypted_training_workstation_with_its_own_key_and_a_signed_request() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("ws");
    let made = Workstation::first_run(&data, &first_run_setup(), Clock::System).unwrap();
    let ws = &made.workstation;
    assert_eq!(ws.label(), "440305-W09", "the code is taken in capitals");
    assert!(ws.encrypted() && yc_core::vault::is_encrypted(&data));
    let st = ws.enrollment_status().unwrap();
    assert_eq!(st.state, EnrollmentState::Training);
    assert!(ws.training_mode().unwrap());
    assert_eq!(st.pending_request.as_deref(), Some(made.request.body_sha256().as_str()));
    assert_eq!(st.pending_city_url.as_deref(), Some("https://zwfw.example.gov.cn"));
    // The request is signed by the key made here, and the city's desk accepts it.
    assert_eq!(made.request.signer, st.workstation_key);
    let (_, req) = yc_sim::enrollment::check_request(&made.request.to_bytes()).unwrap();
    assert_eq!(req.departments, ["示范区民政局", "示范区税务局"]);
    assert_eq!(ws.enrollment_request().unwrap(), Some(made.request.to_bytes()));
    assert!(ws.verify_journal().unwrap().ok);
    let recovery = made.recovery.as_str().to_owned();
    drop(made);

    // The first administrator opens it with the chosen password; the recovery key opens it too.
    let ws = Workstation::open_unlocked(
        &data,
        Clock::System,
        yc_core::vault::Unlock::Password { staff: "admin", password: "first-admin-1" },
    )
    .unwrap();
    assert!(ws.login("admin", "first-admin-1").unwrap().has_role(Role::Admin));
    drop(ws);
    assert!(Workstation::open_unlocked(&data, Clock::System, yc_core::vault::Unlock::Recovery(&recovery)).is_ok());
    // A second first run over it is refused.
    let again = Workstation::first_run(&data, &first_run_setup(), Clock::System).err().expect("refused");
    assert!(matches!(again, CoreError::AlreadyInitialised(_)), "{again}");
}

#[test]
fn the_first_run_offers_the_comprehensive_window_then_the_shipped_catalogs_departments() {
    let d = yc_core::enrollment::department_choices();
    assert_eq!(d[0], "*");
    assert!(d.iter().any(|x| x == "示范区民政局"));
    let mut sorted = d[1..].to_vec();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted, d[1..], "unique and sorted");
}
