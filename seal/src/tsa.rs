//! RFC 3161 time-stamping: the request a client sends, the time-stamping authority's response
//! (used by the city simulator's TSA), and the verifier's check of a token. With a token the
//! signing time is no longer only claimed: it is proven to lie before the TSA's `genTime`.
//!
//! Tokens are CMS SignedData over a DER `TSTInfo` (eContentType id-ct-TSTInfo), signed attributes
//! contentType, messageDigest and ESS signing-certificate-v2 (RFC 5816), the TSA certificate
//! carrying the critical extended key usage id-kp-timeStamping (RFC 3161 §2.3).

use chrono::{DateTime, Utc};
use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use der::asn1::{GeneralizedTime, ObjectIdentifier, OctetString, SetOfVec};
use der::{Any, Decode, Encode};
use ring::digest::{SHA256, digest};
use ring::rand::{SecureRandom as _, SystemRandom};
use ring::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair};
use spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;

use crate::cms::{
    ID_CONTENT_TYPE, ID_ECDSA_SHA256, ID_MESSAGE_DIGEST, ID_SHA256, ID_SIGNED_DATA, ID_SIGNING_CERTIFICATE_V2,
};
use crate::error::{Result, SealError};
use crate::x509::ParsedCert;

pub(crate) const ID_CT_TST_INFO: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.1.4");
/// id-aa-timeStampToken / id-aa-signatureTimeStampToken (RFC 3161 appendix A): the unsigned
/// attribute carrying a signature timestamp (PAdES B-T).
pub(crate) const ID_AA_TIME_STAMP_TOKEN: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.14");
const ID_KP_TIME_STAMPING: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.8");
const ID_CE_EXT_KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.37");
/// The simulator TSA's policy, under IANA's documentation PEN (RFC 5612) like our other private
/// OIDs: replace with the operator's PEN before production.
pub const TSA_POLICY_OID: &str = "1.3.6.1.4.1.32473.38540.3";
const TSA_POLICY: ObjectIdentifier = ObjectIdentifier::new_unwrap(TSA_POLICY_OID);

/// RFC 3161 PKIStatus values.
const GRANTED: u8 = 0;
const REJECTION: u8 = 2;

#[derive(Clone, Debug, Eq, PartialEq, der::Sequence)]
struct MessageImprint {
    hash_algorithm: AlgorithmIdentifierOwned,
    hashed_message: OctetString,
}

#[derive(Clone, Debug, Eq, PartialEq, der::Sequence)]
struct TimeStampReq {
    version: u8,
    message_imprint: MessageImprint,
    #[asn1(optional = "true")]
    req_policy: Option<ObjectIdentifier>,
    #[asn1(optional = "true")]
    nonce: Option<u64>,
    #[asn1(default = "Default::default")]
    cert_req: bool,
}

#[derive(Clone, Debug, Eq, PartialEq, der::Sequence)]
struct TstInfo {
    version: u8,
    policy: ObjectIdentifier,
    message_imprint: MessageImprint,
    serial_number: u64,
    gen_time: GeneralizedTime,
    #[asn1(optional = "true")]
    accuracy: Option<Accuracy>,
    #[asn1(default = "Default::default")]
    ordering: bool,
    #[asn1(optional = "true")]
    nonce: Option<u64>,
}

#[derive(Clone, Debug, Eq, PartialEq, der::Sequence)]
struct TimeStampResp {
    status: PkiStatusInfoOwned,
    #[asn1(optional = "true")]
    time_stamp_token: Option<ContentInfo>,
}

/// PKIStatusInfo with an owned status text (what we decode from a far TSA).
/// `Accuracy ::= SEQUENCE { seconds INTEGER OPTIONAL, millis [0] INTEGER OPTIONAL, micros [1] … }`
/// (typed so that an optional field cannot swallow the nonce that follows it).
#[derive(Clone, Debug, Eq, PartialEq, der::Sequence)]
struct Accuracy {
    #[asn1(optional = "true")]
    seconds: Option<u64>,
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT", optional = "true")]
    millis: Option<u16>,
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    micros: Option<u16>,
}

