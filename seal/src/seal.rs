//! The seal object in the shape of GB/T 38540 `SESeal`: seal info signed by the seal maker.
//!
//! The maker signs the exact UTF-8 JSON text of [`SealInfo`]; that text travels verbatim inside
//! the envelope (`info` field), so verification never depends on re-serialising JSON the same way.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::encoding::{base64_bytes, base64_list};
use crate::error::{Result, SealError};
use crate::signer::SignatureAlgorithm;
use crate::x509::ParsedCert;

/// Kind of seal (印章类型). Serialised as the Chinese name printed on the seal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SealType {
    #[serde(rename = "行政许可专用章")]
    AdministrativeLicensing,
    #[serde(rename = "公章")]
    Official,
    #[serde(rename = "业务专用章")]
    Business,
    #[serde(rename = "证照专用章")]
    Certificate,
}

impl SealType {
    /// Text printed across the lower part of the seal picture.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::AdministrativeLicensing => "行政许可专用章",
            Self::Official => "",
            Self::Business => "业务专用章",
            Self::Certificate => "证照专用章",
        }
    }
}

/// `SES_Header`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealHeader {
    /// Always "ES" (38540 §7.1).
    pub id: String,
    pub version: u32,
    /// Vendor id of the seal-making software.
    pub vid: String,
}

impl Default for SealHeader {
    fn default() -> Self {
        Self { id: "ES".into(), version: 4, vid: "yichuang".into() }
    }
}

/// `SES_ESPropertyInfo`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealProperty {
    pub seal_type: SealType,
    /// Name on the seal, e.g. "某市市场监督管理局行政许可专用章".
    pub name: String,
    pub department: String,
    /// 统一社会信用代码 of the department.
    pub credit_code: String,
    /// DER certificates of the keys authorised to apply this seal (`certList`).
    #[serde(with = "base64_list")]
    pub signer_certs: Vec<Vec<u8>>,
    pub create_date: DateTime<Utc>,
    pub valid_start: DateTime<Utc>,
    pub valid_end: DateTime<Utc>,
}

/// Picture format of `SES_ESPictrueInfo` (38540 allows GIF/BMP/JPG/PNG/SVG…).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PictureFormat {
    #[serde(rename = "SVG")]
    Svg,
    #[serde(rename = "PNG")]
    Png,
}

/// `SES_ESPictrueInfo`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealPicture {
    pub format: PictureFormat,
    #[serde(with = "base64_bytes")]
    pub data: Vec<u8>,
    pub width_mm: u32,
    pub height_mm: u32,
}

/// `SES_SealInfo`: what the seal maker signs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealInfo {
    pub header: SealHeader,
    /// `esID`, unique per seal issuance.
    pub seal_id: String,
    pub property: SealProperty,
    pub picture: SealPicture,
}

#[derive(Serialize, Deserialize)]
struct SealEnvelope {
    /// Exact JSON text of [`SealInfo`] that the maker signed.
    info: String,
    #[serde(with = "base64_bytes")]
    maker_cert: Vec<u8>,
    signature_algorithm: SignatureAlgorithm,
    #[serde(with = "base64_bytes")]
    signature: Vec<u8>,
}

/// A seal signed by the seal maker (`SESeal`). Build with [`crate::SealAuthority::make_seal`].
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(try_from = "SealEnvelopeSerde")]
pub struct Seal {
    info: SealInfo,
    info_json: String,
    maker_cert: Vec<u8>,
    signature_algorithm: SignatureAlgorithm,
    signature: Vec<u8>,
    /// Envelope JSON as we serialise it, and its SHA-256 — computed once, because every
    /// signature commits to the seal by this hash.
    envelope: std::sync::Arc<str>,
    envelope_sha256: [u8; 32],
}

// Serde proxy type (keeps SealEnvelope private while deriving).
#[derive(Serialize, Deserialize)]
#[serde(transparent)]
#[doc(hidden)]
pub struct SealEnvelopeSerde(SealEnvelope);

impl TryFrom<SealEnvelopeSerde> for Seal {
    type Error = String;
    fn try_from(e: SealEnvelopeSerde) -> Result<Self, String> {
        let e = e.0;
        let info: SealInfo = serde_json::from_str(&e.info).map_err(|err| err.to_string())?;
        Seal::finish(info, e.info, e.maker_cert, e.signature_algorithm, e.signature).map_err(|err| err.to_string())
    }
}

