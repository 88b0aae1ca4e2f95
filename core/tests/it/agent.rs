//! Agents (代办, issue 17 part 8): the village agent who files for a villager is recorded with the
//! villager's authorisation attached, the workstation's post level (村级代办点) sets the agent's
//! level and village, an agent filing without the authorisation is refused, the statistics count
//! agent and village filings, and the table is rebuilt identically.

use yc_core::agent::{AUTHORISATION, Filing, Level, Post, PostLevel};
use yc_core::case::Channel;
use yc_core::report::{By, Query};
use yc_core::{Clock, CoreError, NewCase, Workstation};

const PDF: &[u8] = b"%PDF-1.7\n% authorisation of the applicant\n";

fn setup() -> (tempfile::TempDir, Workstation, String) {
    let dir = tempfile::tempdir().unwrap();
    let (ws, _) = crate::seal::staffed(dir.path(), "石门村代办点", Clock::at_date("2026-11-20".parse().unwrap()));
    let item = ws.catalog_items(None).unwrap().into_iter().find(|i| i.name == "敬老优待证办理").unwrap();
    (dir, ws, item.code)
}

fn villager(n: u16) -> String {
    yc_core::ids::make_resident_id("440305", "1948-02-03".parse().unwrap(), n)
}

#[test]
fn a_village_agent_files_with_the_villagers_authorisation_and_is_counted() {
    let (_dir, ws, code) = setup();
    let (admin, clerk) = (ws.actor("admin").unwrap(), ws.actor("clerk").unwrap());
    assert_eq!(ws.service_post().unwrap().level, PostLevel::County);
    // A village post names its village and township; only an administrator sets it.
    let post = Post { level: PostLevel::Village, township: Some("石门镇".into()), village: None };
    assert!(matches!(ws.set_service_post(&admin, &post), Err(CoreError::Missing { .. })));
    let post = Post { village: Some(" 石门村 ".into()), ..post };
    assert!(matches!(ws.set_service_post(&clerk, &post), Err(CoreError::RoleDenied { .. })));
    assert_eq!(ws.set_service_post(&admin, &post).unwrap().village.as_deref(), Some("石门村"));
    assert_eq!(ws.service_post().unwrap().level, PostLevel::Village);

    let agent = Filing { name: "王代办".into(), id_no: Some(villager(90)), level: None, post: None };
    let base = NewCase {
        item_code: code.clone(),
        applicant_id: villager(1),
        applicant_name: "张老汉".into(),
        agent: Some(agent.clone()),
        ..Default::default()
    };
    // No authorisation: refused, nothing filed.
    let e = ws.new_case(&clerk, &base).unwrap_err();
    assert!(matches!(&e, CoreError::Missing { field, .. } if field.contains("代办委托书")), "{e}");
    let mut auth = ws.put_attachment(&clerk, "委托书.pdf", PDF).unwrap();
    auth.material = Some(AUTHORISATION.into());
    // An agent files through the township channel, not online; nor for themselves.
    let online = NewCase { channel: Some(Channel::Online), attachments: vec![auth.clone()], ..base.clone() };
    assert!(ws.new_case(&clerk, &online).is_err());
    let selfish = NewCase { applicant_id: villager(90), attachments: vec![auth.clone()], ..base.clone() };
    assert!(ws.new_case(&clerk, &selfish).unwrap_err().to_string().contains("同一人"));
    let none: i64 = ws.store().reader().unwrap().query_row("SELECT count(*) FROM cases", [], |r| r.get(0)).unwrap();
    assert_eq!(none, 0);

    let no = ws.new_case(&clerk, &NewCase { attachments: vec![auth.clone()], ..base.clone() }).unwrap();
    assert_eq!(ws.case_summary(&no).unwrap().channel, Channel::Township);
    let a = ws.case_agent(&clerk, &no).unwrap().expect("recorded");
    assert_eq!((a.name.as_str(), a.level, a.post.as_deref()), ("王代办", Level::Village, Some("石门村")));
    assert_eq!((a.applicant_name.as_str(), a.authorisation.as_str()), ("张老汉", auth.sha256.as_str()));
    // The authorisation is one of the case's attachments.
    let atts: i64 = ws
        .store()
        .reader()
        .unwrap()
        .query_row(
            "SELECT count(*) FROM case_attachments WHERE case_no = ?1 AND material_id = ?2",
            [&no, AUTHORISATION],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(atts, 1);

    // A township agent, and a villager in person.
    let town = Filing {
        name: "李专干".into(),
        id_no: None,
        level: Some(Level::Township),
        post: Some("石门镇便民服务中心".into()),
    };
    ws.new_case(
        &clerk,
        &NewCase { applicant_id: villager(2), agent: Some(town), attachments: vec![auth.clone()], ..base.clone() },
    )
    .unwrap();
    let own = ws.new_case(&clerk, &NewCase { applicant_id: villager(3), agent: None, ..base }).unwrap();
    assert_eq!(ws.case_agent(&clerk, &own).unwrap(), None);

    let day = "2026-11-20".parse().unwrap();
    let rep = ws.report(&admin, &Query { from: day, to: day, by: Some(By::Department) }).unwrap();
    assert_eq!((rep.total.received, rep.total.agent_filed, rep.total.village_filed), (3, 2, 1));

    let fp = ws.derived_fingerprint().unwrap();
    ws.rebuild().unwrap();
    assert_eq!(ws.derived_fingerprint().unwrap(), fp);
}
