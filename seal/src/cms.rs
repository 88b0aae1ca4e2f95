//! CMS SignedData (RFC 5652) for PAdES baseline (`ETSI.CAdES.detached`, ETSI EN 319 142-1)
//! PDF signatures, built with the RustCrypto `cms`/`der`/`spki` types; the signed attributes are
//! DER-encoded and handed to the [`Signer`]. B-B: contentType, messageDigest, ESS
//! signing-certificate-v2 and our signature info — no signingTime (PAdES takes the claimed time
//! from the signature dictionary's `/M`).

use chrono::{DateTime, Utc};
use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos};
use der::asn1::{ObjectIdentifier, OctetString, SetOfVec};
use der::{Any, Decode, Encode};
use serde::{Deserialize, Serialize};
use spki::AlgorithmIdentifierOwned;
use x509_cert::attr::Attribute;
use x509_cert::time::Time;

use crate::document::DocType;
use crate::error::{Result, SealError};
use crate::seal::Seal;

pub(crate) const ID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
pub(crate) const ID_SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
pub(crate) const ID_CONTENT_TYPE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.3");
pub(crate) const ID_MESSAGE_DIGEST: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");
pub(crate) const ID_SIGNING_TIME: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.5");
/// ESS signing-certificate-v2 (RFC 5035): binds the signer certificate into the signed attributes.
pub(crate) const ID_SIGNING_CERTIFICATE_V2: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.47");
pub(crate) const ID_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
pub(crate) const ID_ECDSA_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");

/// Private signed attribute carrying the GB/T 38540-shaped signature info (UTF-8 JSON of
/// [`SignatureInfo`] in an OCTET STRING). Arc 1.3.6.1.4.1.32473 is IANA's documentation PEN
/// (RFC 5612); replace it with the operator's registered PEN before production.
pub const SIGNATURE_INFO_OID: &str = "1.3.6.1.4.1.32473.38540.1";
pub(crate) const ID_SIGNATURE_INFO: ObjectIdentifier = ObjectIdentifier::new_unwrap(SIGNATURE_INFO_OID);

/// Unsigned attribute carrying the full seal envelope JSON (38540 embeds the `SESeal` in each
/// signature). It is bound by `SignatureInfo::seal_sha256` in the signed attributes; keeping the
/// ~7 KB seal out of the signed attributes keeps the per-sealing hash small.
pub const SEAL_ATTRIBUTE_OID: &str = "1.3.6.1.4.1.32473.38540.2";
pub(crate) const ID_SEAL: ObjectIdentifier = ObjectIdentifier::new_unwrap(SEAL_ATTRIBUTE_OID);

/// `SES_Signature.toSign` in our shape: what was sealed, with which seal, when (claimed).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignatureInfo {
    pub version: u32,
    /// `esID` of the seal.
    pub seal_id: String,
    /// Hex SHA-256 of the seal envelope JSON carried in the unsigned seal attribute.
    pub seal_sha256: String,
    pub doc_id: String,
    pub doc_type: DocType,
    pub case_number: String,
    /// Claimed signing time (`timeInfo`); no timestamp authority offline.
    pub claimed_time: DateTime<Utc>,
    /// "SHA-256".
    pub data_hash_algorithm: String,
    /// Hex SHA-256 of the /ByteRange bytes (equals CMS messageDigest).
    pub data_hash: String,
    /// Hex canonical hash of the [`crate::DocumentSpec`] (compare with the case record).
    pub spec_hash: String,
    /// Hex content hash of the page body streams, the one the QR code binds (docs/seal.md).
    #[serde(default)]
    pub content_hash: String,
    /// `propertyInfo`: what the hash covers.
    pub property_info: String,
}

fn any(value: &impl Encode) -> Result<Any> {
    let der = value.to_der().map_err(|e| SealError::Signing(format!("ASN.1 编码失败：{e}")))?;
    Any::from_der(&der).map_err(|e| SealError::Signing(format!("ASN.1 编码失败：{e}")))
}

fn attr(oid: ObjectIdentifier, value: Any) -> Result<Attribute> {
    let values = SetOfVec::try_from(vec![value]).map_err(|e| SealError::Signing(e.to_string()))?;
    Ok(Attribute { oid, values })
}