// Serialised by reference (serde's `into` would clone the whole seal, picture included, on
// every sealing).
impl Serialize for Seal {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct as _;
        let mut st = s.serialize_struct("SealEnvelope", 4)?;
        st.serialize_field("info", &self.info_json)?;
        st.serialize_field("maker_cert", &crate::encoding::b64(&self.maker_cert))?;
        st.serialize_field("signature_algorithm", &self.signature_algorithm)?;
        st.serialize_field("signature", &crate::encoding::b64(&self.signature))?;
        st.end()
    }
}

/// Result of checking the maker's signature on a seal against trusted roots.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MakerCheck {
    /// Maker certificate is a trusted root and its signature verifies.
    Valid,
    /// Maker certificate is trusted but the signature does not verify: forged/altered seal.
    BadSignature,
    /// Maker certificate is not among the trusted roots.
    UnknownMaker,
}

impl Seal {
    pub(crate) fn assemble(
        info: SealInfo,
        maker_cert: Vec<u8>,
        sign: impl FnOnce(&[u8]) -> Result<Vec<u8>>,
    ) -> Result<Self> {
        let info_json = serde_json::to_string(&info).map_err(|e| SealError::SealFormat(e.to_string()))?;
        let signature = sign(info_json.as_bytes())?;
        Self::finish(info, info_json, maker_cert, SignatureAlgorithm::EcdsaP256Sha256, signature)
    }

    fn finish(
        info: SealInfo,
        info_json: String,
        maker_cert: Vec<u8>,
        signature_algorithm: SignatureAlgorithm,
        signature: Vec<u8>,
    ) -> Result<Self> {
        let mut seal = Self {
            info,
            info_json,
            maker_cert,
            signature_algorithm,
            signature,
            envelope: std::sync::Arc::from(""),
            envelope_sha256: [0; 32],
        };
        let json = serde_json::to_string(&seal).map_err(|e| SealError::SealFormat(e.to_string()))?;
        seal.envelope_sha256.copy_from_slice(ring::digest::digest(&ring::digest::SHA256, json.as_bytes()).as_ref());
        seal.envelope = std::sync::Arc::from(json);
        Ok(seal)
    }

    /// The envelope JSON (what a signature carries) — cached.
    #[must_use]
    pub fn envelope_json(&self) -> &str {
        &self.envelope
    }

    /// SHA-256 of [`Seal::envelope_json`]; signatures commit to the seal by this value.
    #[must_use]
    pub fn envelope_sha256(&self) -> [u8; 32] {
        self.envelope_sha256
    }

    #[must_use]
    pub fn info(&self) -> &SealInfo {
        &self.info
    }

    #[must_use]
    pub fn id(&self) -> &str {
        &self.info.seal_id
    }

    #[must_use]
    pub fn maker_certificate(&self) -> &[u8] {
        &self.maker_cert
    }

    /// Serialise the seal (envelope JSON).
    ///
    /// # Errors
    /// Only if serialisation fails (not expected).
    pub fn to_json(&self) -> Result<String> {
        Ok(self.envelope.to_string())
    }

    /// Parse a seal envelope. Does not check the maker signature (see [`Seal::check_maker`]).
    ///
    /// # Errors
    /// `SealFormat`.
    pub fn from_json(text: &str) -> Result<Self> {
        serde_json::from_str(text).map_err(|e| SealError::SealFormat(e.to_string()))
    }

    /// Check the seal maker's signature against trusted root certificates.
    #[must_use]
    pub fn check_maker(&self, roots: &[Vec<u8>]) -> MakerCheck {
        if !roots.iter().any(|r| r == &self.maker_cert) {
            return MakerCheck::UnknownMaker;
        }
        let Some(maker) = ParsedCert::parse(&self.maker_cert) else {
            return MakerCheck::BadSignature;
        };
        if self.signature_algorithm.verify(maker.public_key(), self.info_json.as_bytes(), &self.signature) {
            MakerCheck::Valid
        } else {
            MakerCheck::BadSignature
        }
    }

    /// Is `cert_der` one of the certificates authorised to apply this seal?
    #[must_use]
    pub fn authorises(&self, cert_der: &[u8]) -> bool {
        self.info.property.signer_certs.iter().any(|c| c == cert_der)
    }
}
