//! The core's modules form a layered graph without cycles (issue 11): a module may use what sits
//! below it, never what uses it. Each source file is a node (a package's `mod.rs` too); an edge
//! is a `crate::…`, `super::…` or `child::…` path in non-test code (grouped ones such as
//! `crate::{a, b::C}` too), resolved to the longest module. A method a module adds to
//! `Workstation` in its own `impl` block is an edge too, from every module that calls it
//! (`self.m(…)` inside an `impl Workstation`, `ws.m(…)` anywhere): the import lists do not show
//! those, and a cycle through them is as real as one through `use`.
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

/// The module paths a path tree names: `a::b::C` → [a, b, C]; `{a, b::{C, D}}` → [a], [b, C], [b, D].
/// Stops at the first character that is not part of a path.
fn path_tree(s: &str) -> Vec<Vec<String>> {
    fn tree(s: &str, mut i: usize, base: &[String], out: &mut Vec<Vec<String>>) -> usize {
        let b = s.as_bytes();
        let skip_ws = |mut i: usize| {
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            i
        };
        let mut path = base.to_vec();
        loop {
            i = skip_ws(i);
            if i < b.len() && b[i] == b'{' {
                // A group: each member is a tree on the same base.
                i += 1;
                loop {
                    i = skip_ws(i);
                    if i >= b.len() || b[i] == b'}' {
                        return i + 1;
                    }
                    i = tree(s, i, &path, out);
                    i = skip_ws(i);
                    if i < b.len() && b[i] == b',' {
                        i += 1;
                    }
                }
            }
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            if i == start {
                out.push(path);
                return i;
            }
            path.push(s[start..i].to_owned());
            if s[i..].starts_with("::") {
                i += 2;
            } else {
                out.push(path);
                return i;
            }
        }
    }
    let mut out = Vec::new();
    tree(s, 0, &[], &mut out);
    out
}

/// The longest prefix of `path` that names a module.
fn resolve(mut path: Vec<String>, known: &BTreeMap<String, PathBuf>) -> Option<String> {
    while !path.is_empty() {
        let candidate = path.join("::");
        if known.contains_key(&candidate) {
            return Some(candidate);
        }
        path.pop();
    }
    None
}

/// Paths like `crate::a::b::{C, d::E}` or `super::x` → the modules they name.
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
            for tail in path_tree(rest) {
                let path: Vec<String> = base.iter().map(|s| s.to_string()).chain(tail).collect();
                if let Some(m) = resolve(path, known)
                    && m != me
                {
                    out.insert(m);
                }
            }
        }
    }
    out
}

/// The bodies of the `impl Workstation { … }` blocks in a module's code.
fn workstation_impls(code: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for head in ["impl Workstation {", "impl crate::workstation::Workstation {"] {
        for (start, _) in code.match_indices(head) {
            let open = start + head.len() - 1;
            let mut depth = 0usize;
            for (k, c) in code[open..].char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            out.push(&code[open..open + k]);
                            break;
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    out
}

/// Method names after `receiver.` followed by `(`.
fn calls<'a>(code: &'a str, receiver: &str) -> Vec<&'a str> {
    let pat = format!("{receiver}.");
    code.match_indices(&pat)
        .filter(|(i, _)| code[..*i].chars().last().is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == '.')))
        .filter_map(|(i, _)| {
            let rest = &code[i + pat.len()..];
            let name_len = rest.find(|c: char| !(c.is_alphanumeric() || c == '_'))?;
            (name_len > 0 && rest[name_len..].starts_with('(')).then(|| &rest[..name_len])
        })
        .collect()
}

/// Module → the `Workstation` methods it defines; then, for each module, the modules whose
/// methods it calls.
fn method_edges(code: &BTreeMap<String, String>) -> BTreeMap<String, BTreeSet<String>> {
    let mut defined: BTreeMap<String, String> = BTreeMap::new();
    for (module, text) in code {
        for body in workstation_impls(text) {
            for line in body.lines() {
                // Methods sit at the block's first indent: `    pub fn name(`, `    fn name<…>(`.
                let Some(sig) = line.strip_prefix("    ") else { continue };
                if sig.starts_with(' ') {
                    continue;
                }
                let Some(after) = sig.split_once("fn ").map(|(_, a)| a) else { continue };
                let name: String = after.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                if !name.is_empty()
                    && sig.split_once("fn ").is_some_and(|(v, _)| v.trim().is_empty() || v.trim().starts_with("pub"))
                {
                    defined.insert(name, module.clone());
                }
            }
        }
    }
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, text) in code {
        let mut names: Vec<&str> = workstation_impls(text).into_iter().flat_map(|b| calls(b, "self")).collect();
        for receiver in ["ws", "workstation", "self.ws"] {
            names.extend(calls(text, receiver));
        }
        for name in names {
            if let Some(owner) = defined.get(name).filter(|o| *o != module) {
                out.entry(module.clone()).or_default().insert(owner.clone());
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
    let code: BTreeMap<String, String> = known
        .iter()
        .map(|(name, file)| (name.clone(), production_code(&std::fs::read_to_string(file).expect("read module"))))
        .collect();
    let methods = method_edges(&code);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (name, text) in &code {
        let targets: BTreeSet<String> = edges(name, text, &known)
            .into_iter()
            .chain(child_edges(name, text, &known))
            .chain(methods.get(name).into_iter().flatten().cloned())
            .collect();
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

#[test]
fn grouped_imports_and_workstation_methods_are_edges() {
    // The checker on made-up modules: `a` groups its imports, `b` adds a method that `c` calls
    // from its own `impl Workstation` and `d` through a `ws` handle.
    let known: BTreeMap<String, PathBuf> =
        ["a", "b", "c", "d", "x", "x::y"].iter().map(|m| (m.to_string(), PathBuf::new())).collect();
    let a = "use crate::{b::Thing, x::{y::Other, Z}};";
    assert_eq!(edges("a", a, &known), BTreeSet::from(["b".into(), "x::y".into(), "x".into()]));
    assert_eq!(path_tree("{p, q::{r, s}}"), vec![vec!["p"], vec!["q", "r"], vec!["q", "s"]]);
    let code: BTreeMap<String, String> = [
        ("a", ""),
        ("b", "impl Workstation {\n    pub fn documents(&self) -> u8 {\n        if true { 1 } else { 2 }\n    }\n}\n"),
        ("c", "impl Workstation {\n    fn detail(&self) {\n        let _ = self.documents();\n    }\n}\n"),
        ("d", "fn show(ws: &Workstation) { ws.documents(); }"),
        ("x", "fn f(s: &S) { s.documents(); }"),
    ]
    .iter()
    .map(|(m, c)| (m.to_string(), c.to_string()))
    .collect();
    let m = method_edges(&code);
    assert_eq!(m.get("c"), Some(&BTreeSet::from(["b".into()])));
    assert_eq!(m.get("d"), Some(&BTreeSet::from(["b".into()])));
    assert_eq!(m.get("x"), None, "a call on another receiver is not the workstation's method");
    assert_eq!(m.get("b"), None, "a module's own methods are no edge");
}
