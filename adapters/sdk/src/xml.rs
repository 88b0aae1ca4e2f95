//! A small, defensive XML tree reader on quick-xml, and a writer helper, for adapters that speak
//! XML to department systems (the built-in vertical-xml adapter and the department simulator use
//! it; so can an IT team's own Rust adapter).
//!
//! Defensive because department replies can be hostile or broken (X-Road fault catalogue):
//! DTDs are refused (no entity expansion, no external fetches), depth is bounded, only UTF-8 is
//! accepted (a UTF-8 BOM is tolerated; a UTF-16 BOM or another declared encoding is a clear
//! error), and truncation is reported as such.

use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Element {
    pub ns: Option<String>,
    pub name: String,
    pub text: String,
    pub children: Vec<Element>,
}

impl Element {
    pub fn child(&self, local: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == local)
    }
    /// Trimmed text of a child element.
    pub fn child_text(&self, local: &str) -> Option<&str> {
        self.child(local).map(|c| c.text.trim())
    }
    /// Depth-first search for the first descendant named `local` (or this element).
    pub fn find(&self, local: &str) -> Option<&Element> {
        if self.name == local {
            return Some(self);
        }
        self.children.iter().find_map(|c| c.find(local))
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum XmlError {
    #[error("XML 使用了不支持的编码：{0}（只接受 UTF-8）")]
    Encoding(String),
    #[error("XML 含 DTD（DOCTYPE），出于安全考虑拒绝解析")]
    Doctype,
    #[error("XML 嵌套超过 {0} 层")]
    TooDeep(usize),
    #[error("XML 不完整：文档在元素 <{0}> 内结束（应答被截断）")]
    Truncated(String),
    #[error("XML 为空")]
    Empty,
    #[error("XML 格式错误：{0}")]
    Syntax(String),
    #[error("XML 使用了未声明的命名空间前缀 {0}")]
    UnknownPrefix(String),
}

pub const MAX_DEPTH: usize = 64;

/// Parses a whole document into a tree.
pub fn parse(bytes: &[u8]) -> Result<Element, XmlError> {
    if bytes.starts_with(&[0xFE, 0xFF]) || bytes.starts_with(&[0xFF, 0xFE]) {
        return Err(XmlError::Encoding("UTF-16（字节序标记 FE FF / FF FE）".into()));
    }
    let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    let text = std::str::from_utf8(bytes)
        .map_err(|e| XmlError::Encoding(format!("非 UTF-8 字节（位置 {}）", e.valid_up_to())))?;
    let mut reader = NsReader::from_str(text);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let (ns, event) = reader.read_resolved_event().map_err(|e| match stack.last() {
            Some(open) if matches!(e, quick_xml::Error::Syntax(_)) => XmlError::Truncated(open.name.clone()),
            _ => XmlError::Syntax(e.to_string()),
        })?;
        let ns = match ns {
            ResolveResult::Bound(n) => Some(String::from_utf8_lossy(n.0).into_owned()),
            ResolveResult::Unbound => None,
            ResolveResult::Unknown(p) => {
                return Err(XmlError::UnknownPrefix(String::from_utf8_lossy(&p).into_owned()));
            }
        };
        match event {
            Event::Decl(d) => {
                if let Some(Ok(enc)) = d.encoding() {
                    let enc = String::from_utf8_lossy(&enc).to_ascii_lowercase();
                    if enc != "utf-8" && enc != "utf8" {
                        return Err(XmlError::Encoding(enc));
                    }
                }
            }
            Event::DocType(_) => return Err(XmlError::Doctype),
            Event::Start(e) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(XmlError::TooDeep(MAX_DEPTH));
                }
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                stack.push(Element { ns, name, ..Default::default() });
            }
            Event::Empty(e) => {
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                let el = Element { ns, name, ..Default::default() };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None if root.is_none() => root = Some(el),
                    None => return Err(XmlError::Syntax("文档有多个根元素".into())),
                }
            }
            Event::End(_) => {
                let Some(el) = stack.pop() else {
                    return Err(XmlError::Syntax("多余的结束标签".into()));
                };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None if root.is_none() => root = Some(el),
                    None => return Err(XmlError::Syntax("文档有多个根元素".into())),
                }
            }
            Event::Text(t) => {
                let s = t.xml10_content().map_err(|e| XmlError::Syntax(e.to_string()))?;
                match stack.last_mut() {
                    Some(top) => top.text.push_str(&s),
                    None if s.trim().is_empty() => {}
                    None => return Err(XmlError::Syntax("根元素之外有文本".into())),
                }
            }
            Event::CData(c) => {
                let s = c.decode().map_err(|e| XmlError::Syntax(e.to_string()))?;
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&s);
                }
            }
            Event::GeneralRef(r) => {
                let name = r.decode().map_err(|e| XmlError::Syntax(e.to_string()))?;
                let resolved = quick_xml::escape::unescape(&format!("&{name};"))
                    .map_err(|_| XmlError::Syntax(format!("未知的实体引用 &{name};")))?
                    .into_owned();
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&resolved);
                }
            }
            Event::Eof => break,
            Event::Comment(_) | Event::PI(_) => {}
        }
    }
    if let Some(open) = stack.last() {
        return Err(XmlError::Truncated(open.name.clone()));
    }
    root.ok_or(XmlError::Empty)
}