fn alg(oid: ObjectIdentifier) -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned { oid, parameters: None }
}

/// Given the signature value, a signature-time-stamp token (or `None`: sealed B-B).
pub(crate) type Stamp<'a> = &'a mut dyn FnMut(&[u8]) -> Option<Vec<u8>>;

/// Build a detached CMS SignedData over `digest` (SHA-256 of the signed byte ranges).
/// `sign` signs the DER of the signed attributes (a SET OF, tag 0x31, RFC 5652 §5.4).
pub(crate) fn build(
    seal: &Seal,
    chain: &[Vec<u8>],
    digest: &[u8; 32],
    info: &SignatureInfo,
    sign: &dyn Fn(&[u8]) -> Result<Vec<u8>>,
    stamp: Option<Stamp<'_>>,
) -> Result<Vec<u8>> {
    let err = |e: der::Error| SealError::Signing(format!("ASN.1 编码失败：{e}"));
    let leaf = chain.first().ok_or_else(|| SealError::Certificate("缺少签名证书".into()))?;
    let sid = issuer_and_serial(leaf)?;
    // The claimed time is in `info` and the dictionary's /M; PAdES forbids signingTime.
    let info_json = serde_json::to_vec(info).map_err(|e| SealError::Signing(e.to_string()))?;
    let attrs = vec![
        attr(ID_CONTENT_TYPE, any(&ID_DATA)?)?,
        attr(ID_MESSAGE_DIGEST, any(&OctetString::new(digest.to_vec()).map_err(err)?)?)?,
        attr(ID_SIGNING_CERTIFICATE_V2, signing_certificate_v2(leaf, &sid)?)?,
        attr(ID_SIGNATURE_INFO, Any::new(der::Tag::OctetString, info_json).map_err(err)?)?,
    ];
    // `try_from` sorts into DER SET OF order.
    let signed_attrs = SetOfVec::try_from(attrs).map_err(err)?;
    let to_sign = signed_attrs.to_der().map_err(err)?;
    let signature = sign(&to_sign)?;
    let mut unsigned =
        vec![attr(ID_SEAL, Any::new(der::Tag::OctetString, seal.envelope_json().as_bytes()).map_err(err)?)?];
    // PAdES B-T: signature-time-stamp over the signature value (RFC 3161 appendix A).
    if let Some(token) = stamp.and_then(|s| s(&signature)) {
        unsigned.push(attr(crate::tsa::ID_AA_TIME_STAMP_TOKEN, Any::from_der(&token).map_err(err)?)?);
    }
    let signer_info = SignerInfo {
        version: CmsVersion::V1,
        sid: SignerIdentifier::IssuerAndSerialNumber(sid),
        digest_alg: alg(ID_SHA256),
        signed_attrs: Some(signed_attrs),
        signature_algorithm: alg(ID_ECDSA_SHA256),
        signature: OctetString::new(signature).map_err(err)?,
        unsigned_attrs: Some(SetOfVec::try_from(unsigned).map_err(err)?),
    };
    let skeleton = SignedData {
        version: CmsVersion::V1,
        digest_algorithms: SetOfVec::try_from(vec![alg(ID_SHA256)]).map_err(err)?,
        encap_content_info: EncapsulatedContentInfo { econtent_type: ID_DATA, econtent: None },
        certificates: None,
        crls: None,
        signer_infos: SignerInfos(SetOfVec::try_from(vec![signer_info]).map_err(err)?),
    };
    // The certificates are spliced in as the DER we were given instead of being parsed and
    // re-encoded by `x509-cert` on every sealing (that round trip cost more than the ECDSA
    // signature itself). `[0] IMPLICIT CertificateSet` = SET OF in DER order.
    let mut certs: Vec<&[u8]> = chain.iter().map(Vec::as_slice).collect();
    certs.sort_by(|a, b| der_set_order(a, b));
    certs.dedup();
    let mut cert_content = Vec::new();
    for c in certs {
        cert_content.extend_from_slice(c);
    }
    let mut sd_content = Vec::new();
    skeleton.version.encode_to_vec(&mut sd_content).map_err(err)?;
    skeleton.digest_algorithms.encode_to_vec(&mut sd_content).map_err(err)?;
    skeleton.encap_content_info.encode_to_vec(&mut sd_content).map_err(err)?;
    tlv(&mut sd_content, context0(), &cert_content)?;
    skeleton.signer_infos.encode_to_vec(&mut sd_content).map_err(err)?;
    // ContentInfo ::= SEQUENCE { contentType, [0] EXPLICIT SignedData }: headers first, then the
    // body once (the seal and certificates make it ~10 KB; avoid re-copying it per layer).
    let oid = ID_SIGNED_DATA.to_der().map_err(err)?;
    let sd_header = header(der::Tag::Sequence, sd_content.len())?;
    let explicit_len = sd_header.len() + sd_content.len();
    let explicit_header = header(context0(), explicit_len)?;
    let ci_header = header(der::Tag::Sequence, oid.len() + explicit_header.len() + explicit_len)?;
    let mut out = Vec::with_capacity(ci_header.len() + oid.len() + explicit_header.len() + explicit_len);
    for part in [&ci_header, &oid, &explicit_header, &sd_header, &sd_content] {
        out.extend_from_slice(part);
    }
    Ok(out)
}

