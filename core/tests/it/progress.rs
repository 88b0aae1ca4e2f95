//! 办件查询 (issue 17 part 5): the receipt's QR or the case number gives the state, the next step
//! and the due date, and nothing that names the applicant.

use yc_core::case::{Action, State};
use yc_core::delivery::Dispatch;
use yc_core::{ActRequest, CoreError};

use super::delivery::{Fx, courier, day};

#[test]
fn the_case_number_or_the_receipt_qr_shows_progress_without_who_applied() {
    let fx = Fx::new();
    let no = fx.file(Some(courier("深圳市南山区科技园路 1 号")));
    let summary = fx.ws.case_summary(&no).unwrap();
    let (name, id) = (summary.applicant_name.clone(), summary.applicant_id.clone());
    let private = [name.as_str(), id.as_str(), "科技园路"];
    let shows = |p: &yc_core::progress::Progress| {
        let text = serde_json::to_string(p).unwrap();
        for x in private {
            assert!(!text.contains(x), "progress shows «{x}»: {text}");
        }
        text
    };

    let p = fx.ws.progress(&format!("YCCASE:{no}")).unwrap();
    shows(&p);
    assert_eq!((p.case_no.as_str(), p.state), (no.as_str(), State::Submitted));
    assert!(p.next_step.contains("预审"), "{}", p.next_step);
    assert_eq!(p.due_date, summary.due_date, "the pre-review limit");

    let ask = ActRequest { reason: Some("身份证复印件不清晰".into()), ..ActRequest::default() };
    fx.ws.act(&fx.a("clerk"), &no, Action::RequestSupplement, &ask).unwrap();
    let p = fx.ws.progress(&no).unwrap();
    assert!(p.paused && p.next_step.contains("补正"), "{p:?}");
    fx.ws.act(&fx.a("clerk"), &no, Action::Supplement, &ActRequest::default()).unwrap();

    fx.approve(&no);
    fx.seal_and_make(&no);
    let p = fx.ws.progress(&no).unwrap();
    assert_eq!(p.due_date.as_deref(), Some("2026-12-04"), "§44 once decided: {p:?}");
    let sent = Dispatch { carrier: Some("顺丰速运".into()), waybill: Some("SF1423567890".into()) };
    fx.ws.dispatch_delivery(&fx.a("clerk"), &no, &sent).unwrap();
    let p = fx.ws.progress(&no).unwrap();
    let text = shows(&p);
    assert!(p.next_step.contains("已寄出"), "{}", p.next_step);
    assert!(text.contains("SF1423567890"), "the waybill to track it: {text}");

    let ws = yc_core::Workstation::open(fx.dir.path(), yc_core::Clock::at_date(day("2026-11-23"))).unwrap();
    ws.record_delivery_receipt(&fx.a("clerk"), &no, "李四", None).unwrap();
    let p = ws.progress(&no).unwrap();
    shows(&p);
    assert_eq!((p.state, p.closed_on.as_deref(), p.due_date), (State::Completed, Some("2026-11-23"), None));

    // Typos and strangers' numbers are told apart; nothing else is revealed.
    assert!(matches!(ws.progress("not a number!"), Err(CoreError::Invalid(_))));
    let e = ws.progress("440305-W01-20990101-00001").unwrap_err();
    assert!(e.to_string().contains("未找到办件"), "{e}");
}
