//! Applicant and licence identifiers: resident ID (GB 11643), unified social credit code
//! (GB 32100) and electronic licence identifier (GB/T 36904).
//!
//! Identity is the key to reuse (一号式): a mistyped number silently splits one applicant in two,
//! so every number is normalised first and its check character verified.
//!
//! Region (address) codes are checked against GB/T 2260 of every year since 1980 (the table ships
//! as data, `core/data/regions/gbt2260.tsv`, with its sources and each code's years): a province
//! that never existed is an error; a 6-digit code never listed in any year is a warning the clerk
//! confirms with a recorded reason; a code abolished since is fine, because IDs keep their old
//! codes for life.
//!
//! An 18-digit number may read as a resident ID and as a credit code at once. [`analyse`] says
//! which reading it took and why; the intake, which knows whether the applicant is a person or an
//! organisation, passes the expected kind and so never has to guess.

use chrono::{Datelike, NaiveDate};
use std::fmt;
use std::sync::LazyLock;

/// Which identifier a string is (or is taken to be).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum IdKind {
    /// 18-character citizen identity number, GB 11643-1999.
    ResidentId,
    /// 15-digit identity number, GB 11643-1989 (no check character); legacy data only.
    LegacyResidentId,
    /// Unified social credit code, GB 32100-2015.
    CreditCode,
    /// Electronic licence identifier, GB/T 36904.
    LicenceId,
}

impl IdKind {
    pub fn label_zh(self) -> &'static str {
        match self {
            IdKind::ResidentId => "公民身份号码",
            IdKind::LegacyResidentId => "15 位旧公民身份号码",
            IdKind::CreditCode => "统一社会信用代码",
            IdKind::LicenceId => "电子证照标识",
        }
    }
}

impl fmt::Display for IdKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label_zh())
    }
}

/// What is wrong with an identifier. Positions are 1-based character positions in the
/// normalised string, as a clerk counts them on the card.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("号码为空")]
    Empty,
    #[error("{kind}长度错误：应为 {expected} 位，实为 {found} 位")]
    WrongLength { kind: IdKind, expected: usize, found: usize },
    #[error("{kind}第 {position} 位字符“{found}”不合法：应为{allowed}")]
    BadChar { kind: IdKind, position: usize, found: char, allowed: &'static str },
    #[error("{kind}中的出生日期“{text}”无效：{reason}")]
    InvalidBirthDate { kind: IdKind, text: String, reason: &'static str },
    #[error("{kind}校验位错误：应为 {expected}，实为 {found}")]
    CheckDigit { kind: IdKind, expected: char, found: char },
    #[error("15 位旧公民身份号码仅可用于历史数据，新办件须使用 18 位号码")]
    LegacyNotAllowed,
    #[error("电子证照标识结构错误：{0}")]
    LicenceStructure(String),
    #[error("无法识别的号码格式（{len} 位）：不是公民身份号码、统一社会信用代码或电子证照标识")]
    UnknownShape { len: usize },
    #[error("{kind}第 {positions} 位“{code}”不是省级行政区划代码：1980 年以来任何一年的 GB/T 2260 都没有这个省")]
    UnknownProvince { kind: IdKind, positions: &'static str, code: String },
    #[error("统一社会信用代码第 1 位“{found}”不是登记管理部门代码：应为 1–9、A、N 或 Y（GB 32100）")]
    BadDepartment { found: char },
    #[error("统一社会信用代码第 2 位“{found}”不是{department}登记的机构类别代码：应为 {allowed}")]
    BadCategory { department: &'static str, found: char, allowed: String },
    /// Read as a resident ID (it looks like one) the number is wrong, yet it passes every check as
    /// a credit code: the window may file it as an organisation's code with a recorded reason.
    #[error("{resident}；按统一社会信用代码读则能通过全部校验：申请人若是单位，请登记理由后按单位收件")]
    ReadsAsBoth { resident: Box<IdError> },
    /// A warning that needs the clerk's confirmation ([`IdWarning::needs_confirmation`]), at intake.
    #[error("{0}")]
    Unconfirmed(IdWarning),
    #[error("{kind}不能作为申请人的证件号码：请填写公民身份号码或统一社会信用代码")]
    NotAnApplicantId { kind: IdKind },
}

impl IdError {
    /// True when the window may accept the number with a recorded reason: a credit-code checksum
    /// mismatch (a few early pilot codes, before GB 32100-2015 was enforced, fail it yet are
    /// legal), a number that is wrong as a resident ID but right as a credit code (the clerk says
    /// the applicant is an organisation), and an unconfirmed warning. Structural errors never are.
    pub fn overridable(&self) -> bool {
        matches!(
            self,
            IdError::CheckDigit { kind: IdKind::CreditCode, .. }
                | IdError::ReadsAsBoth { .. }
                | IdError::Unconfirmed(_)
        )
    }
}

/// Something odd about a number that is otherwise valid. Those that
/// [`needs_confirmation`](IdWarning::needs_confirmation) are shown to the clerk, who confirms them
/// with a reason recorded with the case (as for a checksum override).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdWarning {
    #[error(
        "{kind}地址码 {code} 在 1980 年以来任何一年的 GB/T 2260 中都没有（{province}存在，但没有这个地级或县级代码）：请核对证件原件后确认"
    )]
    UnlistedRegion { kind: IdKind, code: String, province: &'static str },
    #[error(
        "统一社会信用代码第 3–8 位登记管理机关行政区划码 {code}：地级代码 {prefecture} 在 1980 年以来任何一年的 GB/T 2260 中都没有，请核对证照原件后确认"
    )]
    UnlistedPrefecture { code: String, prefecture: String },
    #[error(
        "统一社会信用代码第 9–17 位组织机构代码 {code} 的校验位应为 {expected}，实为 {found}（GB 11714）：请核对证照原件"
    )]
    OrgCodeCheck { code: String, expected: char, found: char },
}

impl IdWarning {
    /// True for an address code never listed (the clerk confirms at intake). A mismatching
    /// organisation-code check character is reported but not held against the code: GB 32100's own
    /// check character already guards all 18 characters, and codes made by [`make_credit_code`]
    /// (demo data, fixtures) do not set the GB 11714 one.
    pub fn needs_confirmation(&self) -> bool {
        !matches!(self, IdWarning::OrgCodeCheck { .. })
    }
}

/// Trim, full-width → half-width (U+FF01–U+FF5E, ideographic space), upper-case, and remove
/// inner whitespace. Input methods in Chinese mode produce full-width digits and `Ｘ`.
pub fn normalize(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            // 。 typed for "." in a licence identifier under a Chinese input method
            '\u{3002}' => '.',
            _ => c,
        })
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_uppercase)
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Region codes, GB/T 2260 (every year since 1980)

const GBT2260_TSV: &str = include_str!("../data/regions/gbt2260.tsv");

/// One code of the GB/T 2260 table (`core/data/regions/gbt2260.tsv`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region {
    pub code: u32,
    /// First year listed; `None` when the sources have it in the first edition they cover (1980).
    pub from: Option<u16>,
    /// Last year listed; `None` while it is still listed.
    pub to: Option<u16>,
    /// The latest name the code was used with.
    pub name: &'static str,
}

static REGIONS: LazyLock<Vec<Region>> = LazyLock::new(|| {
    let year = |t: &str| if t.is_empty() { None } else { t.get(..4).and_then(|y| y.parse().ok()) };
    let mut v: Vec<Region> = GBT2260_TSV
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            let mut f = l.split('\t');
            let code = f.next()?.parse().ok()?;
            let (from, to, name) = (year(f.next()?), year(f.next()?), f.next()?);
            Some(Region { code, from, to, name })
        })
        .collect();
    v.sort_by_key(|r| r.code);
    v
});

