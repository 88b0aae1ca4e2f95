//! Trust model: the seal authority (城市印章制作机构) root, the signer certificates it issues,
//! and the signed trust bundle that carries roots, seal status and revocations offline.

use chrono::{DateTime, Utc};
use rcgen::{
    BasicConstraints, CertificateParams, CertificateRevocationListParams, CrlDistributionPoint, CustomExtension,
    DistinguishedName, DnType, IsCa, Issuer, KeyIdMethod, KeyPair, KeyUsagePurpose, PKCS_ECDSA_P256_SHA256,
    PublicKeyData, RevokedCertParams, SerialNumber,
};
use ring::rand::{SecureRandom as _, SystemRandom};
use ring::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::encoding::{base64_bytes, base64_list};
use crate::error::{Result, SealError};
use crate::seal::{Seal, SealInfo};
use crate::signer::SignatureAlgorithm;
use crate::x509::ParsedCert;

const BUNDLE_FORMAT: &str = "yc-trust-bundle/1";

fn to_time(t: DateTime<Utc>) -> Result<time::OffsetDateTime> {
    time::OffsetDateTime::from_unix_timestamp(t.timestamp()).map_err(|e| SealError::Certificate(e.to_string()))
}

fn random_serial() -> Result<SerialNumber> {
    let mut s = [0u8; 16];
    SystemRandom::new().fill(&mut s).map_err(|_| SealError::Rng)?;
    // RFC 5280 §4.1.2.2: positive, ≤ 20 octets.
    s[0] &= 0x7f;
    s[0] |= 0x01;
    Ok(SerialNumber::from_slice(&s))
}

/// The public key of a department's seal key, as handed to the authority for certification.
struct P256PublicKey<'a>(&'a [u8]);

impl PublicKeyData for P256PublicKey<'_> {
    fn der_bytes(&self) -> &[u8] {
        self.0
    }
    fn algorithm(&self) -> &'static rcgen::SignatureAlgorithm {
        &PKCS_ECDSA_P256_SHA256
    }
}

/// Root subject; rebuilt from the authority name so an [`Issuer`] can be formed without
/// parsing the certificate (checked against the stored certificate after issuing).
fn root_params(name: &str) -> CertificateParams {
    let mut params = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CountryName, "CN");
    dn.push(DnType::OrganizationName, name);
    dn.push(DnType::CommonName, format!("{name} 电子印章根证书"));
    params.distinguished_name = dn;
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params
}

/// Who the signer certificate is for.
#[derive(Clone, Debug)]
pub struct SignerCertRequest {
    /// Usually the seal name.
    pub common_name: String,
    pub department: String,
    /// 统一社会信用代码.
    pub credit_code: String,
    pub not_before: DateTime<Utc>,
    pub not_after: DateTime<Utc>,
}

/// The seal authority: root key + self-signed root certificate. Issues signer certificates,
/// signs seals (as seal maker) and signs trust bundles.
pub struct SealAuthority {
    name: String,
    pkcs8: Zeroizing<Vec<u8>>,
    ring_key: EcdsaKeyPair,
    root_cert: Vec<u8>,
    rng: SystemRandom,
}

impl std::fmt::Debug for SealAuthority {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SealAuthority").field("name", &self.name).finish_non_exhaustive()
    }
}

impl SealAuthority {
    /// Create a new authority with a fresh P-256 root key and self-signed CA certificate.
    ///
    /// # Errors
    /// `Rng` or `Certificate`.
    pub fn generate(name: &str, not_before: DateTime<Utc>, not_after: DateTime<Utc>) -> Result<Self> {
        let pkcs8 = crate::signer::generate_pkcs8()?;
        let key = KeyPair::try_from(pkcs8.as_slice()).map_err(|e| SealError::Certificate(e.to_string()))?;
        let mut params = root_params(name);
        params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        params.key_usages =
            vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
        params.not_before = to_time(not_before)?;
        params.not_after = to_time(not_after)?;
        params.serial_number = Some(random_serial()?);
        let cert = params.self_signed(&key).map_err(|e| SealError::Certificate(e.to_string()))?;
        Self::from_pkcs8(name, &pkcs8, cert.der().to_vec())
    }