/// `SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2 }` with one
/// `ESSCertIDv2 { certHash OCTET STRING (SHA-256, the default algorithm, so omitted),
/// issuerSerial { issuer GeneralNames { directoryName [4] Name }, serialNumber } }`.
pub(crate) fn signing_certificate_v2(leaf: &[u8], sid: &IssuerAndSerialNumber) -> Result<Any> {
    let err = |e: der::Error| SealError::Signing(format!("ASN.1 编码失败：{e}"));
    let hash = ring::digest::digest(&ring::digest::SHA256, leaf);
    let mut cert_hash = Vec::new();
    tlv(&mut cert_hash, der::Tag::OctetString, hash.as_ref())?;
    let mut directory_name = Vec::new();
    let dn_tag = der::Tag::ContextSpecific { constructed: true, number: der::TagNumber::N4 };
    tlv(&mut directory_name, dn_tag, &sid.issuer.to_der().map_err(err)?)?;
    let mut issuer_serial_content = Vec::new();
    tlv(&mut issuer_serial_content, der::Tag::Sequence, &directory_name)?;
    sid.serial_number.encode_to_vec(&mut issuer_serial_content).map_err(err)?;
    let mut ess_content = cert_hash;
    tlv(&mut ess_content, der::Tag::Sequence, &issuer_serial_content)?;
    let mut ess = Vec::new();
    tlv(&mut ess, der::Tag::Sequence, &ess_content)?;
    let mut certs = Vec::new();
    tlv(&mut certs, der::Tag::Sequence, &ess)?;
    Any::new(der::Tag::Sequence, certs).map_err(err)
}

#[derive(der::Sequence)]
struct EssCertIdV2 {
    #[asn1(optional = "true")]
    hash_algorithm: Option<AlgorithmIdentifierOwned>,
    cert_hash: OctetString,
    #[asn1(optional = "true")]
    issuer_serial: Option<Any>,
}

#[derive(der::Sequence)]
struct SigningCertificateV2 {
    certs: Vec<EssCertIdV2>,
    #[asn1(optional = "true")]
    policies: Option<Any>,
}

/// The SHA-256 certHash of the first ESSCertIDv2 in a signing-certificate-v2 attribute value.
pub(crate) fn ess_cert_hash(value: &Any) -> Result<Vec<u8>, String> {
    let v: SigningCertificateV2 = value.decode_as().map_err(|e| format!("signing-certificate-v2 无法解析：{e}"))?;
    let first = v.certs.first().ok_or("signing-certificate-v2 为空")?;
    if first.hash_algorithm.as_ref().is_some_and(|h| h.oid != ID_SHA256) {
        return Err("signing-certificate-v2 的摘要算法不是 SHA-256".into());
    }
    Ok(first.cert_hash.as_bytes().to_vec())
}

fn context0() -> der::Tag {
    der::Tag::ContextSpecific { constructed: true, number: der::TagNumber::N0 }
}

