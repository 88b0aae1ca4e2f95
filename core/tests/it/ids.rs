//! Identifier checks through the public API: the two numbers of issue 11, credit-code structure
//! (GB 32100) on real published codes, and GB/T 2260 address codes (province error, unlisted
//! code warning, abolished code fine). Expected check characters are computed by hand in the
//! comments with the published algorithms, not by the code under test.

use chrono::NaiveDate;
use yc_core::ids::{
    self, IdError, IdKind, IdWarning, KindBasis, accept_for_intake, analyse, check, check_credit_code,
    check_legacy_resident_id, check_resident_id, credit_category, make_resident_id, region_name,
};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 2).unwrap()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

// ---------------------------------------------------------------------------------------------
// Issue 11, bug 1: a resident ID with one wrong digit became a "valid" credit code.

#[test]
fn a_mistyped_resident_id_is_not_a_valid_credit_code() {
    // 130102 19310122 318 5: Σ(d·w) with 7,9,10,5,8,4,2,1,6,3,7,9,10,5,8,4,2 =
    // 7+27+0+5+0+8+2+9+18+3+0+9+10+10+24+4+16 = 152; 152 mod 11 = 9 → "10X98765432"[9] = '4'.
    let n = "130102193101223185";
    let a = analyse(n, today(), None);
    assert_eq!(a.kind, Some(IdKind::ResidentId));
    assert_eq!(a.basis, KindBasis::ReadsAsPerson);
    assert_eq!(a.result, Err(IdError::CheckDigit { kind: IdKind::ResidentId, expected: '4', found: '5' }));
    // Read as a credit code, positions 3–4 "01" are no province.
    let (other, why) = a.other.clone().unwrap();
    assert_eq!(other, IdKind::CreditCode);
    assert_eq!(why, Some(IdError::UnknownProvince { kind: IdKind::CreditCode, positions: "3–4", code: "01".into() }));
    let r = check(n, today());
    assert_eq!((r.kind, r.valid, r.overridable), (Some(IdKind::ResidentId), false, false));
    assert_eq!(r.error.as_deref(), Some("公民身份号码校验位错误：应为 4，实为 5"));
    // The intake refuses it whatever the clerk says, and as an organisation's code too.
    assert!(accept_for_intake(n, today(), None, true).is_err());
    let e = check_credit_code(n).unwrap_err();
    assert!(e.to_string().contains("第 3–4 位“01”不是省级行政区划代码"), "{e}");
    assert!(!analyse(n, today(), Some(IdKind::CreditCode)).valid());
}

#[test]
fn a_wrong_resident_id_that_is_a_flawless_credit_code_needs_a_recorded_reason() {
    // 121101198001010025, found by searching bodies "12110119 800101dd" for one whose GB 32100
    // check character is a digit other than the resident one.
    // As a resident ID: Σ = 7+18+10+5+0+4+2+9+48+0+0+9+0+5+0+0+4 = 121; 121 mod 11 = 0 → '1', not 5.
    // As a credit code: 1 机构编制, 2 事业单位, authority 110119 (延庆区), organisation code
    // 80010100-2 (24+0+0+10+0+8+0+0 = 42; 42 mod 11 = 9; 11 − 9 = 2), and the GB 32100 sum
    // 1+6+9+27+0+26+16+153+160+0+0+13+0+24+0+0+56 = 491; 491 mod 31 = 26; 31 − 26 = 5 → '5'.
    let n = "121101198001010025";
    let a = analyse(n, today(), None);
    assert_eq!((a.kind, a.basis), (Some(IdKind::ResidentId), KindBasis::ReadsAsPerson));
    let resident = IdError::CheckDigit { kind: IdKind::ResidentId, expected: '1', found: '5' };
    assert_eq!(a.result, Err(IdError::ReadsAsBoth { resident: Box::new(resident) }));
    assert_eq!(a.other, Some((IdKind::CreditCode, None)));
    let r = check(n, today());
    assert_eq!((r.valid, r.overridable), (false, true));
    assert!(r.error.unwrap().contains("申请人若是单位，请登记理由后按单位收件"));
    // Not silently: without a reason the intake refuses; with one it files an organisation's code.
    assert!(matches!(accept_for_intake(n, today(), None, false), Err(IdError::ReadsAsBoth { .. })));
    let ok = accept_for_intake(n, today(), None, true).unwrap();
    assert_eq!((ok.kind, ok.overridden), (IdKind::CreditCode, true));
    // The intake that knows the applicant is an organisation needs no reason.
    let c = analyse(n, today(), Some(IdKind::CreditCode));
    assert!(c.valid() && c.warnings.is_empty(), "{c:?}");
    assert_eq!(accept_for_intake(n, today(), Some(IdKind::CreditCode), false).map(|a| a.overridden), Ok(false));
}