/// Every code of the table, sorted.
pub fn regions() -> &'static [Region] {
    &REGIONS
}

/// The table's entry for a 6-digit code, if it was listed in any year.
pub fn region(code6: &str) -> Option<&'static Region> {
    if code6.len() != 6 || !code6.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let code: u32 = code6.parse().ok()?;
    let t = regions();
    t.binary_search_by_key(&code, |r| r.code).ok().map(|i| &t[i])
}

/// The province (first two digits) of a code, if that province was ever listed.
fn province(code6: &str) -> Option<&'static Region> {
    region(&format!("{}0000", code6.get(..2)?))
}

/// "河北省石家庄市长安区", and the years when the code is no longer listed.
pub fn region_name(code6: &str) -> Option<String> {
    let r = region(code6)?;
    let mut name = String::new();
    for part in [province(code6), region(&format!("{}00", code6.get(..4)?))].into_iter().flatten() {
        if part.code != r.code
            && !matches!(part.name, "市辖区" | "县" | "省直辖县级行政区划" | "自治区直辖县级行政区划")
        {
            name.push_str(part.name);
        }
    }
    name.push_str(r.name);
    if let Some(to) = r.to {
        let from = r.from.map_or_else(|| "1980 年首版".to_string(), |f| format!("{f} 年"));
        name.push_str(&format!("（{from}至 {to} 年使用，现已撤销或改码）"));
    }
    Some(name)
}

/// Address code of a resident ID (positions 1–6): a province that never existed is an error; a
/// code never listed in any year is a warning. Codes abolished since are fine.
fn resident_region(kind: IdKind, code6: &str) -> Result<Option<IdWarning>, IdError> {
    let Some(p) = province(code6) else {
        let code = code6.get(..2).unwrap_or(code6).to_string();
        return Err(IdError::UnknownProvince { kind, positions: "1–2", code });
    };
    if region(code6).is_some() {
        return Ok(None);
    }
    Ok(Some(IdWarning::UnlistedRegion { kind, code: code6.to_string(), province: p.name }))
}

/// Registration authority's code of a credit code (positions 3–8). `100000` is the central level
/// (e.g. 11100000000013338W, 住房和城乡建设部). Development-zone authorities use codes GB/T 2260
/// never lists (320594 苏州工业园区, e.g. 91320594780268314T), so only the province (error) and
/// the prefecture (warning) are checked. The 居住证 code 830000 is no registration authority.
fn credit_region(code6: &str) -> Result<Option<IdWarning>, IdError> {
    if code6 == "100000" {
        return Ok(None);
    }
    if province(code6).is_none() || code6.starts_with("83") {
        let code = code6.get(..2).unwrap_or(code6).to_string();
        return Err(IdError::UnknownProvince { kind: IdKind::CreditCode, positions: "3–4", code });
    }
    let prefecture = format!("{}00", code6.get(..4).unwrap_or(code6));
    if region(code6).is_some() || region(&prefecture).is_some() {
        return Ok(None);
    }
    Ok(Some(IdWarning::UnlistedPrefecture { code: code6.to_string(), prefecture }))
}

// ---------------------------------------------------------------------------------------------
// Resident ID, GB 11643-1999

const RESIDENT_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const RESIDENT_CHECK: &[u8; 11] = b"10X98765432";
/// Earliest birth date accepted; older numbers are data-entry errors.
const EARLIEST_BIRTH: (i32, u32, u32) = (1890, 1, 1);

/// Check character for the first 17 digits of a resident ID; `None` unless exactly 17 ASCII
/// digits are given.
pub fn resident_check_char(first17: &str) -> Option<char> {
    let b = first17.as_bytes();
    if b.len() != 17 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let sum: u32 = b.iter().zip(RESIDENT_WEIGHTS).map(|(d, w)| u32::from(d - b'0') * w).sum();
    Some(char::from(RESIDENT_CHECK[(sum % 11) as usize]))
}

fn birth_date(kind: IdKind, text: &str, today: NaiveDate) -> Result<NaiveDate, IdError> {
    let bad = |reason| IdError::InvalidBirthDate { kind, text: text.to_string(), reason };
    let num = |r: std::ops::Range<usize>| text.get(r).and_then(|t| t.parse::<u32>().ok());
    let (Some(y), Some(m), Some(d)) = (num(0..4), num(4..6), num(6..8)) else {
        return Err(bad("不是 8 位数字"));
    };
    let date = NaiveDate::from_ymd_opt(y as i32, m, d).ok_or_else(|| bad("不是有效的日期"))?;
    let (ey, em, ed) = EARLIEST_BIRTH;
    if NaiveDate::from_ymd_opt(ey, em, ed).is_some_and(|e| date < e) {
        return Err(bad("早于 1890 年"));
    }
    if date > today {
        return Err(bad("晚于今天"));
    }
    Ok(date)
}

fn check_digits(kind: IdKind, s: &str, range: std::ops::Range<usize>) -> Result<(), IdError> {
    for (i, c) in s.chars().enumerate().skip(range.start).take(range.len()) {
        if !c.is_ascii_digit() {
            return Err(IdError::BadChar { kind, position: i + 1, found: c, allowed: "数字" });
        }
    }
    Ok(())
}

/// Validates an 18-character resident ID and returns its birth date with the normalised form.
fn resident_id_parts(s: &str, today: NaiveDate) -> Result<(String, NaiveDate), IdError> {
    let kind = IdKind::ResidentId;
    let n = normalize(s);
    let len = n.chars().count();
    if len == 0 {
        return Err(IdError::Empty);
    }
    if len == 15 && n.bytes().all(|b| b.is_ascii_digit()) {
        return Err(IdError::LegacyNotAllowed);
    }
    if len != 18 {
        return Err(IdError::WrongLength { kind, expected: 18, found: len });
    }
    check_digits(kind, &n, 0..17)?;
    let last = n.chars().nth(17).unwrap_or(' ');
    if !(last.is_ascii_digit() || last == 'X') {
        return Err(IdError::BadChar { kind, position: 18, found: last, allowed: "数字或 X" });
    }
    resident_region(kind, &n[..6])?;
    let birth = birth_date(kind, &n[6..14], today)?;
    let expected = resident_check_char(&n[..17]).unwrap_or('?');
    if expected != last {
        return Err(IdError::CheckDigit { kind, expected, found: last });
    }
    Ok((n, birth))
}

/// Checks an 18-character resident ID (GB 11643-1999); returns the normalised number. The
/// province must exist in GB/T 2260; an address code never listed is only a warning, which
/// [`analyse`] reports. A 15-digit number is refused with [`IdError::LegacyNotAllowed`]: see
/// [`check_legacy_resident_id`].
pub fn check_resident_id(s: &str, today: NaiveDate) -> Result<String, IdError> {
    resident_id_parts(s, today).map(|(n, _)| n)
}

fn legacy_parts(s: &str, today: NaiveDate) -> Result<(String, NaiveDate), IdError> {
    let kind = IdKind::LegacyResidentId;
    let n = normalize(s);
    let len = n.chars().count();
    if len == 0 {
        return Err(IdError::Empty);
    }
    if len != 15 {
        return Err(IdError::WrongLength { kind, expected: 15, found: len });
    }
    check_digits(kind, &n, 0..15)?;
    resident_region(kind, &n[..6])?;
    // GB 11643-1989: YYMMDD at positions 7–12, century implicitly 19.
    let birth = birth_date(kind, &format!("19{}", &n[6..12]), today)?;
    Ok((n, birth))
}