/// X.690 §11.6: SET OF components sort as octet strings, the shorter padded with zeros.
fn der_set_order(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    let n = a.len().max(b.len());
    let pad = |s: &[u8], i: usize| s.get(i).copied().unwrap_or(0);
    (0..n).map(|i| pad(a, i).cmp(&pad(b, i))).find(|o| o.is_ne()).unwrap_or(std::cmp::Ordering::Equal)
}

fn header(tag: der::Tag, len: usize) -> Result<Vec<u8>> {
    let err = |e: der::Error| SealError::Signing(format!("ASN.1 编码失败：{e}"));
    let len = der::Length::try_from(len).map_err(err)?;
    der::Header::new(tag, len).map_err(err)?.to_der().map_err(err)
}

fn tlv(out: &mut Vec<u8>, tag: der::Tag, content: &[u8]) -> Result<()> {
    out.extend_from_slice(&header(tag, content.len())?);
    out.extend_from_slice(content);
    Ok(())
}

/// Issuer and serial of a certificate, read without decoding the whole certificate.
fn issuer_and_serial(cert: &[u8]) -> Result<IssuerAndSerialNumber> {
    let err = |e: der::Error| SealError::Certificate(e.to_string());
    let outer = Any::from_der(cert).map_err(err)?;
    let mut r = der::SliceReader::new(outer.value()).map_err(err)?;
    let tbs = Any::decode(&mut r).map_err(err)?;
    let mut t = der::SliceReader::new(tbs.value()).map_err(err)?;
    let mut field = Any::decode(&mut t).map_err(err)?;
    if der::Tagged::tag(&field) == context0() {
        field = Any::decode(&mut t).map_err(err)?;
    }
    let serial_number = x509_cert::serial_number::SerialNumber::from_der(&field.to_der().map_err(err)?).map_err(err)?;
    let _signature_alg = Any::decode(&mut t).map_err(err)?;
    let issuer = x509_cert::name::Name::decode(&mut t).map_err(err)?;
    Ok(IssuerAndSerialNumber { issuer, serial_number })
}

/// The facts a verifier reads out of the CMS blob.
pub(crate) struct ParsedCms {
    pub signer_cert: Vec<u8>,
    pub signed_attrs_der: Vec<u8>,
    pub signature: Vec<u8>,
    pub message_digest: Vec<u8>,
    /// Only in signatures made before PAdES B-B (`adbe.pkcs7.detached`).
    pub signing_time: Option<DateTime<Utc>>,
    /// SHA-256 named by the first ESSCertIDv2 of signing-certificate-v2, if present.
    pub signing_cert_hash: Option<Vec<u8>>,
    pub info: SignatureInfo,
    /// The seal from the unsigned attribute (not yet checked against `info.seal_sha256`).
    pub seal: Seal,
    /// DER of the signature-time-stamp token (unsigned attribute), if any.
    pub signature_timestamp: Option<Vec<u8>>,
    /// Length of the DER; what follows in /Contents is padding.
    pub der_len: usize,
}

