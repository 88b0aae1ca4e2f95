//! yc-seal: electronic seals for Yichuang (一窗).
//!
//! GB/T 38540-shaped seals issued by a seal authority, PIN-protected seal keys, Chinese official
//! notices rendered to PDF, standard PDF signatures (CMS, `adbe.pkcs7.detached`) and an offline
//! verifier answering VALID / INVALID / INDETERMINATE as EU DSS does. See `docs/seal.md`.

mod encoding;
mod error;
mod keystore;
mod seal;
mod signer;
mod trust;
mod x509;

pub use error::{Result, SealError};
pub use keystore::{DEFAULT_MAX_ATTEMPTS, DEFAULT_PBKDF2_ITERATIONS, KeyFileStatus, KeyStoreOptions, SealKeyFile};
pub use seal::{MakerCheck, PictureFormat, Seal, SealHeader, SealInfo, SealPicture, SealProperty, SealType};
pub use signer::{SignatureAlgorithm, Signer, SoftwareSigner, generate_pkcs8, public_key_of};
pub use trust::{
    RevokedCertificate, SealAuthority, SealStatus, SealStatusEntry, SignerCertRequest, TrustBundle,
    TrustBundleContent,
};