/// Writes elements with escaped text through quick-xml's writer.
pub struct XmlOut {
    w: quick_xml::Writer<Vec<u8>>,
}

impl Default for XmlOut {
    fn default() -> Self {
        Self::new()
    }
}

impl XmlOut {
    pub fn new() -> Self {
        let mut w = quick_xml::Writer::new(Vec::new());
        let _ = w.write_event(Event::Decl(quick_xml::events::BytesDecl::new("1.0", Some("UTF-8"), None)));
        Self { w }
    }
    pub fn open(&mut self, name: &str, attrs: &[(&str, &str)]) {
        let start = quick_xml::events::BytesStart::new(name).with_attributes(attrs.iter().copied());
        let _ = self.w.write_event(Event::Start(start));
    }
    pub fn close(&mut self, name: &str) {
        let _ = self.w.write_event(Event::End(quick_xml::events::BytesEnd::new(name)));
    }
    pub fn leaf(&mut self, name: &str, text: &str) {
        self.leaf_attrs(name, &[], text);
    }
    pub fn leaf_attrs(&mut self, name: &str, attrs: &[(&str, &str)], text: &str) {
        self.open(name, attrs);
        let _ = self.w.write_event(Event::Text(quick_xml::events::BytesText::new(text)));
        self.close(name);
    }
    pub fn finish(self) -> Vec<u8> {
        self.w.into_inner()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespaces_entities_and_cdata_are_resolved() {
        let doc = br#"<?xml version="1.0" encoding="UTF-8"?>
<a:Root xmlns:a="urn:a"><a:X>1 &amp; 2 &#x4E2D;</a:X><Y><![CDATA[<raw>]]></Y><Z/></a:Root>"#;
        let root = parse(doc).unwrap();
        assert_eq!(root.ns.as_deref(), Some("urn:a"));
        assert_eq!(root.child_text("X"), Some("1 & 2 中"));
        assert_eq!(root.child_text("Y"), Some("<raw>"));
        assert!(root.child("Z").is_some());
    }

    #[test]
    fn hostile_documents_give_clear_errors() {
        assert!(matches!(parse(b"<a><b>cut"), Err(XmlError::Truncated(_))), "{:?}", parse(b"<a><b>cut"));
        assert_eq!(parse(b"<!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>"), Err(XmlError::Doctype));
        assert!(matches!(parse(&[0xFF, 0xFE, b'<', 0]), Err(XmlError::Encoding(_))));
        assert!(matches!(
            parse(br#"<?xml version="1.0" encoding="GBK"?><a/>"#),
            Err(XmlError::Encoding(e)) if e == "gbk"
        ));
        let deep = "<a>".repeat(MAX_DEPTH + 1);
        assert_eq!(parse(deep.as_bytes()), Err(XmlError::TooDeep(MAX_DEPTH)));
        assert!(matches!(parse(b"<p:a/>"), Err(XmlError::UnknownPrefix(_))));
        assert_eq!(parse(b"  "), Err(XmlError::Empty));
    }

    #[test]
    fn utf8_bom_is_tolerated() {
        let mut doc = vec![0xEF, 0xBB, 0xBF];
        doc.extend_from_slice("<a>办件</a>".as_bytes());
        assert_eq!(parse(&doc).unwrap().text, "办件");
    }

    #[test]
    fn writer_escapes_text() {
        let mut w = XmlOut::new();
        w.open("r", &[("xmlns", "urn:x")]);
        w.leaf("t", "a<b&\"c\"");
        w.close("r");
        let bytes = w.finish();
        let root = parse(&bytes).unwrap();
        assert_eq!(root.child_text("t"), Some("a<b&\"c\""));
    }

    proptest::proptest! {
        #[test]
        fn any_text_survives_writing_and_parsing(text in "[\\PC\u{2028}<>&\"'\t 办件]{0,40}") {
            let mut w = XmlOut::new();
            w.open("r", &[("xmlns", "urn:x")]);
            w.leaf("t", &text);
            w.close("r");
            let root = parse(&w.finish()).unwrap();
            proptest::prop_assert_eq!(&root.child("t").unwrap().text, &text);
        }

        #[test]
        fn truncating_a_document_never_panics_and_is_an_error(cut in 0usize..120) {
            let mut w = XmlOut::new();
            w.open("r", &[("xmlns", "urn:x")]);
            w.leaf("t", "办件 & <数据>");
            w.close("r");
            let doc = w.finish();
            let cut = cut.min(doc.len() - 1);
            proptest::prop_assert!(parse(&doc[..cut]).is_err());
        }
    }
}