#[derive(Clone, Debug, Eq, PartialEq, der::Sequence)]
struct PkiStatusInfoOwned {
    status: u8,
    #[asn1(optional = "true")]
    status_string: Option<Vec<String>>,
}

fn asn1(e: der::Error) -> SealError {
    SealError::Timestamp(format!("ASN.1 编码失败：{e}"))
}

fn sha256_imprint(imprint: &[u8; 32]) -> Result<MessageImprint> {
    Ok(MessageImprint {
        hash_algorithm: AlgorithmIdentifierOwned { oid: ID_SHA256, parameters: None },
        hashed_message: OctetString::new(imprint.to_vec()).map_err(asn1)?,
    })
}

/// A DER TimeStampReq for the SHA-256 `imprint`, asking for the TSA certificate in the token.
///
/// # Errors
/// `Timestamp` (encoding).
pub fn timestamp_request(imprint: &[u8; 32], nonce: u64) -> Result<Vec<u8>> {
    let req = TimeStampReq {
        version: 1,
        message_imprint: sha256_imprint(imprint)?,
        req_policy: None,
        nonce: Some(nonce),
        cert_req: true,
    };
    req.to_der().map_err(asn1)
}

/// A fresh random nonce for [`timestamp_request`] (63 bits: a positive INTEGER in 8 octets).
///
/// # Errors
/// `Rng`.
pub fn timestamp_nonce() -> Result<u64> {
    let mut b = [0u8; 8];
    SystemRandom::new().fill(&mut b).map_err(|_| SealError::Rng)?;
    Ok(u64::from_be_bytes(b) >> 1)
}

/// The token (DER ContentInfo) out of a DER TimeStampResp, after checking that it was granted
/// and is for `imprint` and `nonce` (a replayed or misdirected response is refused).
///
/// # Errors
/// `Timestamp` with the reason in Chinese.
pub fn token_from_response(response: &[u8], imprint: &[u8; 32], nonce: u64) -> Result<Vec<u8>> {
    let err = |m: String| SealError::Timestamp(m);
    let resp = TimeStampResp::from_der(response).map_err(|e| err(format!("时间戳应答无法解析：{e}")))?;
    if resp.status.status > 1 {
        let text = resp.status.status_string.iter().flatten().map(String::as_str).collect::<Vec<_>>().join("；");
        return Err(err(format!("时间戳服务拒绝了请求（状态 {}）：{text}", resp.status.status)));
    }
    let token = resp.time_stamp_token.ok_or_else(|| err("时间戳应答中没有时间戳令牌".into()))?;
    let der = token.to_der().map_err(asn1)?;
    let tst = read_token(&der).map_err(err)?;
    if tst.info.message_imprint != sha256_imprint(imprint)? {
        return Err(err("时间戳令牌的消息摘要与请求不符".into()));
    }
    if tst.info.nonce != Some(nonce) {
        return Err(err("时间戳令牌的随机数与请求不符（重放或错投的应答）".into()));
    }
    Ok(der)
}

/// A time-stamping authority: a P-256 key and its certificate chain (TSA certificate first).
pub struct TimeStampAuthority {
    key: EcdsaKeyPair,
    chain: Vec<Vec<u8>>,
    cert: Certificate,
    rng: SystemRandom,
    /// Fixed `genTime` (tests and benchmarks run at fixture times); `None` = the system clock.
    clock: Option<DateTime<Utc>>,
}

impl std::fmt::Debug for TimeStampAuthority {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TimeStampAuthority").finish_non_exhaustive()
    }
}

