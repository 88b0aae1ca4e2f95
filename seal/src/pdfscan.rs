//! Just enough PDF reading to find what the verification QR binds: the page tree (through the
//! classic xref table), each page's body content stream and the last page's QR overlay.
//!
//! Only the shape our writer produces is accepted (one xref section, uncompressed streams,
//! `/Contents` a reference or `[body overlay]`); anything else is "cannot read", never a pass.

use crate::document::{QR_COMMENT, qr_overlay_prefix};

pub(crate) struct PageContent {
    /// The body content stream of each page, in page-tree order.
    pub bodies: Vec<Vec<u8>>,
    /// The payload of the verification QR, when the last page's overlay names one and draws
    /// exactly that code.
    pub qr_payload: Option<String>,
}

type R<T> = Result<T, String>;

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while b.get(i).is_some_and(u8::is_ascii_whitespace) {
        i += 1;
    }
    i
}

fn number(b: &[u8], i: usize) -> R<(usize, usize)> {
    let i = skip_ws(b, i);
    let end = i + b.get(i..).unwrap_or_default().iter().take_while(|c| c.is_ascii_digit()).count();
    let n = std::str::from_utf8(&b[i..end]).ok().and_then(|s| s.parse().ok()).ok_or("数字格式错误")?;
    Ok((n, end))
}

