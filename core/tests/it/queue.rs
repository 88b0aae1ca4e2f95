//! Queue calling (排队叫号): numbers per day and service, appointments first, call next, recall,
//! skip, transfer, the hall board without names, and the waiting figures in the statistics.

use yc_core::queue::{Service, TicketStatus};

use super::appointment::Fx;

const W1: &str = "1号窗口";
const W2: &str = "2号窗口";
const W3: &str = "3号窗口";

#[test]
fn a_ticket_called_and_transferred_waits_for_its_new_window_with_priority() {
    let fx = Fx::new();
    let a1 = fx.ws.take_ticket(&fx.clerk, Service::General).unwrap();
    let a2 = fx.ws.take_ticket(&fx.clerk, Service::General).unwrap();
    let c1 = fx.ws.take_ticket(&fx.clerk, Service::Pickup).unwrap();
    assert_eq!((a1.number.as_str(), a2.number.as_str(), c1.number.as_str()), ("A001", "A002", "C001"));
    let text = fx.ws.ticket_print(&a2.ticket_id).unwrap().text;
    assert!(text.contains("A002") && text.contains("前面还有 1 人等候") && text.contains("某区政务服务中心"), "{text}");

    let fx = fx.at("2026-09-28T09:10:00+08:00");
    let called = fx.ws.call_next(&fx.clerk, W1, &[Service::General]).unwrap().unwrap();
    assert_eq!((called.number.as_str(), called.window.as_deref()), ("A001", Some(W1)));
    assert_eq!(called.waited_minutes, Some(10));
    // The applicant came for a certificate: to the pickup service at window 3.
    let t = fx.ws.transfer_ticket(&fx.clerk, W1, Service::Pickup, Some(W3)).unwrap();
    assert_eq!(t.status, TicketStatus::Waiting);
    assert_eq!((t.service, t.target_window.as_deref(), t.priority, t.transfers), (Service::Pickup, Some(W3), true, 1));
    assert_eq!(t.number, "A001", "a transferred ticket keeps its number");
    assert!(fx.ws.transfer_ticket(&fx.clerk, W1, Service::Pickup, None).is_err(), "nothing at window 1 now");

    // Window 2 serves pickups too, but A001 was sent to window 3: it gets C001.
    let w2 = fx.ws.call_next(&fx.clerk, W2, &[Service::Pickup]).unwrap().unwrap();
    assert_eq!(w2.number, "C001");
    let w3 = fx.ws.call_next(&fx.clerk, W3, &[Service::Pickup]).unwrap().unwrap();
    assert_eq!((w3.number.as_str(), w3.window.as_deref()), ("A001", Some(W3)));
    assert_eq!(w3.waited_minutes, Some(10), "the wait is to the first call");
    // Window 1 goes on with A002; window 3 has nobody left.
    assert_eq!(fx.ws.call_next(&fx.clerk, W1, &[]).unwrap().unwrap().number, "A002");
    assert!(fx.ws.call_next(&fx.clerk, W3, &[Service::Pickup]).unwrap().is_none());
    assert_eq!(fx.ws.ticket(&w3.ticket_id).unwrap().status, TicketStatus::Done, "served when W3 moved on");
    assert_eq!(fx.events("queue.transfer"), 1);
    fx.rebuild_is_identical();
}

#[test]
fn a_checked_in_appointment_is_called_before_earlier_walk_ins() {
    let fx = Fx::new();
    let b = fx.book("2026-09-28", "14:00", 21).unwrap();
    let fx = fx.at("2026-09-28T13:40:00+08:00");
    let walk_in = fx.ws.take_ticket(&fx.clerk, Service::General).unwrap();
    let fx = fx.at("2026-09-28T13:55:00+08:00");
    let c = fx.ws.check_in_appointment(&fx.clerk, &b.booking_id, Service::General).unwrap();
    assert_eq!((walk_in.number.as_str(), c.ticket.number.as_str()), ("A001", "A002"));
    let st = fx.ws.queue_status().unwrap();
    let order: Vec<&str> = st.waiting.iter().map(|t| t.number.as_str()).collect();
    assert_eq!(order, ["A002", "A001"], "calling order: the appointment first");
    assert_eq!(fx.ws.call_next(&fx.clerk, W1, &[]).unwrap().unwrap().number, "A002");
    assert_eq!(fx.ws.call_next(&fx.clerk, W1, &[]).unwrap().unwrap().number, "A001");
    fx.rebuild_is_identical();
}