/// Parse; `Err` carries a human-readable (Chinese) reason for a Malformed verdict.
pub(crate) fn parse(bytes: &[u8]) -> Result<ParsedCms, String> {
    // Trailing zero padding of /Contents is not part of the DER.
    let mut reader = der::SliceReader::new(bytes).map_err(|e| e.to_string())?;
    let ci: ContentInfo = der::Decode::decode(&mut reader).map_err(|e| format!("CMS 结构无法解析：{e}"))?;
    let der_len = usize::try_from(u32::from(der::Reader::position(&reader))).map_err(|e| e.to_string())?;
    if ci.content_type != ID_SIGNED_DATA {
        return Err("CMS 不是 SignedData".into());
    }
    let sd: SignedData = ci.content.decode_as().map_err(|e| format!("SignedData 无法解析：{e}"))?;
    if sd.encap_content_info.econtent.is_some() {
        return Err("签名不是分离式（detached）签名".into());
    }
    let mut infos = sd.signer_infos.0.iter();
    let si = match (infos.next(), infos.next()) {
        (Some(si), None) => si,
        _ => return Err("CMS 中签名者数量不是 1".into()),
    };
    if si.digest_alg.oid != ID_SHA256 || si.signature_algorithm.oid != ID_ECDSA_SHA256 {
        return Err("不支持的摘要或签名算法".into());
    }
    let SignerIdentifier::IssuerAndSerialNumber(ias) = &si.sid else {
        return Err("签名者标识不是 IssuerAndSerialNumber".into());
    };
    let certs = sd.certificates.as_ref().map(|c| c.0.iter().collect::<Vec<_>>()).unwrap_or_default();
    let signer_cert = certs
        .iter()
        .find_map(|c| match c {
            CertificateChoices::Certificate(cert)
                if cert.tbs_certificate.issuer == ias.issuer
                    && cert.tbs_certificate.serial_number == ias.serial_number =>
            {
                cert.to_der().ok()
            }
            _ => None,
        })
        .ok_or("CMS 中没有签名者证书")?;
    let attrs = si.signed_attrs.as_ref().ok_or("缺少签名属性")?;
    let signed_attrs_der = attrs.to_der().map_err(|e| e.to_string())?;
    let single = |oid: ObjectIdentifier| -> Result<&Any, String> {
        let mut found = attrs.iter().filter(|a| a.oid == oid);
        match (found.next(), found.next()) {
            (Some(a), None) if a.values.len() == 1 => a.values.iter().next().ok_or_else(|| "属性值为空".to_string()),
            (None, _) => Err(format!("缺少签名属性 {oid}")),
            _ => Err(format!("签名属性 {oid} 重复")),
        }
    };
    let content_type: ObjectIdentifier = single(ID_CONTENT_TYPE)?.decode_as().map_err(|e| e.to_string())?;
    if content_type != ID_DATA {
        return Err("contentType 属性不是 id-data".into());
    }
    let md: OctetString = single(ID_MESSAGE_DIGEST)?.decode_as().map_err(|e| e.to_string())?;
    let signing_time = single(ID_SIGNING_TIME)
        .ok()
        .and_then(|a| a.to_der().ok())
        .and_then(|d| Time::from_der(&d).ok())
        .and_then(|t| DateTime::<Utc>::from_timestamp(i64::try_from(t.to_unix_duration().as_secs()).ok()?, 0));
    let has_signing_cert = attrs.iter().any(|a| a.oid == ID_SIGNING_CERTIFICATE_V2);
    let signing_cert_hash = match has_signing_cert.then(|| single(ID_SIGNING_CERTIFICATE_V2)).transpose()? {
        Some(a) => Some(ess_cert_hash(a)?),
        None => None,
    };
    let info_os: OctetString = single(ID_SIGNATURE_INFO)?.decode_as().map_err(|e| e.to_string())?;
    let info: SignatureInfo =
        serde_json::from_slice(info_os.as_bytes()).map_err(|e| format!("签章信息无法解析：{e}"))?;
    let seal_attr = si
        .unsigned_attrs
        .as_ref()
        .and_then(|u| u.iter().find(|a| a.oid == ID_SEAL))
        .and_then(|a| a.values.iter().next())
        .ok_or("签名中缺少印章数据")?;
    let mut tokens =
        si.unsigned_attrs.iter().flat_map(|u| u.iter()).filter(|a| a.oid == crate::tsa::ID_AA_TIME_STAMP_TOKEN);
    let signature_timestamp = match (tokens.next(), tokens.next()) {
        (None, _) => None,
        (Some(a), None) if a.values.len() == 1 => {
            Some(a.values.iter().next().ok_or("时间戳属性为空")?.to_der().map_err(|e| e.to_string())?)
        }
        _ => return Err("签名时间戳属性重复".into()),
    };
    let seal_os: OctetString = seal_attr.decode_as().map_err(|e| e.to_string())?;
    let seal_text = std::str::from_utf8(seal_os.as_bytes()).map_err(|e| e.to_string())?;
    let seal = Seal::from_json(seal_text).map_err(|e| e.to_string())?;
    Ok(ParsedCms {
        seal,
        signer_cert,
        signed_attrs_der,
        signature: si.signature.as_bytes().to_vec(),
        message_digest: md.as_bytes().to_vec(),
        signing_time,
        signing_cert_hash,
        signature_timestamp,
        info,
        der_len,
    })
}