/// Checks a 15-digit legacy number (GB 11643-1989: no check character, birth 19YYMMDD).
/// Only for legacy data (migrated records); new cases must use [`check_resident_id`].
pub fn check_legacy_resident_id(s: &str, today: NaiveDate) -> Result<String, IdError> {
    legacy_parts(s, today).map(|(n, _)| n)
}

/// Converts a valid 15-digit number to its 18-character form (insert "19", add the check
/// character), as the 1999 revision prescribes.
pub fn upgrade_legacy_resident_id(s: &str, today: NaiveDate) -> Result<String, IdError> {
    let n = check_legacy_resident_id(s, today)?;
    let first17 = format!("{}19{}", &n[..6], &n[6..]);
    let check = resident_check_char(&first17).unwrap_or('?');
    Ok(format!("{first17}{check}"))
}

/// Builds a valid resident ID (for demos and tests). `region6` should be 6 digits; `seq3` is
/// taken modulo 1000 (odd = male, even = female, per GB 11643).
pub fn make_resident_id(region6: &str, birth: NaiveDate, seq3: u16) -> String {
    let first17 = format!("{region6}{:04}{:02}{:02}{:03}", birth.year(), birth.month(), birth.day(), seq3 % 1000);
    match resident_check_char(&first17) {
        Some(c) => format!("{first17}{c}"),
        // Not 6 digits in region6: no valid ID exists; return the body so validation names the fault.
        None => first17,
    }
}

// ---------------------------------------------------------------------------------------------
// Unified social credit code, GB 32100-2015

/// 31 characters: digits and upper-case letters without I, O, Z, S, V (easily confused).
pub const CREDIT_ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const CREDIT_WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const CREDIT_ALLOWED: &str = "数字或大写字母（不含 I、O、Z、S、V）";

fn credit_value(c: char) -> Option<u32> {
    CREDIT_ALPHABET.find(c).map(|i| i as u32)
}

/// Check character for the first 17 characters of a credit code; `None` unless exactly 17
/// characters of the credit-code alphabet are given.
pub fn credit_check_char(first17: &str) -> Option<char> {
    let mut sum = 0u32;
    let mut count = 0usize;
    for (c, w) in first17.chars().zip(CREDIT_WEIGHTS) {
        sum += credit_value(c)? * w;
        count += 1;
    }
    if count != 17 || first17.chars().count() != 17 {
        return None;
    }
    let idx = (31 - sum % 31) % 31;
    CREDIT_ALPHABET.chars().nth(idx as usize)
}