    /// Rebuild an authority from its stored key and root certificate.
    ///
    /// # Errors
    /// `InvalidKey` or `SealMismatch` when the certificate is not for this key.
    pub fn from_pkcs8(name: &str, pkcs8: &[u8], root_cert: Vec<u8>) -> Result<Self> {
        let rng = SystemRandom::new();
        let ring_key = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8, &rng)
            .map_err(|e| SealError::InvalidKey(e.to_string()))?;
        let parsed = ParsedCert::parse(&root_cert).ok_or_else(|| SealError::Certificate("根证书无法解析".into()))?;
        use ring::signature::KeyPair as _;
        if parsed.public_key() != ring_key.public_key().as_ref() {
            return Err(SealError::SealMismatch("根证书与根私钥不对应".into()));
        }
        Ok(Self { name: name.into(), pkcs8: Zeroizing::new(pkcs8.to_vec()), ring_key, root_cert, rng })
    }

    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// DER of the self-signed root certificate (the trust anchor pinned by verifiers).
    #[must_use]
    pub fn root_certificate(&self) -> &[u8] {
        &self.root_cert
    }

    /// The root private key as PKCS#8, for storing in a [`crate::SealKeyFile`].
    #[must_use]
    pub fn root_key_pkcs8(&self) -> Zeroizing<Vec<u8>> {
        self.pkcs8.clone()
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>> {
        // Low-S like every signature we make (see `ecdsa`); verifiers of seals and bundles still
        // accept high-S ones made by earlier versions.
        let sig = self.ring_key.sign(&self.rng, message).map_err(|e| SealError::Signing(e.to_string()))?;
        crate::signer::canonical(sig.as_ref())
    }

    /// Issue an X.509 signer certificate for a department seal key (raw P-256 public key).
    ///
    /// # Errors
    /// `Certificate` or `Rng`.
    pub fn issue_signer_certificate(&self, req: &SignerCertRequest, public_key: &[u8]) -> Result<Vec<u8>> {
        let key = KeyPair::try_from(self.pkcs8.as_slice()).map_err(|e| SealError::Certificate(e.to_string()))?;
        let issuer = Issuer::new(root_params(&self.name), key);
        let mut params = CertificateParams::default();
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CountryName, "CN");
        dn.push(DnType::OrganizationName, req.department.as_str());
        dn.push(DnType::OrganizationalUnitName, req.credit_code.as_str());
        dn.push(DnType::CommonName, req.common_name.as_str());
        params.distinguished_name = dn;
        params.is_ca = IsCa::ExplicitNoCa;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::ContentCommitment];
        params.not_before = to_time(req.not_before)?;
        params.not_after = to_time(req.not_after)?;
        params.serial_number = Some(random_serial()?);
        params.use_authority_key_identifier_extension = true;
        // Declares that revocation status exists (the CRL issued with each bundle): outside
        // validators then demand it, and find it in the document's DSS (B-LT).
        params.crl_distribution_points = vec![CrlDistributionPoint { uris: vec![self.crl_url()] }];
        let cert =
            params.signed_by(&P256PublicKey(public_key), &issuer).map_err(|e| SealError::Certificate(e.to_string()))?;
        let der = cert.der().to_vec();
        let root = ParsedCert::parse(&self.root_cert);
        let leaf = ParsedCert::parse(&der);
        match (root, leaf) {
            (Some(root), Some(leaf)) if leaf.is_signed_by(&root) => Ok(der),
            _ => Err(SealError::Certificate("签发的证书不能链接到根证书（机构名称与根证书不一致？）".into())),
        }
    }

    /// Where the authority publishes its CRL (the signer certificates' CRL distribution point).
    /// Nothing is fetched by yc (the CRL travels in the trust bundle and in each B-LT
    /// document's DSS); `.invalid` (RFC 2606) until the operator names a real publication point.
    #[must_use]
    pub fn crl_url(&self) -> String {
        let fp = crate::export::fingerprint(&self.root_cert);
        let short: String = fp.chars().filter(char::is_ascii_hexdigit).take(16).collect();
        format!("http://crl.seal-authority.invalid/{}.crl", short.to_ascii_lowercase())
    }

    /// Issue a time-stamping authority certificate (RFC 3161 §2.3: the only extended key usage
    /// is id-kp-timeStamping, marked critical). The city platform's TSA is certified by its own
    /// root, which trust bundles carry in `tsa_roots`.
    ///
    /// # Errors
    /// `Certificate` or `Rng`.
    pub fn issue_tsa_certificate(
        &self,
        common_name: &str,
        public_key: &[u8],
        not_before: DateTime<Utc>,
        not_after: DateTime<Utc>,
    ) -> Result<Vec<u8>> {
        let key = KeyPair::try_from(self.pkcs8.as_slice()).map_err(|e| SealError::Certificate(e.to_string()))?;
        let issuer = Issuer::new(root_params(&self.name), key);
        let mut params = CertificateParams::default();
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CountryName, "CN");
        dn.push(DnType::OrganizationName, self.name.as_str());
        dn.push(DnType::CommonName, common_name);
        params.distinguished_name = dn;
        params.is_ca = IsCa::ExplicitNoCa;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::ContentCommitment];
        // ExtendedKeyUsage ::= SEQUENCE { id-kp-timeStamping 1.3.6.1.5.5.7.3.8 }
        let mut eku = CustomExtension::from_oid_content(
            &[2, 5, 29, 37],
            vec![0x30, 0x0a, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x08],
        );
        eku.set_criticality(true);
        params.custom_extensions = vec![eku];
        params.not_before = to_time(not_before)?;
        params.not_after = to_time(not_after)?;
        params.serial_number = Some(random_serial()?);
        params.use_authority_key_identifier_extension = true;
        let cert =
            params.signed_by(&P256PublicKey(public_key), &issuer).map_err(|e| SealError::Certificate(e.to_string()))?;
        Ok(cert.der().to_vec())
    }

    /// The bundle's certificate revocations as an X.509 CRL (RFC 5280) signed by the root, for
    /// the DSS of long-term (B-LT) documents: an outside validator reads the same status the
    /// signed trust bundle carries. `crl_number` = the bundle version (monotonic).
    ///
    /// # Errors
    /// `Certificate` (unparsable serial, encoding).
    pub fn issue_crl(&self, content: &TrustBundleContent) -> Result<Vec<u8>> {
        let key = KeyPair::try_from(self.pkcs8.as_slice()).map_err(|e| SealError::Certificate(e.to_string()))?;
        let issuer = Issuer::new(root_params(&self.name), key);
        let revoked_certs = content
            .revoked_certificates
            .iter()
            .map(|r| {
                let serial = crate::encoding::unhex(&r.serial_hex)
                    .ok_or_else(|| SealError::Certificate(format!("吊销列表中的证书序列号无效：{}", r.serial_hex)))?;
                Ok(RevokedCertParams {
                    serial_number: SerialNumber::from_slice(&serial),
                    revocation_time: to_time(r.revoked_at)?,
                    reason_code: None,
                    invalidity_date: None,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let params = CertificateRevocationListParams {
            this_update: to_time(content.this_update)?,
            next_update: to_time(content.next_update)?,
            crl_number: SerialNumber::from(content.version),
            issuing_distribution_point: None,
            revoked_certs,
            key_identifier_method: KeyIdMethod::Sha256,
        };
        let crl = params.signed_by(&issuer).map_err(|e| SealError::Certificate(e.to_string()))?;
        Ok(crl.der().to_vec())
    }

    /// Sign a seal as its maker (`SESeal.signInfo`).
    ///
    /// # Errors
    /// `SealFormat` when the seal names no signer certificate or its window is empty.
    pub fn make_seal(&self, info: SealInfo) -> Result<Seal> {
        if info.property.signer_certs.is_empty() {
            return Err(SealError::SealFormat("印章未绑定任何签名证书".into()));
        }
        if info.property.valid_end <= info.property.valid_start {
            return Err(SealError::SealFormat("印章有效期结束时间早于开始时间".into()));
        }
        if info.seal_id.trim().is_empty() {
            return Err(SealError::SealFormat("印章编码为空".into()));
        }
        Seal::assemble(info, self.root_cert.clone(), |m| self.sign(m))
    }

    /// Sign a trust bundle.
    ///
    /// # Errors
    /// `TrustBundleFormat` when `next_update` is not after `this_update`.
    pub fn sign_trust_bundle(&self, content: TrustBundleContent) -> Result<TrustBundle> {
        if content.next_update <= content.this_update {
            return Err(SealError::TrustBundleFormat("下次更新时间必须晚于本次更新时间".into()));
        }
        let json = serde_json::to_string(&content).map_err(|e| SealError::TrustBundleFormat(e.to_string()))?;
        let signature = self.sign(json.as_bytes())?;
        let crl = self.issue_crl(&content)?;
        Ok(TrustBundle { content, content_json: json, signer_cert: self.root_cert.clone(), signature, crl })
    }
}

/// Status of one seal in the bundle's seal status list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state")]
pub enum SealStatus {
    /// In force.
    Active,
    /// Revoked (作废/注销) at `at`; signatures claimed at or after `at` are invalid.
    Revoked { at: DateTime<Utc>, reason: String },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealStatusEntry {
    pub seal: Seal,
    pub status: SealStatus,
}

/// A revoked signer certificate (the CRL part of the bundle).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevokedCertificate {
    /// Lower-case hex of the certificate serial number.
    pub serial_hex: String,
    pub revoked_at: DateTime<Utc>,
    pub reason: String,
}

/// What the authority signs. Versions increase; a verifier refuses to go back.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustBundleContent {
    pub version: u64,
    pub issuer: String,
    pub this_update: DateTime<Utc>,
    pub next_update: DateTime<Utc>,
    /// Trusted root certificates (DER).
    #[serde(with = "base64_list")]
    pub roots: Vec<Vec<u8>>,
    pub seals: Vec<SealStatusEntry>,
    pub revoked_certificates: Vec<RevokedCertificate>,
    /// Roots of the time-stamping authorities whose tokens prove signing times (the city
    /// platform's TSA). Kept apart from `roots`: a TSA root vouches for times, never for seals.
    #[serde(default, skip_serializing_if = "Vec::is_empty", with = "base64_list")]
    pub tsa_roots: Vec<Vec<u8>>,
}

#[derive(Serialize, Deserialize)]
struct BundleFile {
    format: String,
    /// Exact JSON text of [`TrustBundleContent`] that was signed.
    content: String,
    #[serde(with = "base64_bytes")]
    signer_cert: Vec<u8>,
    signature_algorithm: SignatureAlgorithm,
    #[serde(with = "base64_bytes")]
    signature: Vec<u8>,
    /// The same revocation status as an X.509 CRL signed by the root (for B-LT documents);
    /// self-authenticating, so outside `content`. Absent in bundles made before B-LT.
    #[serde(default, skip_serializing_if = "Vec::is_empty", with = "base64_bytes")]
    crl: Vec<u8>,
}

/// A trust bundle whose signature has been checked (only obtainable by signing or by
/// [`TrustBundle::from_bytes`] against pinned anchors).
#[derive(Clone, Debug)]
pub struct TrustBundle {
    content: TrustBundleContent,
    content_json: String,
    signer_cert: Vec<u8>,
    signature: Vec<u8>,
    crl: Vec<u8>,
}

impl TrustBundle {
    /// The authority's CRL issued with this bundle (DER), if the bundle carries one.
    #[must_use]
    pub fn crl(&self) -> Option<&[u8]> {
        (!self.crl.is_empty()).then_some(self.crl.as_slice())
    }

    /// What a document's DSS needs for long-term validation (B-LT): the signer chain, the
    /// trusted TSA roots (the token carries the TSA certificate) and this bundle's CRL.
    #[must_use]
    pub fn validation_data(&self, signer_chain: &[Vec<u8>], tsa_chain: &[Vec<u8>]) -> crate::ValidationData {
        let mut certs: Vec<Vec<u8>> = Vec::new();
        for c in signer_chain.iter().chain(tsa_chain).chain(self.tsa_roots()) {
            if !certs.contains(c) {
                certs.push(c.clone());
            }
        }
        crate::ValidationData { certs, crls: self.crl().map(<[u8]>::to_vec).into_iter().collect() }
    }

    /// Serialise to the bundle file format (JSON).
    ///
    /// # Errors
    /// Only if serialisation fails (not expected).
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        serde_json::to_vec_pretty(&BundleFile {
            format: BUNDLE_FORMAT.into(),
            content: self.content_json.clone(),
            signer_cert: self.signer_cert.clone(),
            signature_algorithm: SignatureAlgorithm::EcdsaP256Sha256,
            signature: self.signature.clone(),
            crl: self.crl.clone(),
        })
        .map_err(|e| SealError::TrustBundleFormat(e.to_string()))
    }

    /// Load a bundle file and check its signature against pinned trust anchors (root
    /// certificates shipped with the installer — never taken from the bundle itself).
    ///
    /// # Errors
    /// `TrustBundleFormat` or `TrustBundleSignature`.
    pub fn from_bytes(bytes: &[u8], anchors: &[Vec<u8>]) -> Result<Self> {
        let file: BundleFile =
            serde_json::from_slice(bytes).map_err(|e| SealError::TrustBundleFormat(e.to_string()))?;
        if file.format != BUNDLE_FORMAT {
            return Err(SealError::TrustBundleFormat(format!("不支持的格式 {}", file.format)));
        }
        if !anchors.iter().any(|a| a == &file.signer_cert) {
            return Err(SealError::TrustBundleSignature);
        }
        let signer = ParsedCert::parse(&file.signer_cert).ok_or(SealError::TrustBundleSignature)?;
        if !file.signature_algorithm.verify(signer.public_key(), file.content.as_bytes(), &file.signature) {
            return Err(SealError::TrustBundleSignature);
        }
        let content: TrustBundleContent =
            serde_json::from_str(&file.content).map_err(|e| SealError::TrustBundleFormat(e.to_string()))?;
        Ok(Self {
            content,
            content_json: file.content,
            signer_cert: file.signer_cert,
            signature: file.signature,
            crl: file.crl,
        })
    }

    /// The certificate a bundle file claims to be signed by (not yet trusted).
    ///
    /// # Errors
    /// `TrustBundleFormat`.
    pub fn signer_of(bytes: &[u8]) -> Result<Vec<u8>> {
        let file: BundleFile =
            serde_json::from_slice(bytes).map_err(|e| SealError::TrustBundleFormat(e.to_string()))?;
        Ok(file.signer_cert)
    }

    #[must_use]
    pub fn content(&self) -> &TrustBundleContent {
        &self.content
    }

    #[must_use]
    pub fn version(&self) -> u64 {
        self.content.version
    }

    /// Anti-rollback: accept an update only when this returns true.
    #[must_use]
    pub fn supersedes(&self, current: &TrustBundle) -> bool {
        self.content.version > current.content.version
    }

    /// Past `next_update`: revocation data may be missing; results become INDETERMINATE.
    #[must_use]
    pub fn is_stale(&self, now: DateTime<Utc>) -> bool {
        now > self.content.next_update
    }

    #[must_use]
    pub fn tsa_roots(&self) -> &[Vec<u8>] {
        &self.content.tsa_roots
    }

    /// Trusted root certificates (DER).
    #[must_use]
    pub fn roots(&self) -> &[Vec<u8>] {
        &self.content.roots
    }

    #[must_use]
    pub fn seal_entry(&self, seal_id: &str) -> Option<&SealStatusEntry> {
        self.content.seals.iter().find(|e| e.seal.id() == seal_id)
    }

    /// Pre-sealing check for the case engine: refuse a seal that the bundle does not list, that is
    /// revoked at `at`, or when the bundle is stale (revocations may be missing).
    ///
    /// # Errors
    /// `SealNotUsable` with the reason in Chinese.
    pub fn check_seal_usable(&self, seal: &Seal, at: DateTime<Utc>) -> Result<()> {
        if self.is_stale(at) {
            return Err(SealError::SealNotUsable(format!(
                "信任包已过期（下次更新时间 {}），请先同步",
                self.content.next_update
            )));
        }
        match self.seal_entry(seal.id()).map(|e| &e.status) {
            None => Err(SealError::SealNotUsable("信任包中没有该印章".into())),
            Some(SealStatus::Revoked { at: when, reason }) if *when <= at => {
                Err(SealError::SealNotUsable(format!("印章已于 {when} 作废：{reason}")))
            }
            Some(_) => Ok(()),
        }
    }

    #[must_use]
    pub fn certificate_revocation(&self, serial_hex: &str) -> Option<&RevokedCertificate> {
        self.content.revoked_certificates.iter().find(|r| r.serial_hex == serial_hex)
    }
}
