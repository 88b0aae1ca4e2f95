//! The core's modules form a layered graph without cycles (issue 11): a module may use what sits
//! below it, never what uses it. Each source file is a node (a package's `mod.rs` too); an edge
//! is a `crate::…`, `super::…` or `child::…` path in non-test code, resolved to the longest module.
//! Methods a module adds to `Workstation` in its own `impl` block are not paths, so the graph is
//! the one a reader sees in the imports.
//!
//! When this fails it prints the cycle: move the shared piece down (a type, an event name, a
//! helper) rather than adding another path up.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Module path ("sync::outbox") → file.
fn modules(src: &Path) -> BTreeMap<String, PathBuf> {
    let mut out = BTreeMap::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read core/src") {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let rel = path.strip_prefix(src).expect("under src").with_extension("");
            let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
            if parts.last().is_some_and(|l| l == "mod") {
                parts.pop();
            }
            if parts == ["lib"] {
                continue;
            }
            out.insert(parts.join("::"), path);
        }
    }
    out
}

/// The source without `#[cfg(test)]` items (tests may reach anywhere) and without comments.
fn production_code(text: &str) -> String {
    let text = match text.find("#[cfg(test)]") {
        Some(i) => &text[..i],
        None => text,
    };
    text.lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Paths like `crate::a::b::{C, d::E}` or `super::x` → candidate module paths, resolved against the
/// known modules (longest prefix that is a module).
fn edges(me: &str, code: &str, known: &BTreeMap<String, PathBuf>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let parent: Vec<&str> = me.split("::").collect();
    for (prefix, base) in [("crate::", Vec::new()), ("super::", parent[..parent.len().saturating_sub(1)].to_vec())] {
        let mut rest = code;
        while let Some(i) = rest.find(prefix) {
            // `crate::` inside an identifier such as `yc_crate::` is not a path.
            let before = rest[..i].chars().last();
            rest = &rest[i + prefix.len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let mut path: Vec<String> = base.iter().map(|s| s.to_string()).collect();
            for seg in rest.split("::") {
                let ident: String = seg.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                if ident.is_empty() || ident.len() != seg.len() && !seg.starts_with(&ident) {
                    break;
                }
                path.push(ident.clone());
                if ident.len() != seg.len() {
                    break;
                }
            }
            // Longest prefix that names a module.
            while !path.is_empty() {
                let candidate = path.join("::");
                if known.contains_key(&candidate) {
                    if candidate != me {
                        out.insert(candidate);
                    }
                    break;
                }
                path.pop();
            }
        }
    }
    out
}

fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    // Iterative DFS with colours; returns the first cycle found.
    #[derive(Clone, Copy, PartialEq)]
    enum Colour {
        White,
        Grey,
        Black,
    }
    let mut colour: BTreeMap<&str, Colour> = graph.keys().map(|k| (k.as_str(), Colour::White)).collect();
    for start in graph.keys() {
        if colour[start.as_str()] != Colour::White {
            continue;
        }
        let mut stack: Vec<(&str, Vec<&str>)> = vec![(start, graph[start].iter().map(|s| s.as_str()).collect())];
        colour.insert(start, Colour::Grey);
        while let Some((node, pending)) = stack.last_mut() {
            match pending.pop() {
                Some(next) => match colour.get(next).copied().unwrap_or(Colour::Black) {
                    Colour::White => {
                        colour.insert(next, Colour::Grey);
                        let succ = graph[next].iter().map(|s| s.as_str()).collect();
                        stack.push((next, succ));
                    }
                    Colour::Grey => {
                        let names: Vec<&str> = stack.iter().map(|(n, _)| *n).collect();
                        let from = names.iter().position(|n| *n == next).expect("grey is on the stack");
                        let mut cycle: Vec<String> = names[from..].iter().map(|s| s.to_string()).collect();
                        cycle.push(next.to_string());
                        return Some(cycle);
                    }
                    Colour::Black => {}
                },
                None => {
                    let done = *node;
                    colour.insert(done, Colour::Black);
                    stack.pop();
                }
            }
        }
    }
    None
}

/// `child::…` paths from a module to its own children (`pub use engine::…`, `outbox::route(…)`).
fn child_edges(me: &str, code: &str, known: &BTreeMap<String, PathBuf>) -> BTreeSet<String> {
    let prefix = format!("{me}::");
    known
        .keys()
        .filter_map(|k| k.strip_prefix(&prefix).filter(|c| !c.contains("::")).map(|c| (k, c)))
        .filter(|(_, child)| {
            let pat = format!("{child}::");
            code.match_indices(&pat)
                .any(|(i, _)| code[..i].chars().last().is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == ':')))
        })
        .map(|(k, _)| k.clone())
        .collect()
}

fn core_graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let known = modules(&src);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (name, file) in &known {
        let code = production_code(&std::fs::read_to_string(file).expect("read module"));
        let targets: BTreeSet<String> =
            edges(name, &code, &known).into_iter().chain(child_edges(name, &code, &known)).collect();
        graph.insert(name.clone(), targets);
    }
    graph
}

#[test]
fn core_modules_form_no_cycle() {
    let graph = core_graph();
    assert!(graph.len() > 25, "the scan found the modules: {:?}", graph.keys());
    if let Some(cycle) = find_cycle(&graph) {
        panic!("module cycle in core: {}", cycle.join(" → "));
    }
}

#[test]
fn the_scan_sees_edges_and_cycles() {
    // The checker itself: a known edge is found, and a made-up cycle is reported.
    let graph = core_graph();
    assert!(graph["journal"].contains("staff"), "journal uses staff::Actor: {:?}", graph["journal"]);
    let mut looped = graph.clone();
    looped.get_mut("staff").expect("staff").insert("journal".into());
    assert!(find_cycle(&looped).is_some());
}