/// (department code, department, [(category code, category)]).
type Department = (char, &'static str, &'static [(char, &'static str)]);

/// GB 32100-2015 登记管理部门代码 (position 1) with the 机构类别代码 (position 2) each may use: the
/// standard's 1 机构编制, 5 民政, 9 工商, Y 其他, and the codes published since for the other
/// registration departments (2 外交 … N 农业).
const DEPARTMENTS: [Department; 12] = [
    (
        '1',
        "机构编制部门",
        &[('1', "机关"), ('2', "事业单位"), ('3', "中央编办直接管理机构编制的群众团体"), ('9', "其他")],
    ),
    ('2', "外交部门", &[('1', "外国常住新闻机构"), ('9', "其他")]),
    (
        '3',
        "司法行政部门",
        &[
            ('1', "律师执业机构"),
            ('2', "公证处"),
            ('3', "基层法律服务所"),
            ('4', "司法鉴定机构"),
            ('5', "仲裁委员会"),
            ('9', "其他"),
        ],
    ),
    ('4', "文化部门", &[('1', "外国在华文化中心"), ('9', "其他")]),
    ('5', "民政部门", &[('1', "社会团体"), ('2', "民办非企业单位"), ('3', "基金会"), ('9', "其他")]),
    (
        '6',
        "旅游部门",
        &[('1', "外国旅游部门常驻代表机构"), ('2', "港澳台地区旅游部门常驻内地（大陆）代表机构"), ('9', "其他")],
    ),
    ('7', "宗教部门", &[('1', "宗教活动场所"), ('2', "宗教院校"), ('9', "其他")]),
    ('8', "工会", &[('1', "基层工会"), ('9', "其他")]),
    ('9', "工商（市场监管）部门", &[('1', "企业"), ('2', "个体工商户"), ('3', "农民专业合作社")]),
    ('A', "中央军委改革和编制办公室", &[('1', "军队事业单位"), ('9', "其他")]),
    (
        'N',
        "农业部门",
        &[('1', "组级集体经济组织"), ('2', "村级集体经济组织"), ('3', "乡镇级集体经济组织"), ('9', "其他")],
    ),
    ('Y', "其他登记管理部门", &[('1', "不再细分")]),
];

/// Registration department and institution category of a credit code, e.g. ("工商（市场监管）部门",
/// "企业"); `None` unless both are codes of GB 32100.
pub fn credit_category(code: &str) -> Option<(&'static str, &'static str)> {
    let mut c = code.chars();
    let (d, k) = (c.next()?, c.next()?);
    let (_, dept, cats) = DEPARTMENTS.iter().find(|(x, _, _)| *x == d)?;
    cats.iter().find(|(x, _)| *x == k).map(|(_, name)| (*dept, *name))
}

const ORG_WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];

/// GB 11714 check character for the 8-character body of an organisation code (digits and
/// upper-case letters, A = 10 … Z = 35): C9 = 11 − (Σ value·weight mod 11), 10 → X, 11 → 0.
pub fn org_code_check_char(first8: &str) -> Option<char> {
    if first8.chars().count() != 8 {
        return None;
    }
    let mut sum = 0;
    for (c, w) in first8.chars().zip(ORG_WEIGHTS) {
        sum += mod36_value(c)? * w;
    }
    Some(match 11 - sum % 11 {
        10 => 'X',
        11 => '0',
        d => char::from(b'0' + d as u8),
    })
}

/// Checks a credit code's structure and check character; returns the warnings of a valid code.
fn credit_parts(n: &str) -> Result<Vec<IdWarning>, IdError> {
    let kind = IdKind::CreditCode;
    let len = n.chars().count();
    if len == 0 {
        return Err(IdError::Empty);
    }
    if len != 18 {
        return Err(IdError::WrongLength { kind, expected: 18, found: len });
    }
    for (i, c) in n.chars().enumerate() {
        if credit_value(c).is_none() {
            return Err(IdError::BadChar { kind, position: i + 1, found: c, allowed: CREDIT_ALLOWED });
        }
    }
    let chars: Vec<char> = n.chars().collect();
    let Some((_, department, cats)) = DEPARTMENTS.iter().find(|(d, _, _)| *d == chars[0]) else {
        return Err(IdError::BadDepartment { found: chars[0] });
    };
    if !cats.iter().any(|(k, _)| *k == chars[1]) {
        let allowed = cats.iter().map(|(k, name)| format!("{k}（{name}）")).collect::<Vec<_>>().join("、");
        return Err(IdError::BadCategory { department, found: chars[1], allowed });
    }
    for (i, c) in chars.iter().enumerate().take(8).skip(2) {
        if !c.is_ascii_digit() {
            let allowed = "数字（第 3–8 位是登记管理机关行政区划码）";
            return Err(IdError::BadChar { kind, position: i + 1, found: *c, allowed });
        }
    }
    let mut warnings: Vec<IdWarning> = credit_region(&n[2..8])?.into_iter().collect();
    let expected = credit_check_char(&n[..17]).unwrap_or('?');
    if expected != chars[17] {
        return Err(IdError::CheckDigit { kind, expected, found: chars[17] });
    }
    let org_expected = org_code_check_char(&n[8..16]).unwrap_or('?');
    if org_expected != chars[16] {
        warnings.push(IdWarning::OrgCodeCheck { code: n[8..17].to_string(), expected: org_expected, found: chars[16] });
    }
    Ok(warnings)
}

/// Checks a unified social credit code (GB 32100-2015): the character set, the registration
/// department (position 1) and its institution category (2), the registration authority's region
/// (3–8: the province must exist) and the check character (18); returns it normalised. A checksum
/// mismatch is [`IdError::CheckDigit`] with `kind: CreditCode` ([`IdError::overridable`] is true).
/// Warnings (the organisation code's own check character, an unlisted prefecture) are reported
/// by [`analyse`].
pub fn check_credit_code(s: &str) -> Result<String, IdError> {
    let n = normalize(s);
    credit_parts(&n)?;
    Ok(n)
}

/// Appends the check character to 17 credit-code characters (normalised first).
pub fn make_credit_code(first17: &str) -> Option<String> {
    let n = normalize(first17);
    let c = credit_check_char(&n)?;
    Some(format!("{n}{c}"))
}

// ---------------------------------------------------------------------------------------------
// ISO 7064 MOD 37,36 (hybrid system, M = 36) and the electronic licence identifier

const MOD36_ALPHABET: &[u8; 36] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

fn mod36_value(c: char) -> Option<u32> {
    match c {
        '0'..='9' => Some(c as u32 - '0' as u32),
        'A'..='Z' => Some(c as u32 - 'A' as u32 + 10),
        _ => None,
    }
}

/// Runs the ISO 7064 hybrid recurrence over `s` and returns the final intermediate product
/// P (before the check character); `None` on a character outside 0-9A-Z.
fn mod37_36_product(s: &str) -> Option<u32> {
    const M: u32 = 36;
    let mut p = M;
    for c in s.chars() {
        let mut t = (p + mod36_value(c)?) % M;
        if t == 0 {
            t = M;
        }
        p = (2 * t) % (M + 1);
    }
    Some(p)
}

/// ISO 7064 MOD 37,36 check character for `s` (characters 0-9, A-Z).
pub fn mod37_36_check_char(s: &str) -> Option<char> {
    let p = mod37_36_product(s)?;
    // The check character c makes (P + c) mod 36 == 1.
    Some(char::from(MOD36_ALPHABET[((36 + 1 - p) % 36) as usize]))
}

/// True when the last character of `s` is the correct ISO 7064 MOD 37,36 check character.
pub fn mod37_36_is_valid(s: &str) -> bool {
    let Some((i, last)) = s.char_indices().last() else { return false };
    match (mod37_36_product(&s[..i]), mod36_value(last)) {
        (Some(p), Some(c)) => (p + c) % 36 == 1,
        _ => false,
    }
}

/// Check character of an electronic licence identifier over `body` = type code + issuer credit
/// code + serial + version, concatenated without dots (GB/T 36904).
pub fn licence_check_char(body: &str) -> Option<char> {
    mod37_36_check_char(&normalize(body))
}

/// Root of electronic licence identifiers (GB/T 36904): OID arc of the national licence system.
pub const LICENCE_ROOT: &str = "1.2.156.3005.2.";

/// The parts of a checked licence identifier.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LicenceId {
    pub type_code: String,
    pub issuer: String,
    pub serial: String,
    pub version: String,
    pub check: char,
}

/// Builds a licence identifier; `None` if a part has characters outside 0-9A-Z, the issuer is
/// not 18 characters or the version exceeds 999.
pub fn make_licence_id(type_code: &str, issuer: &str, serial: &str, version: u16) -> Option<String> {
    let (t, i, s) = (normalize(type_code), normalize(issuer), normalize(serial));
    if version > 999 || t.is_empty() || s.is_empty() || i.chars().count() != 18 {
        return None;
    }
    let v = format!("{version:03}");
    let check = licence_check_char(&format!("{t}{i}{s}{v}"))?;
    Some(format!("{LICENCE_ROOT}{t}.{i}.{s}.{v}.{check}"))
}

/// Splits and checks a licence identifier.
pub fn parse_licence_id(s: &str) -> Result<LicenceId, IdError> {
    let kind = IdKind::LicenceId;
    let n = normalize(s);
    if n.is_empty() {
        return Err(IdError::Empty);
    }
    let Some(rest) = n.strip_prefix(LICENCE_ROOT) else {
        return Err(IdError::LicenceStructure(format!("应以 {LICENCE_ROOT} 开头")));
    };
    let parts: Vec<&str> = rest.split('.').collect();
    if parts.len() != 5 {
        return Err(IdError::LicenceStructure(format!(
            "根节点之后应为 证照类型代码.颁发机构代码.流水号.版本号.校验位 共 5 段，实为 {} 段",
            parts.len()
        )));
    }
    let names = ["证照类型代码", "颁发机构代码", "流水号", "版本号", "校验位"];
    // Character positions are reported in the whole normalised string.
    let mut offset = LICENCE_ROOT.chars().count();
    for (part, name) in parts.iter().zip(names) {
        if part.is_empty() {
            return Err(IdError::LicenceStructure(format!("{name}为空")));
        }
        for (i, c) in part.chars().enumerate() {
            if mod36_value(c).is_none() {
                let allowed = if name == "版本号" { "数字" } else { "数字或大写字母" };
                return Err(IdError::BadChar { kind, position: offset + i + 1, found: c, allowed });
            }
        }
        offset += part.chars().count() + 1;
    }
    let [type_code, issuer, serial, version, check] = [parts[0], parts[1], parts[2], parts[3], parts[4]];
    // The issuer is checked for shape only: the licence's own check character already catches
    // transcription errors, and pilot credit codes with a failing checksum issue licences too.
    if issuer.chars().count() != 18 {
        return Err(IdError::LicenceStructure(format!(
            "颁发机构代码应为 18 位统一社会信用代码，实为 {} 位",
            issuer.chars().count()
        )));
    }
    if let Some((i, c)) = issuer.chars().enumerate().find(|(_, c)| credit_value(*c).is_none()) {
        let position = LICENCE_ROOT.len() + type_code.len() + 1 + i + 1;
        return Err(IdError::BadChar { kind, position, found: c, allowed: CREDIT_ALLOWED });
    }
    if version.len() != 3 || !version.bytes().all(|b| b.is_ascii_digit()) {
        return Err(IdError::LicenceStructure(format!("版本号应为 3 位数字，实为“{version}”")));
    }
    if check.chars().count() != 1 {
        return Err(IdError::LicenceStructure(format!("校验位应为 1 位，实为 {} 位", check.chars().count())));
    }
    let found = check.chars().next().unwrap_or('?');
    let expected = licence_check_char(&format!("{type_code}{issuer}{serial}{version}")).unwrap_or('?');
    if expected != found {
        return Err(IdError::CheckDigit { kind, expected, found });
    }
    Ok(LicenceId {
        type_code: type_code.to_string(),
        issuer: issuer.to_string(),
        serial: serial.to_string(),
        version: version.to_string(),
        check: found,
    })
}

/// Checks an electronic licence identifier; returns it normalised.
pub fn check_licence_id(s: &str) -> Result<String, IdError> {
    parse_licence_id(s)?;
    Ok(normalize(s))
}

// ---------------------------------------------------------------------------------------------
// Detection by shape

/// Result of [`check`]: what the string looks like and what is wrong with it.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, serde::Serialize)]
pub struct IdReport {
    /// Detected kind (best guess when invalid); `None` when the shape fits no identifier.
    pub kind: Option<IdKind>,
    pub normalized: String,
    pub valid: bool,
    /// Chinese text of the error, for the clerk.
    pub error: Option<String>,
    /// The window may accept it with a recorded reason (credit-code checksum only).
    pub overridable: bool,
    pub birth_date: Option<NaiveDate>,
}

/// Why a number was read as the kind it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KindBasis {
    /// The caller (the intake) said which kind to expect.
    Expected,
    /// Only one kind has this shape (a dot, 15 digits, a letter other than a final X, the length).
    Shape,
    /// 18 characters; only this reading passes every check.
    OnlyValidReading,
    /// 18 digits that pass as a resident ID and as a credit code: read as a resident ID.
    BothValid,
    /// Wrong either way, or right only as a credit code, but it reads as a person's ID: 17 digits
    /// with a birth date at 7–14.
    ReadsAsPerson,
    /// Wrong either way and it does not read as a person's ID.
    ReadsAsCreditCode,
}

