//! yc-adapter-sdk: what every Yichuang sync adapter speaks.
//!
//! * [`item`]: the items that travel ([`OutItem`], [`InItem`]) and the per-call reports.
//! * [`error`]: [`AdapterError`] with an [`ErrorClass`] that tells the host what to do
//!   (back off, quarantine, call an operator) and an [`Origin`] saying where it came from
//!   (X-Road's rule: errors say whether transport, gateway or far system failed).
//! * [`adapter`]: the [`Adapter`] trait (native `async fn` in traits) and [`DynAdapter`] /
//!   [`BoxedAdapter`] for hosts that pick adapters at run time.
//! * [`protocol`] + [`process`]: the out-of-process JSON-lines protocol and [`ProcessAdapter`],
//!   the host side of it (see docs/adapter-protocol.md).
//! * [`anchor`]: anchored journal heads: the proof a host sends and the receipt a far side signs.
//! * [`config`]: the adapter configuration file (TOML or JSON).
//! * [`conformance`]: the conformance kit every adapter must pass.
//! * [`serve`]: the adapter side of the protocol, to run any [`Adapter`] as a process adapter.
//!
//! The core crate depends on this crate, never the other way round.

pub mod adapter;
pub mod anchor;
pub mod config;
pub mod conformance;
pub mod error;
pub mod hash;
pub mod item;
pub mod process;
pub mod protocol;
pub mod provision;
pub mod serve;
pub mod xml;

pub use adapter::{Adapter, BoxedAdapter, DynAdapter, KillSwitch};
pub use anchor::{AnchorAnswer, ChainEvent, HeadProof, HeadReceipt};
pub use config::{AdapterConfig, AdapterKind, ConfigError, ProcessSpec};
pub use error::{AdapterError, ErrorClass, Origin};
pub use hash::{canonical_json, payload_sha256, sha256_hex};
pub use item::{
    Capabilities, Handshake, Health, HealthStatus, InItem, OutItem, PullPage, PullRejection, PushReport, Rejection,
};
pub use process::ProcessAdapter;
pub use protocol::PROTOCOL_VERSION;
