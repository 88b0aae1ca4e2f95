//! Notices to the applicant (issue 17 part 4): queued with the case action that prompts them, only
//! to a consented number, shown masked, on the `notifications` stream with a payload its schema
//! accepts, and rebuilt identically.

use yc_core::case::Action;
use yc_core::notice::Template;
use yc_core::sync::outbox::AdapterRegistration;
use yc_core::{ActRequest, CoreError};

use super::delivery::Fx;

fn sms_gateway() -> AdapterRegistration {
    let json = r#"{"name":"sms","kind":"city-extranet","settings":{}}"#;
    AdapterRegistration {
        config: yc_adapter_sdk::AdapterConfig::from_json_str(json).unwrap(),
        streams: vec!["notifications".into()],
        departments: vec!["*".into()],
        backfill: false,
        program_confirmed: false,
    }
}

fn notice_items(fx: &Fx) -> Vec<serde_json::Value> {
    let conn = fx.ws.store().reader().unwrap();
    let mut st = conn.prepare("SELECT payload FROM outbox WHERE stream = 'notifications' ORDER BY id").unwrap();
    st.query_map([], |r| r.get::<_, String>(0)).unwrap().map(|p| serde_json::from_str(&p.unwrap()).unwrap()).collect()
}

#[test]
fn notices_go_only_to_a_consented_number_with_the_action_that_prompts_them() {
    let fx = Fx::new();
    fx.ws.register_adapter(&fx.a("admin"), &sms_gateway()).unwrap();
    // An adapter subscribed to every stream does not get the phone numbers.
    let mut all = sms_gateway();
    all.config =
        yc_adapter_sdk::AdapterConfig::from_json_str(r#"{"name":"all","kind":"city-extranet","settings":{}}"#).unwrap();
    all.streams = vec!["*".into()];
    fx.ws.register_adapter(&fx.a("admin"), &all).unwrap();
    let clerk = fx.a("clerk");
    let no = fx.file(None);
    let name = fx.ws.case_summary(&no).unwrap().applicant_name;

    // No consent: accepting the case queues nothing.
    let quiet = fx.file(None);
    fx.ws.act(&clerk, &quiet, Action::Accept, &ActRequest::default()).unwrap();
    assert!(fx.ws.notice_status(&clerk, &quiet).unwrap().notices.is_empty());

    let e = fx.ws.record_notice_consent(&clerk, &no, Some("0755-8888")).unwrap_err();
    assert!(matches!(e, CoreError::Invalid(_)), "{e}");
    let s = fx.ws.record_notice_consent(&clerk, &no, Some(" １３８ 1234 5678 ")).unwrap();
    assert_eq!(s.phone_masked.as_deref(), Some("138****5678"));
    let ask = ActRequest { reason: Some("营业执照复印件不清晰".into()), ..ActRequest::default() };
    fx.ws.act(&clerk, &no, Action::RequestSupplement, &ask).unwrap();
    fx.ws.act(&clerk, &no, Action::Supplement, &ActRequest::default()).unwrap();
    fx.approve(&no);

    let s = fx.ws.notice_status(&clerk, &no).unwrap();
    let templates: Vec<Template> = s.notices.iter().map(|n| n.template).collect();
    assert_eq!(templates, [Template::SupplementNeeded, Template::Accepted, Template::Decided]);
    assert!(s.notices[0].text.contains("营业执照复印件不清晰"), "{}", s.notices[0].text);
    for n in &s.notices {
        assert!(n.text.contains(&no) && !n.text.contains(&name), "{}", n.text);
        assert_eq!((n.sending.clone(), n.sent), (vec!["sms: pending".to_owned()], false));
    }
    // The items carry the number to the gateway and match their schema; the journal's notice
    // events do not carry it.
    let items = notice_items(&fx);
    assert_eq!(items.len(), 3);
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/schemas/item.notice.sms.schema.json"))
            .unwrap(),
    )
    .unwrap();
    let v = jsonschema::draft202012::options().should_validate_formats(true).build(&schema).unwrap();
    for it in &items {
        assert_eq!(it["to"], "13812345678");
        let bad: Vec<String> = v.iter_errors(it).map(|e| e.to_string()).collect();
        assert!(bad.is_empty(), "{bad:?}\n{it:#}");
    }
    let queued: Vec<String> = {
        let conn = fx.ws.store().reader().unwrap();
        let mut st = conn.prepare("SELECT payload FROM journal WHERE action = 'notice.queued'").unwrap();
        st.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
    };
    assert_eq!(queued.len(), 3);
    assert!(queued.iter().all(|p| !p.contains("13812345678")), "{queued:?}");

    // Withdrawn: the number is dropped and later actions say nothing.
    let s = fx.ws.record_notice_consent(&clerk, &no, None).unwrap();
    assert_eq!(s.phone_masked, None);
    let kept: i64 = fx
        .ws
        .store()
        .reader()
        .unwrap()
        .query_row("SELECT count(*) FROM notice_consents WHERE case_no = ?1", [&no], |r| r.get(0))
        .unwrap();
    assert_eq!(kept, 0);
    fx.seal_and_make(&no);
    assert_eq!(fx.ws.notice_status(&clerk, &no).unwrap().notices.len(), 3);

    let fp = fx.ws.derived_fingerprint().unwrap();
    fx.ws.rebuild().unwrap();
    assert_eq!(fx.ws.derived_fingerprint().unwrap(), fp);
}