impl fmt::Display for KindBasis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KindBasis::Expected => "收件时已指明申请人类型",
            KindBasis::Shape => "号码形态只符合这一种",
            KindBasis::OnlyValidReading => "18 位号码只有这一种读法能通过全部校验",
            KindBasis::BothValid => {
                "按公民身份号码、统一社会信用代码读都成立，先按公民身份号码（申请人若是单位，请在收件时指明）"
            }
            KindBasis::ReadsAsPerson => "前 17 位是数字、第 7–14 位像出生日期，读作公民身份号码",
            KindBasis::ReadsAsCreditCode => "不像公民身份号码（第 7–14 位不是出生日期或含字母），读作统一社会信用代码",
        })
    }
}

/// Full result of checking a number: the kind taken and why, the verdict, warnings, and how the
/// other reading of an 18-character number fared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdAnalysis {
    pub kind: Option<IdKind>,
    pub basis: KindBasis,
    pub normalized: String,
    pub result: Result<(), IdError>,
    /// Valid or not: warnings of the reading taken.
    pub warnings: Vec<IdWarning>,
    pub birth_date: Option<NaiveDate>,
    /// "广东省深圳市南山区" for the address code (resident IDs) or the registration authority's
    /// code (credit codes), when GB/T 2260 lists it.
    pub region: Option<String>,
    /// For 18 characters read without an expected kind: the other reading and its error (`None`
    /// when it is valid too).
    pub other: Option<(IdKind, Option<IdError>)>,
}

impl IdAnalysis {
    pub fn valid(&self) -> bool {
        self.result.is_ok()
    }

    /// Valid, with a warning the clerk must confirm before intake.
    pub fn needs_confirmation(&self) -> bool {
        self.valid() && self.warnings.iter().any(IdWarning::needs_confirmation)
    }

    /// The short report for the UI. A warning that needs confirmation is shown as an overridable
    /// error: the window accepts the number once a reason is recorded.
    pub fn report(&self) -> IdReport {
        let confirm: Vec<String> =
            self.warnings.iter().filter(|w| w.needs_confirmation()).map(ToString::to_string).collect();
        let (valid, error, overridable) = match &self.result {
            Err(e) => (false, Some(e.to_string()), e.overridable()),
            Ok(()) if !confirm.is_empty() => (false, Some(confirm.join("；")), true),
            Ok(()) => (true, None, false),
        };
        let birth_date =
            if self.result.is_ok() || self.result == Err(IdError::LegacyNotAllowed) { self.birth_date } else { None };
        IdReport { kind: self.kind, normalized: self.normalized.clone(), valid, error, overridable, birth_date }
    }
}

/// One reading of a number as one kind.
struct Reading {
    kind: IdKind,
    result: Result<(), IdError>,
    warnings: Vec<IdWarning>,
    birth_date: Option<NaiveDate>,
}

fn read_resident(n: &str, today: NaiveDate) -> Reading {
    let kind = IdKind::ResidentId;
    let (result, birth_date) = match resident_id_parts(n, today) {
        Ok((_, b)) => (Ok(()), Some(b)),
        Err(e) => (Err(e), None),
    };
    let warnings = match (&result, n.get(..6)) {
        (Ok(()), Some(code)) => resident_region(kind, code).ok().flatten().into_iter().collect(),
        _ => Vec::new(),
    };
    Reading { kind, result, warnings, birth_date }
}

fn read_legacy(n: &str, today: NaiveDate, allow_legacy: bool) -> Reading {
    let kind = IdKind::LegacyResidentId;
    let (result, birth_date) = match legacy_parts(n, today) {
        Ok((_, b)) if allow_legacy => (Ok(()), Some(b)),
        Ok((_, b)) => (Err(IdError::LegacyNotAllowed), Some(b)),
        Err(e) => (Err(e), None),
    };
    let warnings = match (birth_date, n.get(..6)) {
        (Some(_), Some(code)) => resident_region(kind, code).ok().flatten().into_iter().collect(),
        _ => Vec::new(),
    };
    Reading { kind, result, warnings, birth_date }
}

fn read_credit(n: &str) -> Reading {
    let (result, warnings) = match credit_parts(n) {
        Ok(w) => (Ok(()), w),
        Err(e) => (Err(e), Vec::new()),
    };
    Reading { kind: IdKind::CreditCode, result, warnings, birth_date: None }
}

fn read_licence(n: &str) -> Reading {
    Reading { kind: IdKind::LicenceId, result: parse_licence_id(n).map(|_| ()), warnings: Vec::new(), birth_date: None }
}

/// 17 digits, then a digit or X, with a date at 7–14 that a birth date can be.
fn reads_as_person(n: &str, today: NaiveDate) -> bool {
    let b = n.as_bytes();
    b.len() == 18
        && b[..17].iter().all(u8::is_ascii_digit)
        && (b[17].is_ascii_digit() || b[17] == b'X')
        && birth_date(IdKind::ResidentId, &n[6..14], today).is_ok()
}

/// Checks a number. With `expected` (the intake knows whether the applicant is a person or an
/// organisation) it is read as that kind; without, the kind is taken from its shape and, for 18
/// characters that fit both, as [`KindBasis`] explains: a number that reads as a person's ID is
/// never silently taken as a valid credit code ([`IdError::ReadsAsBoth`]).
pub fn analyse(s: &str, today: NaiveDate, expected: Option<IdKind>) -> IdAnalysis {
    analyse_with(s, today, expected, false)
}

