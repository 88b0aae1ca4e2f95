//! The city platform's SMS gateway (短信网关), as a TEST DOUBLE: a `notice.sms` row on the
//! `notifications` stream is a text to send to the applicant's consented number. It is sent once
//! per notice id — the row's idempotency key, so a notice pushed again after a lost answer or a
//! killed sync is answered `duplicate` and not sent twice — and recorded with the number masked.

use crate::store::Sms;

pub const STREAM: &str = "notifications";
pub const KIND: &str = "notice.sms";

/// Whether the row is a text for the gateway.
pub fn is_sms(stream: &str, kind: &str) -> bool {
    stream == STREAM && kind == KIND
}

/// `138****5678`: what the gateway's record shows of a number.
pub fn mask(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    if chars.len() < 8 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}****{tail}")
}

/// The text to send, or why the gateway refuses it (`VALIDATION`): a mainland mobile number
/// (11 digits, starting 1) and a non-empty text. The reason never quotes the number.
pub fn read(
    source: &str,
    key: &str,
    case_no: Option<&str>,
    payload: &serde_json::Value,
    at: &str,
) -> Result<Sms, String> {
    let to = payload.get("to").and_then(serde_json::Value::as_str).unwrap_or("");
    if to.len() != 11 || !to.starts_with('1') || !to.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("短信通知的接收号码不是11位手机号（{}）", mask(to)));
    }
    let text = payload.get("text").and_then(serde_json::Value::as_str).unwrap_or("").trim();
    if text.is_empty() {
        return Err("短信通知没有正文".into());
    }
    let template = payload.get("template").and_then(serde_json::Value::as_str).unwrap_or("").to_owned();
    Ok(Sms {
        source: source.to_owned(),
        notice_id: key.to_owned(),
        case_no: case_no.map(str::to_owned),
        template,
        to_masked: mask(to),
        text: text.to_owned(),
        sent_at: at.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_is_read_with_the_number_masked_and_a_bad_number_refused_without_quoting_it() {
        let p = serde_json::json!({"to": "13812345678", "text": " 您的办件已受理 ", "template": "accepted"});
        let s = read("ws", "ev-1", Some("C1"), &p, "t").unwrap();
        assert_eq!(
            (s.to_masked.as_str(), s.text.as_str(), s.template.as_str()),
            ("138****5678", "您的办件已受理", "accepted")
        );
        assert!(!serde_json::to_string(&s).unwrap().contains("13812345678"));
        let e = read("ws", "ev-2", None, &serde_json::json!({"to": "0755888812", "text": "x"}), "t").unwrap_err();
        assert!(!e.contains("0755888812"), "{e}");
        assert!(read("ws", "ev-3", None, &serde_json::json!({"to": "13812345678", "text": " "}), "t").is_err());
    }
}
