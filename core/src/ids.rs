//! Applicant and licence identifiers: resident ID (GB 11643), unified social credit code
//! (GB 32100) and electronic licence identifier (GB/T 36904).
//!
//! Identity is the key to reuse (一号式): a mistyped number silently splits one applicant in two,
//! so every number is normalised first and its check character verified. Region (address) codes
//! are deliberately NOT checked against a list: they change over time and old IDs stay valid.

use chrono::{Datelike, NaiveDate};
use std::fmt;

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
}

impl IdError {
    /// True only for a credit-code checksum mismatch: a few early pilot codes (before
    /// GB 32100-2015 was enforced) fail the checksum yet are legal, so the window may accept one
    /// with a recorded reason. Structural errors are never overridable.
    pub fn overridable(&self) -> bool {
        matches!(self, IdError::CheckDigit { kind: IdKind::CreditCode, .. })
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
    let birth = birth_date(kind, &n[6..14], today)?;
    let expected = resident_check_char(&n[..17]).unwrap_or('?');
    if expected != last {
        return Err(IdError::CheckDigit { kind, expected, found: last });
    }
    Ok((n, birth))
}

/// Checks an 18-character resident ID (GB 11643-1999); returns the normalised number.
/// A 15-digit number is refused with [`IdError::LegacyNotAllowed`]: see [`check_legacy_resident_id`].
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

/// Checks a unified social credit code; returns it normalised. A checksum mismatch is
/// [`IdError::CheckDigit`] with `kind: CreditCode` ([`IdError::overridable`] is true).
pub fn check_credit_code(s: &str) -> Result<String, IdError> {
    let kind = IdKind::CreditCode;
    let n = normalize(s);
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
    let expected = credit_check_char(&n[..17]).unwrap_or('?');
    let found = n.chars().nth(17).unwrap_or('?');
    if expected != found {
        return Err(IdError::CheckDigit { kind, expected, found });
    }
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

impl IdReport {
    fn new(kind: Option<IdKind>, normalized: String, r: Result<Option<NaiveDate>, IdError>) -> Self {
        match r {
            Ok(birth_date) => IdReport { kind, normalized, valid: true, error: None, overridable: false, birth_date },
            Err(e) => IdReport {
                kind,
                normalized,
                valid: false,
                overridable: e.overridable(),
                error: Some(e.to_string()),
                birth_date: None,
            },
        }
    }
}

/// Detects the kind of identifier by its shape and checks it. 15-digit legacy numbers are
/// reported as `LegacyResidentId` but not valid; use [`check_with`] for legacy data.
pub fn check(s: &str, today: NaiveDate) -> IdReport {
    check_with(s, today, false)
}

/// As [`check`]; with `allow_legacy` a valid 15-digit number counts as valid (migrated data).
pub fn check_with(s: &str, today: NaiveDate, allow_legacy: bool) -> IdReport {
    let n = normalize(s);
    let len = n.chars().count();
    if len == 0 {
        return IdReport::new(None, n, Err(IdError::Empty));
    }
    if n.contains('.') {
        let r = check_licence_id(&n).map(|_| None);
        return IdReport::new(Some(IdKind::LicenceId), n, r);
    }
    let all_digits = n.bytes().all(|b| b.is_ascii_digit());
    if len == 15 && all_digits {
        let mut r = legacy_parts(&n, today);
        if let (Ok(_), false) = (&r, allow_legacy) {
            r = Err(IdError::LegacyNotAllowed);
        }
        let birth = legacy_parts(&n, today).ok().map(|(_, b)| b);
        let mut rep = IdReport::new(Some(IdKind::LegacyResidentId), n, r.map(|(_, b)| Some(b)));
        rep.birth_date = birth;
        return rep;
    }
    if len == 18 {
        if let Ok((n, b)) = resident_id_parts(&n, today) {
            return IdReport::new(Some(IdKind::ResidentId), n, Ok(Some(b)));
        }
        if check_credit_code(&n).is_ok() {
            return IdReport::new(Some(IdKind::CreditCode), n, Ok(None));
        }
        // Neither is valid: a resident ID has 17 digits and a birth year 18xx–20xx at 7–10;
        // a credit code's positions 7–8 belong to a region code and rarely look like that.
        let body_digits = n.bytes().take(17).all(|b| b.is_ascii_digit());
        let looks_resident = body_digits && matches!(n.get(6..8), Some("18" | "19" | "20"));
        return if looks_resident {
            let r = check_resident_id(&n, today).map(|_| None);
            IdReport::new(Some(IdKind::ResidentId), n, r)
        } else {
            let r = check_credit_code(&n).map(|_| None);
            IdReport::new(Some(IdKind::CreditCode), n, r)
        };
    }
    let digits_then_x = n.bytes().enumerate().all(|(i, b)| b.is_ascii_digit() || (i + 1 == len && b == b'X'));
    let alnum = n.bytes().all(|b| b.is_ascii_alphanumeric());
    if digits_then_x && (14..=19).contains(&len) {
        let e = IdError::WrongLength { kind: IdKind::ResidentId, expected: 18, found: len };
        return IdReport::new(Some(IdKind::ResidentId), n, Err(e));
    }
    if alnum && (16..=20).contains(&len) {
        let e = IdError::WrongLength { kind: IdKind::CreditCode, expected: 18, found: len };
        return IdReport::new(Some(IdKind::CreditCode), n, Err(e));
    }
    IdReport::new(None, n, Err(IdError::UnknownShape { len }))
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
    fn unknown_region_code_is_not_rejected() {
        // 990000 is in no region table; address codes change over time (GB/T 2260 revisions).
        assert!(check_resident_id(&make_resident_id("990000", date(1980, 1, 1), 5), today()).is_ok());
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

    fn resident_strategy() -> impl Strategy<Value = String> {
        (100000u32..=999999, 0i64..(365 * 130), 0u16..1000).prop_map(|(region, days, seq)| {
            let birth = date(1890, 1, 1) + chrono::Duration::days(days);
            make_resident_id(&region.to_string(), birth.min(date(2026, 11, 23)), seq)
        })
    }

    fn credit_strategy() -> impl Strategy<Value = String> {
        proptest::collection::vec(0usize..31, 17).prop_map(|v| {
            let body: String = v.into_iter().map(|i| CREDIT_ALPHABET.as_bytes()[i] as char).collect();
            make_credit_code(&body).unwrap()
        })
    }

    proptest! {
        #[test]
        fn generated_resident_ids_are_valid(id in resident_strategy()) {
            prop_assert_eq!(check_resident_id(&id, today()), Ok(id.clone()));
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
