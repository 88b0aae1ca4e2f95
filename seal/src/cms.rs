//! CMS SignedData (RFC 5652) for `adbe.pkcs7.detached` PDF signatures, built with the RustCrypto
//! `cms`/`der`/`spki` types; the signed attributes are DER-encoded and handed to the [`Signer`].

use chrono::{DateTime, Utc};
use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use der::asn1::{ObjectIdentifier, OctetString, SetOfVec, UtcTime};
use der::{Any, Decode, Encode};
use serde::{Deserialize, Serialize};
use spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;
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
pub(crate) const ID_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
pub(crate) const ID_ECDSA_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");

/// Private signed attribute carrying the GB/T 38540-shaped signature info (UTF-8 JSON of
/// [`SignatureInfo`] in an OCTET STRING). Arc 1.3.6.1.4.1.32473 is IANA's documentation PEN
/// (RFC 5612); replace it with the operator's registered PEN before production.
pub const SIGNATURE_INFO_OID: &str = "1.3.6.1.4.1.32473.38540.1";
pub(crate) const ID_SIGNATURE_INFO: ObjectIdentifier = ObjectIdentifier::new_unwrap(SIGNATURE_INFO_OID);

/// `SES_Signature.toSign` in our shape: what was sealed, with which seal, when (claimed).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignatureInfo {
    pub version: u32,
    /// The full seal (38540 embeds the `SESeal` in every signature).
    pub seal: Seal,
    pub doc_id: String,
    pub doc_type: DocType,
    pub case_number: String,
    /// Claimed signing time (`timeInfo`); no timestamp authority offline.
    pub claimed_time: DateTime<Utc>,
    /// "SHA-256".
    pub data_hash_algorithm: String,
    /// Hex SHA-256 of the /ByteRange bytes (equals CMS messageDigest).
    pub data_hash: String,
    /// Hex canonical hash of the [`crate::DocumentSpec`] (what the QR code vouches for).
    pub spec_hash: String,
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

/// Build a detached CMS SignedData over `digest` (SHA-256 of the signed byte ranges).
/// `sign` signs the DER of the signed attributes (a SET OF, tag 0x31, RFC 5652 §5.4).
pub(crate) fn build(
    chain: &[Vec<u8>],
    digest: &[u8; 32],
    claimed_time: DateTime<Utc>,
    info: &SignatureInfo,
    sign: &dyn Fn(&[u8]) -> Result<Vec<u8>>,
) -> Result<Vec<u8>> {
    let certs: Vec<Certificate> = chain
        .iter()
        .map(|c| Certificate::from_der(c).map_err(|e| SealError::Certificate(e.to_string())))
        .collect::<Result<_>>()?;
    let leaf = certs.first().ok_or_else(|| SealError::Certificate("缺少签名证书".into()))?;
    let secs = u64::try_from(claimed_time.timestamp()).map_err(|_| SealError::Signing("签章时间早于 1970 年".into()))?;
    let time = UtcTime::from_unix_duration(std::time::Duration::from_secs(secs))
        .map_err(|e| SealError::Signing(e.to_string()))?;
    let info_json = serde_json::to_vec(info).map_err(|e| SealError::Signing(e.to_string()))?;
    let attrs = vec![
        attr(ID_CONTENT_TYPE, any(&ID_DATA)?)?,
        attr(ID_SIGNING_TIME, any(&Time::UtcTime(time))?)?,
        attr(ID_MESSAGE_DIGEST, any(&OctetString::new(digest.to_vec()).map_err(|e| SealError::Signing(e.to_string()))?)?)?,
        attr(ID_SIGNATURE_INFO, any(&OctetString::new(info_json).map_err(|e| SealError::Signing(e.to_string()))?)?)?,
    ];
    let signed_attrs = SetOfVec::try_from(attrs).map_err(|e| SealError::Signing(e.to_string()))?;
    let to_sign = signed_attrs.to_der().map_err(|e| SealError::Signing(e.to_string()))?;
    let signature = sign(&to_sign)?;
    let signer_info = SignerInfo {
        version: CmsVersion::V1,
        sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: leaf.tbs_certificate.issuer.clone(),
            serial_number: leaf.tbs_certificate.serial_number.clone(),
        }),
        digest_alg: alg(ID_SHA256),
        signed_attrs: Some(signed_attrs),
        signature_algorithm: alg(ID_ECDSA_SHA256),
        signature: OctetString::new(signature).map_err(|e| SealError::Signing(e.to_string()))?,
        unsigned_attrs: None,
    };
    let cert_set = SetOfVec::try_from(certs.into_iter().map(CertificateChoices::Certificate).collect::<Vec<_>>())
        .map_err(|e| SealError::Signing(e.to_string()))?;
    let signed_data = SignedData {
        version: CmsVersion::V1,
        digest_algorithms: SetOfVec::try_from(vec![alg(ID_SHA256)]).map_err(|e| SealError::Signing(e.to_string()))?,
        encap_content_info: EncapsulatedContentInfo { econtent_type: ID_DATA, econtent: None },
        certificates: Some(CertificateSet(cert_set)),
        crls: None,
        signer_infos: SignerInfos(SetOfVec::try_from(vec![signer_info]).map_err(|e| SealError::Signing(e.to_string()))?),
    };
    let ci = ContentInfo { content_type: ID_SIGNED_DATA, content: any(&signed_data)? };
    ci.to_der().map_err(|e| SealError::Signing(e.to_string()))
}

/// The facts a verifier reads out of the CMS blob.
pub(crate) struct ParsedCms {
    pub signer_cert: Vec<u8>,
    pub signed_attrs_der: Vec<u8>,
    pub signature: Vec<u8>,
    pub message_digest: Vec<u8>,
    pub signing_time: Option<DateTime<Utc>>,
    pub info: SignatureInfo,
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
                if cert.tbs_certificate.issuer == ias.issuer && cert.tbs_certificate.serial_number == ias.serial_number =>
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
    let info_os: OctetString = single(ID_SIGNATURE_INFO)?.decode_as().map_err(|e| e.to_string())?;
    let info: SignatureInfo = serde_json::from_slice(info_os.as_bytes()).map_err(|e| format!("签章信息无法解析：{e}"))?;
    Ok(ParsedCms {
        signer_cert,
        signed_attrs_der,
        signature: si.signature.as_bytes().to_vec(),
        message_digest: md.as_bytes().to_vec(),
        signing_time,
        info,
        der_len,
    })
}