impl TimeStampAuthority {
    /// # Errors
    /// `InvalidKey`, `Certificate` (unparsable or not for this key, or lacking id-kp-timeStamping).
    pub fn from_pkcs8(pkcs8: &[u8], chain: Vec<Vec<u8>>) -> Result<Self> {
        let rng = SystemRandom::new();
        let key = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8, &rng)
            .map_err(|e| SealError::InvalidKey(e.to_string()))?;
        let leaf = chain.first().ok_or_else(|| SealError::Certificate("缺少时间戳服务证书".into()))?;
        let parsed = ParsedCert::parse(leaf).ok_or_else(|| SealError::Certificate("时间戳服务证书无法解析".into()))?;
        use ring::signature::KeyPair as _;
        if parsed.public_key() != key.public_key().as_ref() {
            return Err(SealError::Certificate("时间戳服务证书与私钥不对应".into()));
        }
        if !is_time_stamping_cert(&parsed.cert) {
            return Err(SealError::Certificate("证书没有关键扩展 id-kp-timeStamping".into()));
        }
        let cert = parsed.cert;
        Ok(Self { key, chain, cert, rng, clock: None })
    }

    /// Stamp every token with `now` instead of the system clock (tests, simulated time).
    #[must_use]
    pub fn at(mut self, now: DateTime<Utc>) -> Self {
        self.clock = Some(now);
        self
    }

    /// DER of the TSA certificate.
    #[must_use]
    pub fn certificate(&self) -> &[u8] {
        self.chain.first().map_or(&[], Vec::as_slice)
    }

    /// Answer a DER TimeStampReq at `now`. Always a DER TimeStampResp: a request we cannot
    /// serve (unparsable, not SHA-256) gets status rejection with the reason, as RFC 3161 asks.
    #[must_use]
    pub fn respond(&self, request: &[u8], now: DateTime<Utc>) -> Vec<u8> {
        match self.grant(request, now) {
            Ok(der) => der,
            Err(reason) => reject(&reason),
        }
    }

    fn grant(&self, request: &[u8], now: DateTime<Utc>) -> std::result::Result<Vec<u8>, String> {
        let req = TimeStampReq::from_der(request).map_err(|e| format!("badDataFormat: {e}"))?;
        if req.version != 1 {
            return Err("badRequest: version".into());
        }
        if req.message_imprint.hash_algorithm.oid != ID_SHA256
            || req.message_imprint.hashed_message.as_bytes().len() != 32
        {
            return Err("badAlg: only SHA-256".into());
        }
        if req.req_policy.is_some_and(|p| p != TSA_POLICY) {
            return Err("unacceptedPolicy".into());
        }
        let mut serial = [0u8; 8];
        self.rng.fill(&mut serial).map_err(|_| "systemFailure: rng".to_string())?;
        let secs = u64::try_from(now.timestamp()).map_err(|_| "systemFailure: clock".to_string())?;
        let info = TstInfo {
            version: 1,
            policy: TSA_POLICY,
            message_imprint: req.message_imprint,
            serial_number: u64::from_be_bytes(serial) >> 1,
            gen_time: GeneralizedTime::from_unix_duration(std::time::Duration::from_secs(secs))
                .map_err(|e| e.to_string())?,
            // Whole seconds from the system clock (RFC 3161 §2.4.2 accuracy).
            accuracy: Some(Accuracy { seconds: Some(1), millis: None, micros: None }),
            ordering: false,
            nonce: req.nonce,
        };
        let token = self.sign_tst_info(&info, req.cert_req).map_err(|e| format!("systemFailure: {e}"))?;
        let resp = TimeStampResp {
            status: PkiStatusInfoOwned { status: GRANTED, status_string: None },
            time_stamp_token: Some(ContentInfo::from_der(&token).map_err(|e| e.to_string())?),
        };
        resp.to_der().map_err(|e| e.to_string())
    }

    fn sign_tst_info(&self, info: &TstInfo, include_cert: bool) -> Result<Vec<u8>> {
        let econtent = info.to_der().map_err(asn1)?;
        let leaf = self.chain.first().ok_or_else(|| SealError::Certificate("缺少时间戳服务证书".into()))?;
        let sid = IssuerAndSerialNumber {
            issuer: self.cert.tbs_certificate.issuer.clone(),
            serial_number: self.cert.tbs_certificate.serial_number.clone(),
        };
        let attr = |oid, value: Any| -> Result<x509_cert::attr::Attribute> {
            Ok(x509_cert::attr::Attribute { oid, values: SetOfVec::try_from(vec![value]).map_err(asn1)? })
        };
        let md = digest(&SHA256, &econtent);
        let signed_attrs = SetOfVec::try_from(vec![
            attr(ID_CONTENT_TYPE, Any::from_der(&ID_CT_TST_INFO.to_der().map_err(asn1)?).map_err(asn1)?)?,
            attr(ID_MESSAGE_DIGEST, Any::new(der::Tag::OctetString, md.as_ref().to_vec()).map_err(asn1)?)?,
            attr(ID_SIGNING_CERTIFICATE_V2, crate::cms::signing_certificate_v2(leaf, &sid)?)?,
        ])
        .map_err(asn1)?;
        let sig = self
            .key
            .sign(&self.rng, &signed_attrs.to_der().map_err(asn1)?)
            .map_err(|e| SealError::Signing(e.to_string()))?;
        let sig = crate::signer::canonical(sig.as_ref())?;
        let alg = |oid| AlgorithmIdentifierOwned { oid, parameters: None };
        let certificates = if include_cert {
            let certs = self
                .chain
                .iter()
                .map(|c| Certificate::from_der(c).map(CertificateChoices::Certificate))
                .collect::<std::result::Result<Vec<_>, _>>()
                .map_err(asn1)?;
            Some(CertificateSet(SetOfVec::try_from(certs).map_err(asn1)?))
        } else {
            None
        };
        let sd = SignedData {
            version: CmsVersion::V3,
            digest_algorithms: SetOfVec::try_from(vec![alg(ID_SHA256)]).map_err(asn1)?,
            encap_content_info: EncapsulatedContentInfo {
                econtent_type: ID_CT_TST_INFO,
                econtent: Some(Any::new(der::Tag::OctetString, econtent).map_err(asn1)?),
            },
            certificates,
            crls: None,
            signer_infos: SignerInfos(
                SetOfVec::try_from(vec![SignerInfo {
                    version: CmsVersion::V1,
                    sid: SignerIdentifier::IssuerAndSerialNumber(sid),
                    digest_alg: alg(ID_SHA256),
                    signed_attrs: Some(signed_attrs),
                    signature_algorithm: alg(ID_ECDSA_SHA256),
                    signature: OctetString::new(sig).map_err(asn1)?,
                    unsigned_attrs: None,
                }])
                .map_err(asn1)?,
            ),
        };
        let ci = ContentInfo {
            content_type: ID_SIGNED_DATA,
            content: Any::from_der(&sd.to_der().map_err(asn1)?).map_err(asn1)?,
        };
        ci.to_der().map_err(asn1)
    }
}