/// As [`analyse`]; with `allow_legacy` a valid 15-digit number counts as valid (migrated data).
pub fn analyse_with(s: &str, today: NaiveDate, expected: Option<IdKind>, allow_legacy: bool) -> IdAnalysis {
    let n = normalize(s);
    let len = n.chars().count();
    let done = |r: Reading, basis, other, n: String| {
        let region = match r.kind {
            IdKind::ResidentId | IdKind::LegacyResidentId => n.get(..6).and_then(region_name),
            IdKind::CreditCode if r.result.is_ok() => n.get(2..8).and_then(region_name),
            _ => None,
        };
        IdAnalysis {
            kind: Some(r.kind),
            basis,
            normalized: n,
            result: r.result,
            warnings: r.warnings,
            birth_date: r.birth_date,
            region,
            other,
        }
    };
    if len == 0 {
        let r =
            Reading { kind: IdKind::ResidentId, result: Err(IdError::Empty), warnings: Vec::new(), birth_date: None };
        return IdAnalysis { kind: None, ..done(r, KindBasis::Shape, None, n) };
    }
    let all_digits = n.bytes().all(|b| b.is_ascii_digit());
    match expected {
        Some(IdKind::ResidentId | IdKind::LegacyResidentId) => {
            let r =
                if len == 15 && all_digits { read_legacy(&n, today, allow_legacy) } else { read_resident(&n, today) };
            return done(r, KindBasis::Expected, None, n);
        }
        Some(IdKind::CreditCode) => return done(read_credit(&n), KindBasis::Expected, None, n),
        Some(IdKind::LicenceId) => return done(read_licence(&n), KindBasis::Expected, None, n),
        None => {}
    }
    if n.contains('.') {
        return done(read_licence(&n), KindBasis::Shape, None, n);
    }
    if len == 15 && all_digits {
        return done(read_legacy(&n, today, allow_legacy), KindBasis::Shape, None, n);
    }
    if len == 18 {
        let (r, c) = (read_resident(&n, today), read_credit(&n));
        let person = reads_as_person(&n, today);
        return match (r.result.is_ok(), c.result.is_ok()) {
            (true, true) => done(r, KindBasis::BothValid, Some((IdKind::CreditCode, None)), n),
            (true, false) => {
                let other = Some((IdKind::CreditCode, c.result.err()));
                done(r, KindBasis::OnlyValidReading, other, n)
            }
            (false, true) if person => {
                // Wrong as the person's ID it looks like: say so. Right as a credit code with no
                // warning at all, the window may still take it as an organisation's (recorded).
                let mut r = r;
                if c.warnings.is_empty()
                    && let Err(e) = r.result
                {
                    r.result = Err(IdError::ReadsAsBoth { resident: Box::new(e) });
                }
                done(r, KindBasis::ReadsAsPerson, Some((IdKind::CreditCode, None)), n)
            }
            (false, true) => done(c, KindBasis::OnlyValidReading, Some((IdKind::ResidentId, r.result.err())), n),
            (false, false) => {
                // A resident ID has 17 digits and a birth year 18xx–20xx at 7–10; a credit code's
                // positions 7–8 belong to a region code and rarely look like that.
                let body_digits = n.bytes().take(17).all(|b| b.is_ascii_digit());
                if person || (body_digits && matches!(n.get(6..8), Some("18" | "19" | "20"))) {
                    done(r, KindBasis::ReadsAsPerson, Some((IdKind::CreditCode, c.result.err())), n)
                } else {
                    done(c, KindBasis::ReadsAsCreditCode, Some((IdKind::ResidentId, r.result.err())), n)
                }
            }
        };
    }
    let digits_then_x = n.bytes().enumerate().all(|(i, b)| b.is_ascii_digit() || (i + 1 == len && b == b'X'));
    let alnum = n.bytes().all(|b| b.is_ascii_alphanumeric());
    let wrong = |kind| Reading {
        kind,
        result: Err(IdError::WrongLength { kind, expected: 18, found: len }),
        warnings: Vec::new(),
        birth_date: None,
    };
    if digits_then_x && (14..=19).contains(&len) {
        return done(wrong(IdKind::ResidentId), KindBasis::Shape, None, n);
    }
    if alnum && (16..=20).contains(&len) {
        return done(wrong(IdKind::CreditCode), KindBasis::Shape, None, n);
    }
    let r = Reading {
        kind: IdKind::ResidentId,
        result: Err(IdError::UnknownShape { len }),
        warnings: Vec::new(),
        birth_date: None,
    };
    IdAnalysis { kind: None, ..done(r, KindBasis::Shape, None, n) }
}

/// Detects the kind of identifier by its shape and checks it (see [`analyse`]). 15-digit legacy
/// numbers are reported as `LegacyResidentId` but not valid; use [`check_with`] for legacy data.
pub fn check(s: &str, today: NaiveDate) -> IdReport {
    check_with(s, today, false)
}

/// As [`check`]; with `allow_legacy` a valid 15-digit number counts as valid (migrated data).
pub fn check_with(s: &str, today: NaiveDate, allow_legacy: bool) -> IdReport {
    analyse_with(s, today, None, allow_legacy).report()
}

/// What the intake files for an applicant's number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    /// `ResidentId` (a person) or `CreditCode` (an organisation).
    pub kind: IdKind,
    pub normalized: String,
    /// The clerk's recorded reason was needed (checksum override, confirmed warning, or a number
    /// wrong as a resident ID taken as the organisation's credit code).
    pub overridden: bool,
    pub warnings: Vec<IdWarning>,
}

