//! `yc id check` on the two numbers of issue 11: the kind taken and why, the verdict, and each
//! finding in Chinese.

use std::process::{Command, Output};

fn id_check(number: &str, json: bool) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let mut c = Command::new(env!("CARGO_BIN_EXE_yc"));
    c.arg("--data").arg(dir.path()).env_remove("YC_USER").env_remove("YC_TODAY");
    if json {
        c.arg("--json");
    }
    c.args(["id", "check", number]).output().expect("yc runs")
}

fn text(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn a_resident_id_with_one_wrong_digit_is_not_a_valid_credit_code() {
    let o = id_check("130102193101223185", false);
    let out = text(&o);
    assert!(!o.status.success(), "{out}");
    let first = out.lines().next().unwrap();
    assert_eq!(first, "居民身份证号码 130102193101223185 invalid 无效：公民身份号码校验位错误：应为 4，实为 5");
    assert!(out.contains("判定：按居民身份证号码核验（前 17 位是数字、第 7–14 位像出生日期"), "{out}");
    assert!(
        out.contains("另一读法：按统一社会信用代码读不成立：统一社会信用代码第 3–4 位“01”不是省级行政区划代码"),
        "{out}"
    );
    assert!(!out.contains("valid 有效"), "{out}");
    let v: serde_json::Value = serde_json::from_slice(&id_check("130102193101223185", true).stdout).unwrap();
    assert_eq!((v["kind"].as_str(), v["valid"].as_bool()), (Some("ResidentId"), Some(false)));
}

#[test]
fn a_province_that_never_existed_is_invalid() {
    let o = id_check("290702196603234861", false);
    let out = text(&o);
    assert!(!o.status.success(), "{out}");
    assert!(
        out.starts_with(
            "居民身份证号码 290702196603234861 invalid 无效：公民身份号码第 1–2 位“29”不是省级行政区划代码"
        ),
        "{out}"
    );
}

#[test]
fn warnings_and_valid_codes_say_so() {
    // 440399 was never listed: valid, but the clerk confirms (exit code 1 until then).
    let o = id_check("440399199001010050", false);
    let out = text(&o);
    assert!(!o.status.success(), "{out}");
    assert!(out.contains("warning 待确认"), "{out}");
    assert!(out.contains("警告（须确认）：公民身份号码地址码 440399"), "{out}");
    let o = id_check("91350100M000100Y43", false);
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(out.starts_with("统一社会信用代码 91350100M000100Y43 valid 有效"), "{out}");
    assert!(out.contains("登记管理部门：工商（市场监管）部门；机构类别：企业"), "{out}");
    assert!(out.contains("登记管理机关：福建省福州市"), "{out}");
}