#[test]
fn an_18_digit_number_valid_both_ways_is_read_as_a_person_and_says_so() {
    let n = "121101198001011331";
    assert_eq!(yc_core::ids::resident_check_char(&n[..17]), Some('1'));
    assert_eq!(yc_core::ids::credit_check_char(&n[..17]), Some('1'));
    let a = analyse(n, today(), None);
    assert_eq!((a.kind, a.basis), (Some(IdKind::ResidentId), KindBasis::BothValid));
    assert_eq!(a.other, Some((IdKind::CreditCode, None)));
    assert!(a.basis.to_string().contains("都成立"));
    // The intake that knows the applicant is an organisation reads it as one.
    let org = analyse(n, today(), Some(IdKind::CreditCode));
    assert_eq!((org.kind, org.basis, org.valid()), (Some(IdKind::CreditCode), KindBasis::Expected, true));
    assert_eq!(credit_category(n), Some(("机构编制部门", "事业单位")));
}

// ---------------------------------------------------------------------------------------------
// Issue 11, bug 2: a province that never existed.

#[test]
fn province_29_never_existed() {
    // 290702 19660323 486 1: Σ = 14+81+0+35+0+8+2+9+36+18+0+27+20+15+32+32+12 = 341;
    // 341 mod 11 = 0 → '1': the check character is right, only the province is wrong.
    let n = "290702196603234861";
    assert_eq!(yc_core::ids::resident_check_char(&n[..17]), Some('1'));
    let e = check_resident_id(n, today()).unwrap_err();
    assert_eq!(e, IdError::UnknownProvince { kind: IdKind::ResidentId, positions: "1–2", code: "29".into() });
    assert_eq!(
        e.to_string(),
        "公民身份号码第 1–2 位“29”不是省级行政区划代码：1980 年以来任何一年的 GB/T 2260 都没有这个省"
    );
    assert!(!e.overridable());
    let r = check(n, today());
    assert_eq!((r.kind, r.valid, r.overridable), (Some(IdKind::ResidentId), false, false));
    assert!(accept_for_intake(n, today(), None, true).is_err(), "no reason makes a province exist");
}