/// The intake's rule for an applicant's number: valid as a resident ID or a credit code; an
/// overridable error or a warning that needs confirmation passes only with `reason_given`.
pub fn accept_for_intake(
    s: &str,
    today: NaiveDate,
    expected: Option<IdKind>,
    reason_given: bool,
) -> Result<Accepted, IdError> {
    let a = analyse(s, today, expected);
    let mut kind = a.kind.unwrap_or(IdKind::ResidentId);
    let overridden = match a.result {
        Err(IdError::ReadsAsBoth { .. }) if reason_given => {
            kind = IdKind::CreditCode;
            true
        }
        Err(e) if e.overridable() && reason_given => true,
        Err(e) => return Err(e),
        Ok(()) => match a.warnings.iter().find(|w| w.needs_confirmation()) {
            Some(_) if reason_given => true,
            Some(w) => return Err(IdError::Unconfirmed(w.clone())),
            None => false,
        },
    };
    if !matches!(kind, IdKind::ResidentId | IdKind::CreditCode) {
        return Err(IdError::NotAnApplicantId { kind });
    }
    let warnings = if kind == IdKind::CreditCode && a.kind != Some(kind) {
        credit_parts(&a.normalized).unwrap_or_default()
    } else {
        a.warnings
    };
    Ok(Accepted { kind, normalized: a.normalized, overridden, warnings })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn standard_example_resident_id_is_valid() {
        // The worked example printed in GB 11643-1999.
        assert_eq!(check_resident_id("11010519491231002X", today()).as_deref(), Ok("11010519491231002X"));
        assert_eq!(resident_check_char("11010519491231002"), Some('X'));
    }

    #[test]
    fn hand_computed_resident_check_char_matches() {
        // 440305 19900307 123: Σ = 4·7+4·9+0·10+3·5+0·8+5·4+1·2+9·1+9·6+0·3+0·7+3·9+0·10+7·5
        //   +1·8+2·4+3·2 = 28+36+0+15+0+20+2+9+54+0+0+27+0+35+8+8+6 = 248; 248 mod 11 = 6 → '6'.
        assert_eq!(resident_check_char("44030519900307123"), Some('6'));
        assert_eq!(make_resident_id("440305", date(1990, 3, 7), 123), "440305199003071236");
        assert!(check_resident_id("440305199003071236", today()).is_ok());
    }

    #[test]
    fn lowercase_x_is_accepted_and_normalised() {
        assert_eq!(check_resident_id(" 11010519491231002x ", today()).as_deref(), Ok("11010519491231002X"));
    }

    #[test]
    fn full_width_input_normalises() {
        assert_eq!(normalize("　１１０１０５１９４９１２３１００２ｘ "), "11010519491231002X");
        assert!(check_resident_id("１１０１０５ １９４９１２３１ ００２Ｘ", today()).is_ok());
        assert_eq!(normalize("９１ａｂ"), "91AB");
    }

    #[test]
    fn wrong_check_digit_names_expected_and_found() {
        let e = check_resident_id("110105194912310021", today()).unwrap_err();
        assert_eq!(e, IdError::CheckDigit { kind: IdKind::ResidentId, expected: 'X', found: '1' });
        assert_eq!(e.to_string(), "公民身份号码校验位错误：应为 X，实为 1");
        assert!(!e.overridable());
    }

    #[test]
    fn wrong_length_says_the_length() {
        let e = check_resident_id("1101051949123100", today()).unwrap_err();
        assert_eq!(e.to_string(), "公民身份号码长度错误：应为 18 位，实为 16 位");
    }

    #[test]
    fn bad_character_names_its_position() {
        let e = check_resident_id("1101051949A231002X", today()).unwrap_err();
        assert_eq!(e, IdError::BadChar { kind: IdKind::ResidentId, position: 11, found: 'A', allowed: "数字" });
        assert!(e.to_string().contains("第 11 位"));
    }

    #[test]
    fn future_birth_date_is_rejected() {
        let id = make_resident_id("110105", date(2027, 1, 1), 1);
        let e = check_resident_id(&id, today()).unwrap_err();
        assert!(matches!(e, IdError::InvalidBirthDate { reason: "晚于今天", .. }), "{e}");
        // The same number is fine once that day has come.
        assert!(check_resident_id(&id, date(2027, 1, 1)).is_ok());
    }

    #[test]
    fn impossible_and_too_old_birth_dates_are_rejected() {
        let feb30 = format!("11010519490230002{}", resident_check_char("11010519490230002").unwrap());
        assert!(matches!(check_resident_id(&feb30, today()), Err(IdError::InvalidBirthDate { .. })));
        let old = make_resident_id("110105", date(1889, 12, 31), 2);
        assert!(matches!(check_resident_id(&old, today()), Err(IdError::InvalidBirthDate { .. })));
    }

    #[test]
    fn a_province_that_never_existed_is_an_error_in_both_kinds() {
        let e = check_resident_id(&make_resident_id("990000", date(1980, 1, 1), 5), today()).unwrap_err();
        assert_eq!(e, IdError::UnknownProvince { kind: IdKind::ResidentId, positions: "1–2", code: "99".into() });
        assert!(!e.overridable());
        let e = check_credit_code(&make_credit_code("91990000MA5FAB7C7").unwrap()).unwrap_err();
        assert!(matches!(e, IdError::UnknownProvince { kind: IdKind::CreditCode, positions: "3–4", .. }), "{e}");
        // 居住证 code 830000 is valid in a resident ID, never as a registration authority.
        assert!(check_resident_id(&make_resident_id("830000", date(1990, 1, 1), 5), today()).is_ok());
        assert!(check_credit_code(&make_credit_code("91830000MA5FAB7C7").unwrap()).is_err());
    }

    #[test]
    fn region_table_is_sorted_unique_and_has_the_34_provinces() {
        let t = regions();
        assert!(t.len() > 7000, "{}", t.len());
        assert!(t.windows(2).all(|w| w[0].code < w[1].code), "sorted, no duplicate code");
        let provinces: Vec<u32> = t.iter().filter(|r| r.code % 10000 == 0).map(|r| r.code / 10000).collect();
        let expected = [
            11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61,
            62, 63, 64, 65, 71, 81, 82, 83,
        ];
        assert_eq!(provinces, expected);
        assert_eq!(region("460000").map(|r| (r.name, r.from)), Some(("海南省", Some(1988))));
        assert_eq!(region("500000").map(|r| (r.name, r.from)), Some(("重庆市", Some(1997))));
    }

    #[test]
    fn organisation_code_check_char_matches_gb_11714() {
        // 80210043-3: 8·3+0·7+2·9+1·10+0·5+0·8+4·4+3·2 = 74; 74 mod 11 = 8; 11 − 8 = 3.
        assert_eq!(org_code_check_char("80210043"), Some('3'));
        // M000100Y-4: M = 22, Y = 34: 66+0+0+0+5+0+0+68 = 139; 139 mod 11 = 7; 11 − 7 = 4.
        assert_eq!(org_code_check_char("M000100Y"), Some('4'));
        // 00749586: 63+40+45+40+32+12 = 232; 232 mod 11 = 1; 11 − 1 = 10 → X.
        assert_eq!(org_code_check_char("00749586"), Some('X'));
        // 00000000: Σ = 0; 11 − 0 = 11 → 0.
        assert_eq!(org_code_check_char("00000000"), Some('0'));
        assert_eq!(org_code_check_char("0000000"), None);
    }

    #[test]
    fn legacy_15_digit_id_is_recognised_but_only_valid_for_legacy_data() {
        let legacy = "110105491231002";
        assert_eq!(check_resident_id(legacy, today()), Err(IdError::LegacyNotAllowed));
        assert_eq!(check_legacy_resident_id(legacy, today()).as_deref(), Ok(legacy));
        assert_eq!(upgrade_legacy_resident_id(legacy, today()).as_deref(), Ok("11010519491231002X"));
        let r = check(legacy, today());
        assert_eq!((r.kind, r.valid, r.birth_date), (Some(IdKind::LegacyResidentId), false, Some(date(1949, 12, 31))));
        let r = check_with(legacy, today(), true);
        assert!(r.valid);
        // 19YY: month 13 is not a date.
        assert!(matches!(check_legacy_resident_id("110105491331002", today()), Err(IdError::InvalidBirthDate { .. })));
    }

    #[test]
    fn credit_code_generator_and_validator_agree() {
        let code = make_credit_code("91350100M000100Y4").unwrap();
        assert_eq!(check_credit_code(&code).as_deref(), Ok(code.as_str()));
        assert_eq!(code.len(), 18);
    }

    #[test]
    fn hand_computed_credit_check_char_matches() {
        // 11440300 007495860 with weights 1,3,9,27,19,26,16,17,20,29,25,13,8,24,10,30,28:
        // 1+3+36+108+0+78+0+0+0+0+175+52+72+120+80+180+0 = 905; 905 mod 31 = 6; 31−6 = 25 → 'R'.
        assert_eq!(credit_check_char("11440300007495860"), Some('R'));
        assert!(check_credit_code("11440300007495860R").is_ok());
    }

    #[test]
    fn credit_code_excluded_letters_are_bad_characters() {
        let code = make_credit_code("11440300007495860").unwrap();
        for bad in ['I', 'O', 'Z', 'S', 'V'] {
            let mut s: Vec<char> = code.chars().collect();
            s[9] = bad;
            let s: String = s.into_iter().collect();
            let e = check_credit_code(&s).unwrap_err();
            assert!(matches!(e, IdError::BadChar { position: 10, found, .. } if found == bad), "{e}");
            assert!(!e.overridable());
        }
    }

    #[test]
    fn credit_checksum_mismatch_is_overridable_but_structure_is_not() {
        let e = check_credit_code("11440300007495860A").unwrap_err();
        assert_eq!(e, IdError::CheckDigit { kind: IdKind::CreditCode, expected: 'R', found: 'A' });
        assert!(e.overridable());
        let r = check("11440300007495860A", today());
        assert_eq!((r.kind, r.valid, r.overridable), (Some(IdKind::CreditCode), false, true));
        assert!(!check_credit_code("1144030000749586R").unwrap_err().overridable());
    }

    #[test]
    fn iso7064_mod37_36_matches_reference_vector() {
        // Example from python-stdnum's iso7064.mod_37_36 documentation.
        assert_eq!(mod37_36_check_char("A12425GABC1234002"), Some('M'));
        assert!(mod37_36_is_valid("A12425GABC1234002M"));
        assert!(!mod37_36_is_valid("A12425GABC1234002N"));
        assert!(!mod37_36_is_valid(""));
    }

    #[test]
    fn licence_id_round_trip() {
        let issuer = make_credit_code("11440300007495860").unwrap();
        let id = make_licence_id("11100000000013338W", &issuer, "2026000123", 1).unwrap();
        assert!(id.starts_with("1.2.156.3005.2.11100000000013338W.11440300007495860R.2026000123.001."));
        assert_eq!(check_licence_id(&id).as_deref(), Ok(id.as_str()));
        let parts = parse_licence_id(&id).unwrap();
        assert_eq!((parts.serial.as_str(), parts.version.as_str()), ("2026000123", "001"));
        let r = check(&id.to_lowercase(), today());
        assert_eq!((r.kind, r.valid), (Some(IdKind::LicenceId), true));
    }

    #[test]
    fn licence_id_structure_errors_are_explained() {
        let issuer = make_credit_code("11440300007495860").unwrap();
        let id = make_licence_id("111", &issuer, "9", 2).unwrap();
        let e = check_licence_id(&id.replace(".002.", ".02.")).unwrap_err();
        assert!(e.to_string().contains("版本号应为 3 位数字"), "{e}");
        assert!(matches!(check_licence_id("1.2.156.3005.3.1.2.3.4"), Err(IdError::LicenceStructure(_))));
        let mut wrong = id.clone();
        let last = wrong.pop().unwrap();
        wrong.push(if last == '0' { '1' } else { '0' });
        assert!(matches!(check_licence_id(&wrong), Err(IdError::CheckDigit { kind: IdKind::LicenceId, .. })));
    }

    #[test]
    fn check_detects_kind_by_shape() {
        let t = today();
        assert_eq!(check("11010519491231002X", t).kind, Some(IdKind::ResidentId));
        assert_eq!(check("11010519491231002X", t).birth_date, Some(date(1949, 12, 31)));
        assert_eq!(check("11440300007495860R", t).kind, Some(IdKind::CreditCode));
        // 17 characters with letters: taken as a credit code of the wrong length.
        let r = check("91440300MA5F00001", t);
        assert_eq!(r.kind, Some(IdKind::CreditCode));
        assert_eq!(r.error.as_deref(), Some("统一社会信用代码长度错误：应为 18 位，实为 17 位"));
        let r = check("110105194912310021", t);
        assert_eq!((r.kind, r.valid), (Some(IdKind::ResidentId), false));
        assert_eq!(r.error.as_deref(), Some("公民身份号码校验位错误：应为 X，实为 1"));
        assert_eq!(check("1101051949123100", t).kind, Some(IdKind::ResidentId));
        let r = check("张三", t);
        assert_eq!((r.kind, r.valid), (None, false));
        assert!(r.error.unwrap().contains("无法识别"));
        assert_eq!(check("  ", t).error.as_deref(), Some("号码为空"));
    }

    /// Resident IDs with an address code GB/T 2260 lists (any year).
    fn resident_strategy() -> impl Strategy<Value = String> {
        (0..regions().len(), 0i64..(365 * 130), 0u16..1000).prop_map(|(i, days, seq)| {
            let birth = date(1890, 1, 1) + chrono::Duration::days(days);
            make_resident_id(&format!("{:06}", regions()[i].code), birth.min(date(2026, 11, 23)), seq)
        })
    }

    /// Structurally valid credit codes: a department and category of GB 32100, a listed region
    /// (not the 居住证 code), an organisation code with its GB 11714 check character.
    fn credit_strategy() -> impl Strategy<Value = String> {
        let cats: Vec<(char, char)> =
            DEPARTMENTS.iter().flat_map(|(d, _, cs)| cs.iter().map(move |(k, _)| (*d, *k))).collect();
        let regions: Vec<u32> = regions().iter().map(|r| r.code).filter(|c| c / 10000 != 83).collect();
        (0..cats.len(), 0..regions.len(), proptest::collection::vec(0usize..31, 8)).prop_map(move |(c, r, v)| {
            let org: String = v.into_iter().map(|i| CREDIT_ALPHABET.as_bytes()[i] as char).collect();
            let check = org_code_check_char(&org).unwrap();
            let (d, k) = cats[c];
            make_credit_code(&format!("{d}{k}{:06}{org}{check}", regions[r])).unwrap()
        })
    }

    proptest! {
        #[test]
        fn generated_resident_ids_are_valid(id in resident_strategy()) {
            prop_assert_eq!(check_resident_id(&id, today()), Ok(id.clone()));
            let a = analyse(&id, today(), None);
            prop_assert!(a.valid() && a.warnings.is_empty(), "{:?}", a);
            prop_assert_eq!(a.kind, Some(IdKind::ResidentId));
        }

        #[test]
        fn generated_credit_codes_are_valid_without_warnings(code in credit_strategy()) {
            prop_assert_eq!(check_credit_code(&code), Ok(code.clone()));
            let a = analyse(&code, today(), Some(IdKind::CreditCode));
            prop_assert!(a.valid() && a.warnings.is_empty(), "{:?}", a);
        }

        #[test]
        fn every_single_substitution_in_resident_id_is_detected(
            id in resident_strategy(), pos in 0usize..18, d in 0u8..11
        ) {
            let mut b = id.clone().into_bytes();
            let new = if d == 10 { b'X' } else { b'0' + d };
            prop_assume!(b[pos] != new);
            b[pos] = new;
            let s = String::from_utf8(b).unwrap();
            prop_assert!(check_resident_id(&s, today()).is_err(), "{} accepted", s);
        }

        #[test]
        fn adjacent_transposition_in_resident_id_is_detected(id in resident_strategy(), pos in 0usize..17) {
            let mut b = id.clone().into_bytes();
            prop_assume!(b[pos] != b[pos + 1]);
            b.swap(pos, pos + 1);
            let s = String::from_utf8(b).unwrap();
            prop_assert!(check_resident_id(&s, today()).is_err(), "{} accepted", s);
        }

        #[test]
        fn every_single_substitution_in_credit_code_is_detected(
            code in credit_strategy(), pos in 0usize..18, k in 0usize..31
        ) {
            let mut c: Vec<char> = code.chars().collect();
            let new = CREDIT_ALPHABET.as_bytes()[k] as char;
            prop_assume!(c[pos] != new);
            c[pos] = new;
            let s: String = c.into_iter().collect();
            prop_assert!(check_credit_code(&s).is_err(), "{} accepted", s);
        }

        #[test]
        fn licence_ids_round_trip_and_substitutions_are_detected(
            type_code in "[0-9A-Z]{1,20}", code in credit_strategy(), serial in "[0-9A-Z]{1,20}",
            version in 0u16..1000, pos in 0usize..60, k in 0usize..36
        ) {
            let id = make_licence_id(&type_code, &code, &serial, version).unwrap();
            prop_assert_eq!(check_licence_id(&id), Ok(id.clone()));
            let body = format!("{type_code}{code}{serial}{version:03}");
            let full = format!("{body}{}", id.chars().last().unwrap());
            prop_assert!(mod37_36_is_valid(&full));
            // Any single substitution in the checked body (or the check character) is caught.
            let mut chars: Vec<char> = full.chars().collect();
            let pos = pos % chars.len();
            let new = MOD36_ALPHABET[k] as char;
            prop_assume!(chars[pos] != new);
            chars[pos] = new;
            let s: String = chars.into_iter().collect();
            prop_assert!(!mod37_36_is_valid(&s));
        }
    }
}