fn reject(reason: &str) -> Vec<u8> {
    let status = PkiStatusInfoOwned { status: REJECTION, status_string: Some(vec![reason.to_string()]) };
    TimeStampResp { status, time_stamp_token: None }.to_der().unwrap_or_default()
}

fn is_time_stamping_cert(cert: &Certificate) -> bool {
    cert.tbs_certificate.extensions.iter().flatten().any(|e| {
        e.extn_id == ID_CE_EXT_KEY_USAGE
            && e.critical
            && x509_cert::ext::pkix::ExtendedKeyUsage::from_der(e.extn_value.as_bytes())
                .is_ok_and(|eku| eku.0 == [ID_KP_TIME_STAMPING])
    })
}

struct ReadToken {
    info: TstInfo,
    econtent: Vec<u8>,
    sd: SignedData,
}

fn read_token(token: &[u8]) -> std::result::Result<ReadToken, String> {
    let ci = ContentInfo::from_der(token).map_err(|e| format!("时间戳令牌无法解析：{e}"))?;
    if ci.content_type != ID_SIGNED_DATA {
        return Err("时间戳令牌不是 SignedData".into());
    }
    let sd: SignedData = ci.content.decode_as().map_err(|e| format!("时间戳令牌无法解析：{e}"))?;
    if sd.encap_content_info.econtent_type != ID_CT_TST_INFO {
        return Err("时间戳令牌的内容不是 TSTInfo".into());
    }
    let econtent = sd.encap_content_info.econtent.as_ref().ok_or("时间戳令牌没有 TSTInfo")?;
    let os: OctetString = econtent.decode_as().map_err(|e| e.to_string())?;
    let econtent = os.as_bytes().to_vec();
    let info = TstInfo::from_der(&econtent).map_err(|e| format!("TSTInfo 无法解析：{e}"))?;
    Ok(ReadToken { info, econtent, sd })
}