#[test]
fn every_province_code_ever_used_is_accepted_and_no_other() {
    let ever = [
        11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62,
        63, 64, 65, 71, 81, 82, 83,
    ];
    for p in 10..100 {
        let id = make_resident_id(&format!("{p}0000"), date(1980, 1, 1), 1);
        let r = check_resident_id(&id, today());
        assert_eq!(r.is_ok(), ever.contains(&p), "province {p}: {r:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// County level: a code never listed is a warning the clerk confirms; abolished codes are fine.

#[test]
fn a_county_code_never_listed_is_a_warning_the_clerk_confirms() {
    // 4403 深圳市 has 440301–440311, 440320, 440321 in some year, never 440399.
    let id = make_resident_id("440399", date(1990, 1, 1), 5);
    let a = analyse(&id, today(), None);
    assert!(a.valid());
    assert_eq!(
        a.warnings,
        vec![IdWarning::UnlistedRegion { kind: IdKind::ResidentId, code: "440399".into(), province: "广东省" }]
    );
    assert!(a.needs_confirmation());
    let r = a.report();
    assert_eq!((r.valid, r.overridable), (false, true));
    assert!(r.error.unwrap().contains("440399"));
    let e = accept_for_intake(&id, today(), None, false).unwrap_err();
    assert!(matches!(e, IdError::Unconfirmed(IdWarning::UnlistedRegion { .. })));
    assert!(e.overridable());
    let ok = accept_for_intake(&id, today(), None, true).unwrap();
    assert_eq!((ok.kind, ok.overridden), (IdKind::ResidentId, true));
}

#[test]
fn an_abolished_code_is_fine() {
    // 110103 崇文区 was merged into 东城区 in 2010; people born there keep it.
    let id = make_resident_id("110103", date(1975, 5, 5), 12);
    let a = analyse(&id, today(), None);
    assert!(a.valid() && a.warnings.is_empty(), "{a:?}");
    let name = a.region.unwrap();
    assert!(name.starts_with("北京市崇文区") && name.contains("2010"), "{name}");
    assert!(check(&id, today()).valid);
    // 海南 (46) exists since 1988, 重庆 (50) since 1997; the codes before stay valid too:
    // 440105 (广州市海珠区) and 510221 (长寿县, 四川 before 重庆 was split off).
    for code in ["460100", "500101", "510221"] {
        let id = make_resident_id(code, date(1960, 1, 1), 3);
        let a = analyse(&id, today(), None);
        assert!(a.valid() && a.warnings.is_empty(), "{code}: {a:?}");
    }
}

#[test]
fn fifteen_digit_legacy_ids_are_still_handled() {
    let legacy = "110105491231002";
    assert_eq!(check_legacy_resident_id(legacy, today()).as_deref(), Ok(legacy));
    assert_eq!(ids::upgrade_legacy_resident_id(legacy, today()).as_deref(), Ok("11010519491231002X"));
    let r = check(legacy, today());
    assert_eq!((r.kind, r.valid, r.birth_date), (Some(IdKind::LegacyResidentId), false, Some(date(1949, 12, 31))));
    assert!(ids::check_with(legacy, today(), true).valid);
    // The same address rules apply.
    assert!(matches!(
        check_legacy_resident_id("290105491231002", today()),
        Err(IdError::UnknownProvince { kind: IdKind::LegacyResidentId, .. })
    ));
    let a = ids::analyse_with("440399491231002", today(), None, true);
    assert!(a.valid() && a.needs_confirmation(), "{a:?}");
}

// ---------------------------------------------------------------------------------------------
// Credit code structure, GB 32100-2015.

#[test]
fn real_credit_codes_pass_with_their_parts_named() {
    // Published codes. Organisation codes by GB 11714 (weights 3,7,9,10,5,8,4,2; 11 − Σ mod 11):
    // 80210043 → 3 (Σ 74), M000100Y → 4 (Σ 139), 00001333 → 8 (Σ 47), 00001803 → 2 (Σ 75),
    // 78026831 → 4 (Σ 205); the GB 32100 check characters were verified the same way by hand.
    for (code, dept, cat) in [
        ("91350100M000100Y43", "工商（市场监管）部门", "企业"),
        ("91110000802100433B", "工商（市场监管）部门", "企业"),
        ("11100000000013338W", "机构编制部门", "机关"),
        ("12100000000018032A", "机构编制部门", "事业单位"),
    ] {
        assert_eq!(check_credit_code(code).as_deref(), Ok(code), "{code}");
        let a = analyse(code, today(), None);
        assert_eq!((a.kind, a.valid()), (Some(IdKind::CreditCode), true), "{code}: {a:?}");
        assert!(a.warnings.is_empty(), "{code}: {:?}", a.warnings);
        assert_eq!(credit_category(code), Some((dept, cat)));
    }
    assert_eq!(region_name("350100").as_deref(), Some("福建省福州市"));
    // 苏州工业园区 registers with 320594, a code GB/T 2260 never lists: the prefecture 3205 is
    // checked, not the county.
    let a = analyse("91320594780268314T", today(), None);
    assert!(a.valid() && a.warnings.is_empty(), "{a:?}");
}

#[test]
fn department_and_category_must_be_codes_of_gb_32100() {
    let with = |first2: &str| ids::make_credit_code(&format!("{first2}350100M000100Y4")).unwrap();
    // Every published department with every category it may use.
    for ok in ["11", "12", "13", "19", "21", "29", "31", "35", "41", "51", "52", "53", "59", "61", "62", "71", "72"] {
        assert!(check_credit_code(&with(ok)).is_ok(), "{ok}");
    }
    for ok in ["81", "89", "91", "92", "93", "A1", "A9", "N1", "N2", "N3", "N9", "Y1"] {
        assert!(check_credit_code(&with(ok)).is_ok(), "{ok}");
    }
    assert_eq!(check_credit_code(&with("01")), Err(IdError::BadDepartment { found: '0' }));
    assert!(matches!(check_credit_code(&with("B1")), Err(IdError::BadDepartment { found: 'B' })));
    let e = check_credit_code(&with("94")).unwrap_err();
    assert!(matches!(e, IdError::BadCategory { found: '4', .. }), "{e}");
    assert_eq!(
        e.to_string(),
        "统一社会信用代码第 2 位“4”不是工商（市场监管）部门登记的机构类别代码：应为 1（企业）、2（个体工商户）、3（农民专业合作社）"
    );
    assert!(matches!(check_credit_code(&with("Y2")), Err(IdError::BadCategory { .. })));
    assert!(matches!(check_credit_code(&with("54")), Err(IdError::BadCategory { .. })));
    assert!(!e.overridable());
    // Positions 3–8 are digits.
    let e = check_credit_code(&ids::make_credit_code("91A50100M000100Y4").unwrap()).unwrap_err();
    assert!(matches!(e, IdError::BadChar { position: 3, .. }), "{e}");
}

#[test]
fn the_checksum_override_still_works_and_only_for_the_checksum() {
    let good = "91350100M000100Y43";
    let bad = "91350100M000100Y44";
    assert_eq!(
        check_credit_code(bad),
        Err(IdError::CheckDigit { kind: IdKind::CreditCode, expected: '3', found: '4' })
    );
    assert!(matches!(accept_for_intake(bad, today(), None, false), Err(IdError::CheckDigit { .. })));
    let ok = accept_for_intake(bad, today(), None, true).unwrap();
    assert_eq!((ok.kind, ok.normalized.as_str(), ok.overridden), (IdKind::CreditCode, bad, true));
    let ok = accept_for_intake(good, today(), None, false).unwrap();
    assert_eq!((ok.kind, ok.overridden), (IdKind::CreditCode, false));
    // A structural error is not overridable, reason or not.
    assert!(accept_for_intake("99350100M000100Y43", today(), None, true).is_err());
}

#[test]
fn an_organisation_code_check_mismatch_is_a_warning_not_an_error() {
    // 11440300007495860R: credit check R is right, but 00749586's GB 11714 check is X, not 0.
    let a = analyse("11440300007495860R", today(), None);
    assert!(a.valid());
    assert_eq!(a.warnings, vec![IdWarning::OrgCodeCheck { code: "007495860".into(), expected: 'X', found: '0' }]);
    assert!(!a.needs_confirmation());
    assert!(check("11440300007495860R", today()).valid);
}

#[test]
fn an_expected_kind_decides_and_a_licence_id_is_no_applicant() {
    let person = make_resident_id("440305", date(1990, 3, 7), 123);
    let a = analyse(&person, today(), Some(IdKind::CreditCode));
    assert_eq!((a.kind, a.basis, a.valid()), (Some(IdKind::CreditCode), KindBasis::Expected, false));
    let a = analyse(&person, today(), Some(IdKind::ResidentId));
    assert_eq!((a.kind, a.valid(), a.birth_date), (Some(IdKind::ResidentId), true, Some(date(1990, 3, 7))));
    assert_eq!(a.region.as_deref(), Some("广东省深圳市南山区"));
    let issuer = ids::make_credit_code("11440300007495860").unwrap();
    let licence = ids::make_licence_id("111", &issuer, "9", 1).unwrap();
    assert!(check(&licence, today()).valid);
    assert!(matches!(
        accept_for_intake(&licence, today(), None, true),
        Err(IdError::NotAnApplicantId { kind: IdKind::LicenceId })
    ));
}
