//! The signing seam: today a ring ECDSA P-256 software key, tomorrow a PKCS#11 UKey or SM2 device.

use ring::rand::SystemRandom;
use ring::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair, KeyPair as _};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::error::{Result, SealError};
use crate::x509::ParsedCert;

/// Signature algorithms a seal signer may use. GB/T 38540 prescribes SM2/SM3; the pilot uses
/// ECDSA P-256 with SHA-256 (allowed for a pilot per the domain brief) and keeps the structure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SignatureAlgorithm {
    /// ecdsa-with-SHA256 over P-256, signature DER-encoded (X9.62 `Ecdsa-Sig-Value`).
    EcdsaP256Sha256,
}

impl SignatureAlgorithm {
    /// OID of the signature algorithm (ecdsa-with-SHA256, 1.2.840.10045.4.3.2).
    #[must_use]
    pub fn oid(self) -> &'static str {
        match self {
            Self::EcdsaP256Sha256 => "1.2.840.10045.4.3.2",
        }
    }

    /// OID of the digest the signer applies (SHA-256, 2.16.840.1.101.3.4.2.1).
    #[must_use]
    pub fn digest_oid(self) -> &'static str {
        match self {
            Self::EcdsaP256Sha256 => "2.16.840.1.101.3.4.2.1",
        }
    }

    /// Verify `signature` over `message` with raw public key bytes.
    #[must_use]
    pub fn verify(self, public_key: &[u8], message: &[u8], signature: &[u8]) -> bool {
        match self {
            Self::EcdsaP256Sha256 => crate::x509::verify_ecdsa_p256(public_key, message, signature),
        }
    }
}

/// Anything that can apply a seal's signature.
///
/// `sign` receives the full message and hashes it itself (as a UKey does with SM2/SM3), and
/// returns the signature in the algorithm's standard encoding. One sealing calls `sign` twice
/// (the QR payload, then the CMS signed attributes): a device signer should verify the PIN once
/// per sealing session, not per call.
pub trait Signer {
    /// Algorithm of [`Signer::sign`].
    fn algorithm(&self) -> SignatureAlgorithm;
    /// Certificate chain, DER, leaf (the seal signer certificate) first.
    fn certificate_chain(&self) -> &[Vec<u8>];
    /// Sign `message`.
    ///
    /// # Errors
    /// When the device or library refuses to sign.
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>>;
}

/// A software signer on ring's ECDSA P-256/SHA-256. Obtain one from
/// [`crate::SealKeyFile::unlock`] for a single sealing and drop it afterwards.
pub struct SoftwareSigner {
    key: EcdsaKeyPair,
    chain: Vec<Vec<u8>>,
    rng: SystemRandom,
}

impl std::fmt::Debug for SoftwareSigner {
    // Never print key material; the certificate subject identifies the signer well enough.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let subject =
            self.chain.first().and_then(|c| ParsedCert::parse(c)).map(|c| c.subject_string()).unwrap_or_default();
        f.debug_struct("SoftwareSigner")
            .field("algorithm", &SignatureAlgorithm::EcdsaP256Sha256)
            .field("subject", &subject)
            .finish_non_exhaustive()
    }
}

impl SoftwareSigner {
    /// Build from a PKCS#8 P-256 key and its chain (leaf first).
    ///
    /// # Errors
    /// `InvalidKey` for a malformed key, `SealMismatch` when the leaf certificate is for another key.
    pub fn from_pkcs8(pkcs8: &[u8], chain: Vec<Vec<u8>>) -> Result<Self> {
        let rng = SystemRandom::new();
        let key = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8, &rng)
            .map_err(|e| SealError::InvalidKey(e.to_string()))?;
        let leaf = chain
            .first()
            .and_then(|c| ParsedCert::parse(c))
            .ok_or_else(|| SealError::SealMismatch("缺少签名证书".into()))?;
        if leaf.public_key() != key.public_key().as_ref() {
            return Err(SealError::SealMismatch("签名证书的公钥与私钥不对应".into()));
        }
        Ok(Self { key, chain, rng })
    }

    /// Raw public key (uncompressed point).
    #[must_use]
    pub fn public_key(&self) -> &[u8] {
        self.key.public_key().as_ref()
    }
}

impl Signer for SoftwareSigner {
    fn algorithm(&self) -> SignatureAlgorithm {
        SignatureAlgorithm::EcdsaP256Sha256
    }

    fn certificate_chain(&self) -> &[Vec<u8>] {
        &self.chain
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>> {
        let sig = self.key.sign(&self.rng, message).map_err(|e| SealError::Signing(e.to_string()))?;
        canonical(sig.as_ref())
    }
}

/// The low-S, minimal DER form of a signature from any signer (ring, a device…).
pub(crate) fn canonical(sig: &[u8]) -> Result<Vec<u8>> {
    crate::ecdsa::canonicalize(sig).ok_or_else(|| SealError::Signing("签名不是 DER 编码的 ECDSA 签名".into()))
}

/// Generate a fresh P-256 key as PKCS#8 (zeroised when dropped).
///
/// # Errors
/// `Rng` if the system random source fails.
pub fn generate_pkcs8() -> Result<Zeroizing<Vec<u8>>> {
    let rng = SystemRandom::new();
    EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &rng)
        .map(|d| Zeroizing::new(d.as_ref().to_vec()))
        .map_err(|_| SealError::Rng)
}

/// Raw public key of a PKCS#8 P-256 key (what the seal authority certifies).
///
/// # Errors
/// `InvalidKey` for a malformed key.
pub fn public_key_of(pkcs8: &[u8]) -> Result<Vec<u8>> {
    let rng = SystemRandom::new();
    let key = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8, &rng)
        .map_err(|e| SealError::InvalidKey(e.to_string()))?;
    Ok(key.public_key().as_ref().to_vec())
}