pub(crate) fn sha256(data: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(digest(&SHA256, data).as_ref());
    out
}

/// `genTime` of a token, unverified (for the sealing record; verification uses [`verify_token`]).
pub(crate) fn token_gen_time(token: &[u8]) -> Option<DateTime<Utc>> {
    let t = read_token(token).ok()?;
    DateTime::<Utc>::from_timestamp(i64::try_from(t.info.gen_time.to_unix_duration().as_secs()).ok()?, 0)
}

/// The SHA-256 messageImprint a token names, unverified.
pub(crate) fn token_imprint(token: &[u8]) -> Option<[u8; 32]> {
    let t = read_token(token).ok()?;
    (t.info.message_imprint.hash_algorithm.oid == ID_SHA256)
        .then(|| t.info.message_imprint.hashed_message.as_bytes().try_into().ok())
        .flatten()
}

/// What a verified token proves.
#[derive(Clone, Debug)]
pub(crate) struct TokenCheck {
    pub gen_time: DateTime<Utc>,
    pub tsa_subject: String,
}

/// Verify a token for the SHA-256 `imprint` against the trusted TSA `roots`: TSTInfo imprint,
/// messageDigest, signing-certificate-v2, the TSA's signature, its id-kp-timeStamping
/// certificate chaining to a root, and `genTime` within that certificate's validity.
pub(crate) fn verify_token(
    token: &[u8],
    imprint: &[u8],
    roots: &[Vec<u8>],
) -> std::result::Result<TokenCheck, TokenError> {
    let (parsed, gen_time) = verify_token_signature(token, imprint).map_err(TokenError::Invalid)?;
    if !roots.iter().filter_map(|r| ParsedCert::parse(r)).any(|r| parsed.is_signed_by(&r)) {
        return Err(TokenError::Untrusted(format!(
            "时间戳服务证书不能链接到信任包中的时间戳根证书：{}",
            parsed.subject_string()
        )));
    }
    Ok(TokenCheck { gen_time, tsa_subject: parsed.subject_string() })
}

/// The time a token proves for `imprint`, if it is genuine **and** its TSA chains to one of
/// `roots` (the trust bundle's `tsa_roots`). The workstation checks this before writing a token
/// into a document: a token from a TSA the bundle does not trust would turn a VALID B-B document
/// into an INDETERMINATE one.
///
/// # Errors
/// `Timestamp` with the reason in Chinese (false token, or TSA not trusted).
pub fn trusted_token_time(token: &[u8], imprint: &[u8; 32], roots: &[Vec<u8>]) -> Result<DateTime<Utc>> {
    match verify_token(token, imprint, roots) {
        Ok(c) => Ok(c.gen_time),
        Err(TokenError::Invalid(m)) => Err(SealError::Timestamp(format!("时间戳令牌无效：{m}"))),
        Err(TokenError::Untrusted(m)) => {
            Err(SealError::Timestamp(format!("{m}（请管理员核对指纹后导入时间戳根证书：yc seal trust tsa）")))
        }
    }
}

/// Why a token does not prove a time.
#[derive(Clone, Debug)]
pub(crate) enum TokenError {
    /// Wrong imprint, altered, bad signature, not a TSA certificate: the token is false.
    Invalid(String),
    /// A well-formed token from a TSA the bundle does not trust.
    Untrusted(String),
}

