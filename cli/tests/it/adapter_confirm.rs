//! A process adapter runs a program on the workstation at every sync: `yc adapter add` registers it
//! only when the administrator confirms that program (the rule is core's, the same question the
//! desktop asks). A script says `--yes`; without it, and without a terminal, nothing is stored.

use crate::common;
use common::{stderr, stdout, yc};

#[test]
fn a_process_adapter_is_registered_only_once_its_program_is_confirmed() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let o = yc(d, &["--today", "2026-11-20", "demo", "--cases", "2", "--no-seal", "--no-adapters"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let cfg = d.join("dept.toml");
    std::fs::write(
        &cfg,
        "name = \"dept\"\nkind = \"process\"\n[process]\ncommand = [\"python3\", \"dept_adapter.py\"]\n",
    )
    .unwrap();

    let o = yc(d, &["adapter", "add", cfg.to_str().unwrap()]);
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(err.contains("将在每次同步时运行程序：python3 dept_adapter.py"), "the program in words: {err}");
    assert!(err.contains("--yes"), "{err}");
    let o = yc(d, &["--json", "adapter", "list"]);
    assert!(!stdout(&o).contains("\"dept\""), "nothing stored: {}", stdout(&o));

    let o = yc(d, &["adapter", "add", cfg.to_str().unwrap(), "--yes"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = yc(d, &["--json", "adapter", "list"]);
    assert!(stdout(&o).contains("\"dept\""), "{}", stdout(&o));

    // A built-in kind asks nothing.
    let city = d.join("city.json");
    std::fs::write(
        &city,
        r#"{"name":"city","kind":"city-extranet","settings":{"base_url":"http://127.0.0.1:9","source":"440399-W01"}}"#,
    )
    .unwrap();
    let o = yc(d, &["adapter", "add", city.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
}
