//! Offline-first sync. Journal events become outbox items in the same transaction
//! ([`outbox::enqueue`]); the [`engine`] pushes them through adapters with retries, backoff and
//! quarantine, pulls incoming items into the inbox with cursors saved only after the items are
//! stored, and [`inbox`] applies them (online applications become cases).
//!
//! Rules from the field (DOMAIN.md): every item has an idempotency key; nothing local is dropped
//! until the far side confirms; one bad item never blocks the queue (other cases go on); order is
//! kept per case; sync state is visible per item, with why and since when.

pub mod contract;
pub mod engine;
pub mod inbox;
pub mod outbox;

pub use engine::{RunReport, SyncOptions};
pub use outbox::{AdapterState, AdapterStatus, DeliveryRow, DeliveryState};