fn verify_token_signature(token: &[u8], imprint: &[u8]) -> std::result::Result<(ParsedCert, DateTime<Utc>), String> {
    let t = read_token(token)?;
    if t.info.message_imprint.hash_algorithm.oid != ID_SHA256
        || t.info.message_imprint.hashed_message.as_bytes() != imprint
    {
        return Err("时间戳令牌所证明的摘要与被盖时间戳的数据不符".into());
    }
    let mut infos = t.sd.signer_infos.0.iter();
    let si = match (infos.next(), infos.next()) {
        (Some(si), None) => si,
        _ => return Err("时间戳令牌中签名者数量不是 1".into()),
    };
    if si.digest_alg.oid != ID_SHA256 || si.signature_algorithm.oid != ID_ECDSA_SHA256 {
        return Err("时间戳令牌使用了不支持的算法".into());
    }
    let SignerIdentifier::IssuerAndSerialNumber(ias) = &si.sid else {
        return Err("时间戳令牌的签名者标识不是 IssuerAndSerialNumber".into());
    };
    let cert = t
        .sd
        .certificates
        .iter()
        .flat_map(|c| c.0.iter())
        .find_map(|c| match c {
            CertificateChoices::Certificate(c)
                if c.tbs_certificate.issuer == ias.issuer && c.tbs_certificate.serial_number == ias.serial_number =>
            {
                Some(c.clone())
            }
            _ => None,
        })
        .ok_or("时间戳令牌中没有时间戳服务证书")?;
    let cert_der = cert.to_der().map_err(|e| e.to_string())?;
    let attrs = si.signed_attrs.as_ref().ok_or("时间戳令牌缺少签名属性")?;
    let value = |oid| attrs.iter().find(|a| a.oid == oid).and_then(|a| a.values.iter().next());
    let md: OctetString =
        value(ID_MESSAGE_DIGEST).ok_or("时间戳令牌缺少 messageDigest")?.decode_as().map_err(|e| e.to_string())?;
    if md.as_bytes() != digest(&SHA256, &t.econtent).as_ref() {
        return Err("时间戳令牌的 TSTInfo 被改动".into());
    }
    let ct: ObjectIdentifier =
        value(ID_CONTENT_TYPE).ok_or("时间戳令牌缺少 contentType")?.decode_as().map_err(|e| e.to_string())?;
    if ct != ID_CT_TST_INFO {
        return Err("时间戳令牌的 contentType 不是 TSTInfo".into());
    }
    let ess = value(ID_SIGNING_CERTIFICATE_V2).ok_or("时间戳令牌缺少 signing-certificate-v2")?;
    if crate::cms::ess_cert_hash(ess)?.as_slice() != digest(&SHA256, &cert_der).as_ref() {
        return Err("时间戳令牌的 signing-certificate-v2 与证书不符".into());
    }
    let parsed = ParsedCert { cert };
    let signed = attrs.to_der().map_err(|e| e.to_string())?;
    if !crate::x509::verify_ecdsa_p256(parsed.public_key(), &signed, si.signature.as_bytes()) {
        return Err("时间戳令牌的签名无效".into());
    }
    if !is_time_stamping_cert(&parsed.cert) {
        return Err("时间戳令牌的证书不是时间戳服务证书（缺少关键扩展 id-kp-timeStamping）".into());
    }
    let gen_secs = i64::try_from(t.info.gen_time.to_unix_duration().as_secs()).map_err(|e| e.to_string())?;
    let gen_time = DateTime::<Utc>::from_timestamp(gen_secs, 0).ok_or("genTime 越界")?;
    if gen_time < parsed.not_before() || gen_time > parsed.not_after() {
        return Err(format!("时间戳时间 {gen_time} 不在时间戳服务证书有效期内"));
    }
    Ok((parsed, gen_time))
}

/// A source of timestamp tokens (the city TSA through the city adapter; in tests the TSA
/// itself): given a SHA-256 imprint, a verified DER token for it.
pub trait TimeStamper {
    /// # Errors
    /// `Timestamp` (network, refusal, wrong token).
    fn timestamp(&self, imprint: &[u8; 32]) -> Result<Vec<u8>>;
}

/// A TSA in the same process stamps directly (tests, benchmarks, the simulator).
impl TimeStamper for TimeStampAuthority {
    // A TSA is a far system with its own clock; tests fix it with `at`.
    #[allow(clippy::disallowed_methods)]
    fn timestamp(&self, imprint: &[u8; 32]) -> Result<Vec<u8>> {
        let nonce = timestamp_nonce()?;
        let resp = self.respond(&timestamp_request(imprint, nonce)?, self.clock.unwrap_or_else(Utc::now));
        token_from_response(&resp, imprint, nonce)
    }
}