#[test]
fn a_skipped_ticket_is_recalled_when_its_holder_comes_back() {
    let fx = Fx::new();
    for _ in 0..3 {
        fx.ws.take_ticket(&fx.clerk, Service::General).unwrap();
    }
    assert_eq!(fx.ws.call_next(&fx.clerk, W1, &[]).unwrap().unwrap().number, "A001");
    let again = fx.ws.recall_ticket(&fx.clerk, W1, None).unwrap();
    assert_eq!((again.number.as_str(), again.recalls), ("A001", 1));
    let skipped = fx.ws.skip_ticket(&fx.clerk, W1).unwrap();
    assert_eq!(skipped.status, TicketStatus::Skipped);
    assert!(fx.ws.skip_ticket(&fx.clerk, W1).is_err(), "nothing at the window after a skip");
    assert_eq!(fx.ws.call_next(&fx.clerk, W1, &[]).unwrap().unwrap().number, "A002", "a skipped ticket is not next");
    // A001 is back: window 1 is busy with A002, so it is refused there; window 2 takes it.
    let e = fx.ws.recall_ticket(&fx.clerk, W1, Some("a001")).unwrap_err();
    assert!(e.to_string().contains("正在办理 A002"), "{e}");
    let back = fx.ws.recall_ticket(&fx.clerk, W2, Some("a001")).unwrap();
    assert_eq!((back.status, back.window.as_deref(), back.recalls), (TicketStatus::Called, Some(W2), 2));
    // A waiting ticket cannot be "recalled" past the others.
    assert!(fx.ws.recall_ticket(&fx.clerk, W2, Some("A003")).is_err());
    let st = fx.ws.queue_status().unwrap();
    assert_eq!(st.called.len(), 2);
    assert!(st.skipped.is_empty());
    fx.rebuild_is_identical();
}

#[test]
fn numbers_start_again_the_next_day_and_yesterdays_tickets_are_not_called() {
    let fx = Fx::new();
    fx.ws.take_ticket(&fx.clerk, Service::General).unwrap();
    let y2 = fx.ws.take_ticket(&fx.clerk, Service::General).unwrap();
    assert_eq!(y2.ticket_id, "20260928-A002");
    let fx = fx.at("2026-09-29T08:45:00+08:00");
    assert!(fx.ws.call_next(&fx.clerk, W1, &[]).unwrap().is_none(), "yesterday's tickets are not called");
    let t = fx.ws.take_ticket(&fx.clerk, Service::General).unwrap();
    assert_eq!((t.number.as_str(), t.ticket_id.as_str()), ("A001", "20260929-A001"));
    assert_eq!(fx.ws.call_next(&fx.clerk, W1, &[]).unwrap().unwrap().ticket_id, "20260929-A001");
    let st = fx.ws.queue_status().unwrap();
    let general = st.services.iter().find(|w| w.service == Some(Service::General)).unwrap();
    assert_eq!((general.taken, general.waiting, general.called), (1, 0, 1));
    fx.rebuild_is_identical();
}

#[test]
fn waiting_figures_feed_the_hall_board_and_the_statistics() {
    let fx = Fx::new();
    fx.ws.take_ticket(&fx.clerk, Service::General).unwrap();
    fx.ws.take_ticket(&fx.clerk, Service::General).unwrap();
    fx.ws.take_ticket(&fx.clerk, Service::Enquiry).unwrap();
    let fx = fx.at("2026-09-28T09:12:00+08:00");
    fx.ws.call_next(&fx.clerk, W1, &[Service::General]).unwrap();
    let fx = fx.at("2026-09-28T09:20:00+08:00");
    fx.ws.call_next(&fx.clerk, W2, &[Service::General]).unwrap();

    let st = fx.ws.queue_status().unwrap();
    let general = st.services.iter().find(|w| w.service == Some(Service::General)).unwrap();
    assert_eq!((general.taken, general.waiting, general.called), (2, 0, 2));
    assert_eq!((general.avg_wait_minutes, general.max_wait_minutes), (Some(16.0), Some(20)));
    let enquiry = st.services.iter().find(|w| w.service == Some(Service::Enquiry)).unwrap();
    assert_eq!((enquiry.waiting, enquiry.avg_wait_minutes), (1, None));

    let board = fx.ws.hall_board().unwrap();
    let latest = board.latest.as_ref().unwrap();
    assert_eq!((latest.number.as_str(), latest.window.as_str()), ("A002", W2));
    assert_eq!(board.recent.iter().map(|c| c.number.as_str()).collect::<Vec<_>>(), ["A001"]);
    let json = serde_json::to_string(&board).unwrap();
    assert!(!json.contains("预约人") && !json.contains("440305"), "no names, no IDs on the hall board: {json}");

    let q = yc_core::report::Query { from: "2026-09-28".parse().unwrap(), to: "2026-09-28".parse().unwrap(), by: None };
    let report = fx.ws.report(&fx.admin, &q).unwrap();
    let g = report.queue.iter().find(|w| w.service == Some(Service::General)).unwrap();
    assert_eq!((g.taken, g.called, g.avg_wait_minutes, g.max_wait_minutes), (2, 2, Some(16.0), Some(20)));
    fx.rebuild_is_identical();
}
