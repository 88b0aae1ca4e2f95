//! yc-seal: electronic seals for Yichuang (一窗).
//!
//! GB/T 38540-shaped seals issued by a seal authority, PIN-protected seal keys, Chinese official
//! notices rendered to PDF, PAdES baseline PDF signatures (B-B/B-T/B-LT: CMS `ETSI.CAdES.detached`,
//! RFC 3161 timestamps, DSS) and an offline
//! verifier answering VALID / INVALID / INDETERMINATE as EU DSS does. See `docs/seal.md`.

mod cms;
mod crl;
mod document;
mod ecdsa;
mod encoding;
mod error;
mod export;
mod font;
mod keystore;
mod ltv;
mod pdfscan;
mod picture;
mod qr;
mod seal;
mod sealing;
mod signer;
mod table;
mod trust;
mod tsa;
mod verify;
mod x509;

pub use cms::{SEAL_ATTRIBUTE_OID, SIGNATURE_INFO_OID, SignatureInfo};
pub use document::{
    CertificateField, DocType, DocumentSpec, chinese_date, remedy_sentence, render_draft, render_forgery_with_qr,
};
pub use error::{Result, SealError};
pub use export::{
    ExportedRoot, TRUST_BUNDLE_FILE, TSA_DIR, certificate_pem, certificate_subject, export_trust, fingerprint,
    fingerprint_matches, load_roots, load_trust, read_certificates,
};
pub use font::{CjkFont, DEFAULT_FONT_PATHS};
pub use keystore::{DEFAULT_MAX_ATTEMPTS, DEFAULT_PBKDF2_ITERATIONS, KeyFileStatus, KeyStoreOptions, SealKeyFile};
pub use ltv::{PendingDocumentTimestamp, ValidationData, add_document_timestamp, add_validation_data};
pub use picture::seal_svg;
pub use qr::{PrintedFields, QrPayload, mask_id, mask_name};
pub use seal::{MakerCheck, PictureFormat, Seal, SealHeader, SealInfo, SealPicture, SealProperty, SealType};
pub use sealing::{SealedDocument, cms_signature, seal_document, seal_document_timestamped, seal_document_unchecked};
pub use signer::{SignatureAlgorithm, Signer, SoftwareSigner, generate_pkcs8, public_key_of};
pub use table::{TableDoc, TableSection, render_table};
pub use trust::{
    RevokedCertificate, SealAuthority, SealStatus, SealStatusEntry, SignerCertRequest, TrustBundle, TrustBundleContent,
};
pub use tsa::{
    TSA_POLICY_OID, TimeStampAuthority, TimeStamper, timestamp_nonce, timestamp_request, token_from_response,
    trusted_token_time,
};
pub use verify::{Check, Reason, Verdict, Verification, verify_pdf, verify_qr, verify_qr_for_spec};
