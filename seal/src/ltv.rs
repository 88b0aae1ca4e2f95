//! The one incremental update yc appends to a sealed PDF (ISO 32000 §7.5.6), never touching
//! the seal signature's bytes:
//!
//! * **B-LT** — a DSS dictionary (ETSI EN 319 142-1 §5.4.2: `/Certs`, `/CRLs`) holding the signer
//!   chain, the TSA chain and the authority's CRL, so the document validates offline and after
//!   the certificates expire;
//! * **document timestamp** — a `/DocTimeStamp` signature (`/SubFilter /ETSI.RFC3161`) whose
//!   `/Contents` is an RFC 3161 token over the whole file, added by the sync pass to documents
//!   sealed offline (B-B → B-T, plus LT when the DSS comes with it).
//!
//! The update is a pure function of the signed revision, the validation data and the token, so
//! the verifier re-derives it from what it reads and insists on byte equality: any other change
//! after sealing stays INVALID / ContentAfterSignature.

use crate::error::{Result, SealError};

/// Fixed `/Contents` room for the document timestamp token (bytes), so the update is
/// reproducible from the token alone.
const DOC_TS_CAPACITY: usize = 6144;
const BR_WIDTH: usize = 10;

/// Certificates and revocation lists for the DSS (DER).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ValidationData {
    pub certs: Vec<Vec<u8>>,
    pub crls: Vec<Vec<u8>>,
}

/// What a verifier reads back from a yc update.
#[derive(Clone, Debug)]
pub(crate) struct Update {
    pub validation: Option<ValidationData>,
    /// The document timestamp token and the SHA-256 of the bytes it covers.
    pub doc_timestamp: Option<(Vec<u8>, [u8; 32])>,
}

/// Append the DSS (B-LT) to a sealed PDF. For documents timestamped at sealing (online B-T).
///
/// # Errors
/// `Pdf` when the file is not a single-revision yc document.
pub fn add_validation_data(pdf: &[u8], data: &ValidationData) -> Result<Vec<u8>> {
    append(pdf, Some(data), None)
}

/// Append a document timestamp (and the DSS when `data` is given) to a document sealed
/// offline: the sync pass's step once the TSA is reachable.
///
/// # Errors
/// `Pdf` (not a single-revision yc document), `Timestamp` (the TSA failed; nothing changed).
pub fn add_document_timestamp(
    pdf: &[u8],
    data: Option<&ValidationData>,
    stamper: &dyn crate::tsa::TimeStamper,
) -> Result<Vec<u8>> {
    append(pdf, data, Some(&mut |imprint: &[u8; 32]| stamper.timestamp(imprint)))
}

/// A document timestamp in two steps, for a caller whose TSA is asynchronous (the sync pass
/// sends the request through the city adapter): `prepare` fixes the update and the imprint to
/// send, `finish` writes the granted token in. Same bytes as [`add_document_timestamp`].
#[derive(Clone, Debug)]
pub struct PendingDocumentTimestamp {
    pdf: Vec<u8>,
    data: Option<ValidationData>,
    imprint: [u8; 32],
}

impl PendingDocumentTimestamp {
    /// # Errors
    /// `Pdf` when the file is not a single-revision yc document.
    pub fn prepare(pdf: &[u8], data: Option<&ValidationData>) -> Result<Self> {
        let mut imprint = [0u8; 32];
        append(
            pdf,
            data,
            Some(&mut |i: &[u8; 32]| {
                imprint = *i;
                Ok(Vec::new())
            }),
        )?;
        Ok(Self { pdf: pdf.to_vec(), data: data.cloned(), imprint })
    }

    /// The SHA-256 the TSA must stamp (`timestamp_request(&imprint, nonce)`).
    #[must_use]
    pub fn imprint(&self) -> [u8; 32] {
        self.imprint
    }

    /// The document with the token (from `token_from_response`) written in.
    ///
    /// # Errors
    /// `Timestamp` when the token is for other data or too large.
    pub fn finish(self, token: &[u8]) -> Result<Vec<u8>> {
        if crate::tsa::token_imprint(token).as_ref() != Some(&self.imprint) {
            return Err(SealError::Timestamp("时间戳令牌不是为本文书申请的".into()));
        }
        append(&self.pdf, self.data.as_ref(), Some(&mut |_: &[u8; 32]| Ok(token.to_vec())))
    }
}

type TokenSource<'a> = &'a mut dyn FnMut(&[u8; 32]) -> Result<Vec<u8>>;

struct Trailer {
    size: usize,
    root: usize,
    info: Option<usize>,
    startxref: usize,
}