/// Object number → byte offset, from the one classic xref table.
fn xref(pdf: &[u8]) -> R<(Vec<Option<usize>>, usize)> {
    let sx = pdf.windows(9).rposition(|w| w == b"startxref").ok_or("没有 startxref")?;
    let (off, _) = number(pdf, sx + 9)?;
    let mut i = off;
    if pdf.get(i..i + 4) != Some(b"xref") {
        return Err("不是传统 xref 表".into());
    }
    i += 4;
    let mut table = Vec::new();
    loop {
        let j = skip_ws(pdf, i);
        if pdf.get(j..j + 7) == Some(b"trailer") {
            let trailer = pdf.get(j..sx).ok_or("trailer 越界")?;
            if find(trailer, b"/Prev").is_some() {
                return Err("文件含增量更新".into());
            }
            let (root, _) = number(trailer, find(trailer, b"/Root").ok_or("没有 /Root")? + 5)?;
            return Ok((table, root));
        }
        let (start, k) = number(pdf, j)?;
        let (count, k) = number(pdf, k)?;
        let mut e = skip_ws(pdf, k);
        for n in start..start + count {
            let entry = pdf.get(e..e + 20).ok_or("xref 越界")?;
            let (o, _) = number(entry, 0)?;
            if table.len() <= n {
                table.resize(n + 1, None);
            }
            table[n] = (entry[17] == b'n').then_some(o);
            e += 20;
        }
        i = e;
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

struct Doc<'a> {
    pdf: &'a [u8],
    offsets: Vec<Option<usize>>,
}

impl<'a> Doc<'a> {
    /// The object's dictionary text and, for a stream, its data.
    fn object(&self, n: usize) -> R<(&'a [u8], Option<&'a [u8]>)> {
        let off = self.offsets.get(n).copied().flatten().ok_or_else(|| format!("对象 {n} 不在 xref 中"))?;
        let head = format!("{n} 0 obj");
        let rest = self.pdf.get(off..).ok_or("对象越界")?;
        if !rest.starts_with(head.as_bytes()) {
            return Err(format!("对象 {n} 的位置错误"));
        }
        let end = find(rest, b"endobj").ok_or("对象未结束")?;
        let body = &rest[head.len()..end];
        match find(body, b"stream") {
            Some(s) if !body[..s].ends_with(b"end") => {
                let dict = &body[..s];
                let (len, _) = number(dict, find(dict, b"/Length").ok_or("流没有 /Length")? + 7)?;
                let mut d = s + 6;
                if body.get(d) == Some(&b'\r') {
                    d += 1;
                }
                if body.get(d) != Some(&b'\n') {
                    return Err("stream 关键字后缺少换行".into());
                }
                let data = body.get(d + 1..d + 1 + len).ok_or("流长度越界")?;
                if find(dict, b"/Filter").is_some() {
                    return Err("内容流经过压缩".into());
                }
                Ok((dict, Some(data)))
            }
            _ => Ok((body, None)),
        }
    }

    /// References after `key` in `dict`: `n 0 R` or `[n 0 R …]`.
    fn refs(dict: &[u8], key: &[u8]) -> R<Vec<usize>> {
        let at = find_key(dict, key).ok_or_else(|| format!("缺少 {}", String::from_utf8_lossy(key)))?;
        let i = skip_ws(dict, at + key.len());
        let (array, mut i) = if dict.get(i) == Some(&b'[') { (true, i + 1) } else { (false, i) };
        let mut out = Vec::new();
        loop {
            let j = skip_ws(dict, i);
            if !dict.get(j).is_some_and(u8::is_ascii_digit) {
                break;
            }
            let (n, k) = number(dict, j)?;
            let (_g, k) = number(dict, k)?;
            let k = skip_ws(dict, k);
            if dict.get(k) != Some(&b'R') {
                return Err("引用格式错误".into());
            }
            out.push(n);
            i = k + 1;
            if !array {
                break;
            }
        }
        if out.is_empty() { Err("引用为空".into()) } else { Ok(out) }
    }
}

/// A key followed by a delimiter (so `/Page` does not match `/Pages`).
fn find_key(dict: &[u8], key: &[u8]) -> Option<usize> {
    let mut from = 0;
    while let Some(p) = dict.get(from..).and_then(|d| find(d, key)) {
        let at = from + p;
        match dict.get(at + key.len()) {
            Some(c) if c.is_ascii_alphanumeric() => from = at + key.len(),
            _ => return Some(at),
        }
    }
    None
}

pub(crate) fn page_content(pdf: &[u8]) -> R<PageContent> {
    let (offsets, root) = xref(pdf)?;
    let doc = Doc { pdf, offsets };
    let (catalog, _) = doc.object(root)?;
    let pages = Doc::refs(catalog, b"/Pages")?;
    let (tree, _) = doc.object(pages[0])?;
    let kids = Doc::refs(tree, b"/Kids")?;
    let mut bodies = Vec::with_capacity(kids.len());
    let mut qr_payload = None;
    for (i, kid) in kids.iter().enumerate() {
        let (page, _) = doc.object(*kid)?;
        let contents = Doc::refs(page, b"/Contents")?;
        let last = i + 1 == kids.len();
        if contents.len() > if last { 2 } else { 1 } {
            return Err("页面内容流数量异常".into());
        }
        let (_, body) = doc.object(contents[0])?;
        bodies.push(body.ok_or("页面内容不是流")?.to_vec());
        if let (true, Some(o)) = (last, contents.get(1)) {
            let (_, overlay) = doc.object(*o)?;
            qr_payload = overlay.and_then(qr_in_overlay);
        }
    }
    Ok(PageContent { bodies, qr_payload })
}

/// `%YC-QR x y size payload\n` followed by exactly the modules of that payload at that place.
fn qr_in_overlay(overlay: &[u8]) -> Option<String> {
    let rest = overlay.strip_prefix(QR_COMMENT)?;
    let line = &rest[..rest.iter().position(|&b| b == b'\n')?];
    let line = std::str::from_utf8(line).ok()?;
    let mut parts = line.splitn(4, ' ');
    let x: f32 = parts.next()?.parse().ok()?;
    let y: f32 = parts.next()?.parse().ok()?;
    let size: f32 = parts.next()?.parse().ok()?;
    let payload = parts.next()?;
    let expected = qr_overlay_prefix(payload, x, y, size).ok()?;
    overlay.starts_with(&expected).then(|| payload.to_owned())
}