fn pdf_err(m: &str) -> SealError {
    SealError::Pdf(m.to_string())
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

fn number_after(text: &[u8], key: &[u8]) -> Option<usize> {
    let at = find(text, key)? + key.len();
    let rest = &text[at..];
    let start = rest.iter().position(|b| !b.is_ascii_whitespace())?;
    let len = rest[start..].iter().take_while(|b| b.is_ascii_digit()).count();
    std::str::from_utf8(&rest[start..start + len]).ok()?.parse().ok()
}

fn trailer(pdf: &[u8]) -> Result<Trailer> {
    let sx = rfind(pdf, b"startxref").ok_or_else(|| pdf_err("没有 startxref"))?;
    let tr = rfind(&pdf[..sx], b"trailer").ok_or_else(|| pdf_err("没有 trailer"))?;
    let dict = &pdf[tr..sx];
    if find(dict, b"/Prev").is_some() {
        return Err(pdf_err("文件已含增量更新（时间戳或长期验证数据已添加过）"));
    }
    Ok(Trailer {
        size: number_after(dict, b"/Size").ok_or_else(|| pdf_err("trailer 缺少 /Size"))?,
        root: number_after(dict, b"/Root").ok_or_else(|| pdf_err("trailer 缺少 /Root"))?,
        info: number_after(dict, b"/Info"),
        startxref: number_after(&pdf[sx..], b"startxref").ok_or_else(|| pdf_err("startxref 无效"))?,
    })
}

/// The catalog's dictionary text `<< … >>` (our writer never nests streams in it).
fn catalog_dict(pdf: &[u8], t: &Trailer) -> Result<Vec<u8>> {
    let head = format!("\n{} 0 obj\n", t.root);
    let at = find(pdf, head.as_bytes()).ok_or_else(|| pdf_err("找不到文档目录对象"))? + head.len();
    let end = find(&pdf[at..], b"\nendobj").ok_or_else(|| pdf_err("文档目录对象未结束"))? + at;
    Ok(pdf[at..end].to_vec())
}

/// The catalog with the new signature field in `/AcroForm /Fields` and `/DSS`.
fn new_catalog(old: &[u8], field: Option<usize>, dss: Option<usize>) -> Result<Vec<u8>> {
    let mut cat = old.to_vec();
    if let Some(field) = field {
        let f = find(&cat, b"/Fields [").ok_or_else(|| pdf_err("文档目录没有 /AcroForm /Fields"))?;
        let close = cat[f..].iter().position(|&b| b == b']').ok_or_else(|| pdf_err("/Fields 未闭合"))? + f;
        let insert = format!(" {field} 0 R");
        cat.splice(close..close, insert.bytes());
    }
    if let Some(dss) = dss {
        let end = rfind(&cat, b">>").ok_or_else(|| pdf_err("文档目录不是字典"))?;
        let insert = format!("  /DSS {dss} 0 R\n");
        cat.splice(end..end, insert.bytes());
    }
    Ok(cat)
}

fn stream_obj(out: &mut Vec<u8>, n: usize, data: &[u8]) {
    out.extend_from_slice(format!("{n} 0 obj\n<< /Length {} >>\nstream\n", data.len()).as_bytes());
    out.extend_from_slice(data);
    out.extend_from_slice(b"\nendstream\nendobj\n");
}

fn refs(ids: &[usize]) -> String {
    ids.iter().map(|i| format!("{i} 0 R")).collect::<Vec<_>>().join(" ")
}

fn append(pdf: &[u8], data: Option<&ValidationData>, token: Option<TokenSource<'_>>) -> Result<Vec<u8>> {
    let t = trailer(pdf)?;
    let catalog = catalog_dict(pdf, &t)?;
    let mut next = t.size;
    let mut alloc = || {
        next += 1;
        next - 1
    };
    let mut out = pdf.to_vec();
    // pdf-writer ends the file at `%%EOF` without an end-of-line marker.
    if !out.ends_with(b"\n") {
        out.push(b'\n');
    }
    let mut offsets: Vec<(usize, usize)> = Vec::new();
    let dss = data.map(|d| {
        let dss_id = alloc();
        let cert_ids: Vec<usize> = d.certs.iter().map(|_| alloc()).collect();
        let crl_ids: Vec<usize> = d.crls.iter().map(|_| alloc()).collect();
        (dss_id, cert_ids, crl_ids)
    });
    let ts_ids = token.is_some().then(|| (alloc(), alloc()));
    if let (Some(d), Some((dss_id, cert_ids, crl_ids))) = (data, &dss) {
        offsets.push((*dss_id, out.len()));
        let mut dict = format!("{dss_id} 0 obj\n<< /Type /DSS");
        if !cert_ids.is_empty() {
            dict.push_str(&format!(" /Certs [{}]", refs(cert_ids)));
        }
        if !crl_ids.is_empty() {
            dict.push_str(&format!(" /CRLs [{}]", refs(crl_ids)));
        }
        dict.push_str(" >>\nendobj\n");
        out.extend_from_slice(dict.as_bytes());
        for (id, der) in cert_ids.iter().zip(&d.certs).chain(crl_ids.iter().zip(&d.crls)) {
            offsets.push((*id, out.len()));
            stream_obj(&mut out, *id, der);
        }
    }
    let mut gap = None;
    if let Some((field_id, sig_id)) = ts_ids {
        offsets.push((field_id, out.len()));
        out.extend_from_slice(
            format!(
                "{field_id} 0 obj\n<< /FT /Sig /T (DocTimeStamp) /Type /Annot /Subtype /Widget /F 132 \
                 /Rect [0 0 0 0] /V {sig_id} 0 R >>\nendobj\n"
            )
            .as_bytes(),
        );
        offsets.push((sig_id, out.len()));
        out.extend_from_slice(
            format!(
                "{sig_id} 0 obj\n<< /Type /DocTimeStamp /Filter /Adobe.PPKLite /SubFilter /ETSI.RFC3161 \
                 /ByteRange [0 {p} {p} {p}] /Contents ",
                p = "0".repeat(BR_WIDTH)
            )
            .as_bytes(),
        );
        let start = out.len();
        out.push(b'<');
        out.extend(std::iter::repeat_n(b'0', DOC_TS_CAPACITY * 2));
        out.push(b'>');
        gap = Some((start, out.len()));
        out.extend_from_slice(b" >>\nendobj\n");
    }
    offsets.push((t.root, out.len()));
    out.extend_from_slice(format!("{} 0 obj\n", t.root).as_bytes());
    out.extend_from_slice(&new_catalog(&catalog, ts_ids.map(|(f, _)| f), dss.as_ref().map(|d| d.0))?);
    out.extend_from_slice(b"\nendobj\n");

    let xref_at = out.len();
    offsets.sort_unstable();
    let mut xref = String::from("xref\n");
    // Subsections of consecutive object numbers.
    let mut i = 0;
    while i < offsets.len() {
        let mut j = i + 1;
        while j < offsets.len() && offsets[j].0 == offsets[j - 1].0 + 1 {
            j += 1;
        }
        xref.push_str(&format!("{} {}\n", offsets[i].0, j - i));
        for (_, off) in &offsets[i..j] {
            xref.push_str(&format!("{off:010} 00000 n\r\n"));
        }
        i = j;
    }
    let info = t.info.map(|n| format!(" /Info {n} 0 R")).unwrap_or_default();
    xref.push_str(&format!(
        "trailer\n<< /Size {} /Root {} 0 R{info} /Prev {} >>\nstartxref\n{xref_at}\n%%EOF\n",
        next, t.root, t.startxref
    ));
    out.extend_from_slice(xref.as_bytes());

    if let (Some((start, end)), Some(token)) = (gap, token) {
        let br = format!("[0 {start:0w$} {end:0w$} {:0w$}]", out.len() - end, w = BR_WIDTH);
        let key = b"/ByteRange ";
        let at = rfind(&out[..start], key).ok_or_else(|| pdf_err("找不到时间戳的 ByteRange"))? + key.len();
        out[at..at + br.len()].copy_from_slice(br.as_bytes());
        let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
        ctx.update(&out[..start]);
        ctx.update(&out[end..]);
        let mut imprint = [0u8; 32];
        imprint.copy_from_slice(ctx.finish().as_ref());
        let der = token(&imprint)?;
        if der.len() > DOC_TS_CAPACITY {
            return Err(SealError::Timestamp(format!("时间戳令牌 {} 字节超出预留空间", der.len())));
        }
        let hex = crate::encoding::hex(&der).to_ascii_uppercase();
        out[start + 1..start + 1 + hex.len()].copy_from_slice(hex.as_bytes());
    }
    Ok(out)
}

/// Read the update appended after `signed_end` (the seal signature's coverage) and check that
/// it is exactly what [`append`] writes for the data it carries. `Err` says why not.
pub(crate) fn read_update(pdf: &[u8], signed_end: usize) -> std::result::Result<Update, String> {
    let revision = pdf.get(..signed_end).ok_or("签名范围越界")?;
    let tail = &pdf[signed_end..];
    let t = trailer(revision).map_err(|e| e.to_string())?;
    let mut objects: Vec<(usize, &[u8])> = Vec::new();
    let mut i = usize::from(tail.first() == Some(&b'\n'));
    while tail.get(i..i + 4) != Some(b"xref") {
        let line_end = tail[i..].iter().position(|&b| b == b'\n').ok_or("增量更新的对象格式不符")? + i;
        let head = std::str::from_utf8(&tail[i..line_end]).map_err(|_| "增量更新的对象格式不符")?;
        let n: usize = head.strip_suffix(" 0 obj").and_then(|n| n.parse().ok()).ok_or("增量更新的对象格式不符")?;
        let body_start = line_end + 1;
        let body_end = if tail[body_start..].starts_with(b"<< /Length ") {
            let len = number_after(&tail[body_start..], b"/Length").ok_or("流长度无效")?;
            let data = find(&tail[body_start..], b"stream\n").ok_or("流格式不符")? + body_start + 7;
            objects.push((n, tail.get(data..data + len).ok_or("流越界")?));
            data + len + b"\nendstream".len()
        } else {
            let end = find(&tail[body_start..], b"\nendobj\n").ok_or("对象未结束")? + body_start;
            objects.push((n, &tail[body_start..end]));
            end
        };
        i = find(&tail[body_end..], b"endobj\n").ok_or("对象未结束")? + body_end + 7;
        if objects.len() > 10_000 {
            return Err("增量更新的对象过多".into());
        }
    }
    let get = |n: usize| objects.iter().find(|(m, _)| *m == n).map(|(_, b)| *b);
    let first = t.size;
    let mut validation = None;
    let mut next = first;
    if let Some(dict) = get(first).filter(|d| d.starts_with(b"<< /Type /DSS")) {
        let list = |key: &[u8]| -> Vec<usize> {
            find(dict, key)
                .map(|k| {
                    let rest = &dict[k + key.len()..];
                    let close = rest.iter().position(|&b| b == b']').unwrap_or(0);
                    std::str::from_utf8(&rest[..close])
                        .unwrap_or("")
                        .split(" 0 R")
                        .filter_map(|s| s.trim().parse().ok())
                        .collect()
                })
                .unwrap_or_default()
        };
        let load = |ids: Vec<usize>| -> std::result::Result<Vec<Vec<u8>>, String> {
            ids.into_iter()
                .map(|n| get(n).map(<[u8]>::to_vec).ok_or_else(|| "DSS 引用的对象缺失".to_string()))
                .collect()
        };
        let v = ValidationData { certs: load(list(b"/Certs ["))?, crls: load(list(b"/CRLs ["))? };
        next = first + 1 + v.certs.len() + v.crls.len();
        validation = Some(v);
    }
    let token = match get(next + 1) {
        Some(sig) if sig.starts_with(b"<< /Type /DocTimeStamp") => {
            let open = find(sig, b"/Contents <").ok_or("时间戳没有 /Contents")? + 11;
            let close = sig[open..].iter().position(|&b| b == b'>').ok_or("/Contents 未闭合")? + open;
            let bytes = crate::encoding::unhex(std::str::from_utf8(&sig[open..close]).map_err(|e| e.to_string())?)
                .ok_or("/Contents 不是十六进制串")?;
            // The token's own DER length; the rest is the zero padding the writer adds.
            let len = der_len(&bytes).ok_or("时间戳令牌不是 DER")?;
            Some(bytes[..len].to_vec())
        }
        _ => None,
    };
    if validation.is_none() && token.is_none() {
        return Err("增量更新既不是长期验证数据也不是文档时间戳".into());
    }
    let captured = std::cell::Cell::new(None);
    let rebuilt = match &token {
        Some(tok) => append(
            revision,
            validation.as_ref(),
            Some(&mut |i: &[u8; 32]| {
                captured.set(Some(*i));
                Ok(tok.clone())
            }),
        ),
        None => append(revision, validation.as_ref(), None),
    }
    .map_err(|e| e.to_string())?;
    if rebuilt != pdf {
        return Err("签章后追加的内容不只是时间戳与长期验证数据".into());
    }
    let doc_timestamp = token.zip(captured.get());
    Ok(Update { validation, doc_timestamp })
}

/// Length of the DER TLV at the start of `b`.
fn der_len(b: &[u8]) -> Option<usize> {
    let first = *b.get(1)?;
    if first < 0x80 {
        return Some(2 + usize::from(first));
    }
    let n = usize::from(first & 0x7f);
    if n == 0 || n > 4 {
        return None;
    }
    let len = b.get(2..2 + n)?.iter().fold(0usize, |acc, &x| (acc << 8) | usize::from(x));
    Some(2 + n + len)
}
