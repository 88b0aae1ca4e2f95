//! The `Adapter` trait: what the sync engine calls.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::anchor::{AnchorAnswer, HeadProof};
use crate::error::AdapterError;
use crate::error::Origin;
use crate::item::{Handshake, Health, OutItem, PullPage, PushReport};

/// A connection to one far system. One call at a time (`&mut self`): the engine drives one sync
/// per adapter; concurrency lives inside an adapter if it wants any.
///
/// Contract (the conformance kit checks it):
/// * `push` returns a per-item outcome; pushing a key again with the same payload is acked
///   again and the far side still holds one copy; the same key with a different payload is
///   rejected with [`crate::ErrorClass::Permanent`].
/// * `pull` pages resume from any cursor it handed out, without loss or duplicates.
/// * A whole-call failure is an [`AdapterError`]; its class says whether to back off
///   (retryable), quarantine (permanent) or stop and call an operator (auth).
pub trait Adapter: Send {
    /// Handshake: protocol version, name, capabilities, streams, config schema.
    fn hello(&mut self) -> impl Future<Output = Result<Handshake, AdapterError>> + Send;

    /// Delivers a batch (in outbox order: per-case `seq` ascending).
    fn push(&mut self, batch: &[OutItem]) -> impl Future<Output = Result<PushReport, AdapterError>> + Send;

    /// Fetches up to `max` items of `stream` after `cursor` (`None`: from the beginning).
    fn pull(
        &mut self,
        stream: &str,
        cursor: Option<&str>,
        max: usize,
    ) -> impl Future<Output = Result<PullPage, AdapterError>> + Send;

    /// Tells the far side the host has durably stored everything up to `cursor`, so it may mark
    /// them delivered. Adapters whose far side needs no confirmation keep the default.
    fn ack(&mut self, stream: &str, cursor: &str) -> impl Future<Output = Result<(), AdapterError>> + Send {
        let _ = (stream, cursor);
        async { Ok(()) }
    }

    /// Shows the far side the journal head with the events since its last receipt and returns its
    /// answer: the signed receipt, or (a far side reached by carried files) a pending answer with
    /// the receipts of earlier proofs that came back meanwhile. Called only when `hello`
    /// announced the `anchor` capability.
    fn anchor(&mut self, proof: &HeadProof) -> impl Future<Output = Result<AnchorAnswer, AdapterError>> + Send {
        let _ = proof;
        async { Err(AdapterError::permanent(Origin::Adapter, "此适配器不支持日志头锚定", "anchor")) }
    }

    /// RFC 3161 through the far side's time-stamping authority: a DER `TimeStampReq` in, the
    /// DER `TimeStampResp` out, unchanged. The adapter is only the transport: the host built the
    /// request (imprint, nonce) and checks the reply against it and its trusted TSA roots.
    /// Called only when `hello` announced the `timestamp` capability.
    fn timestamp(&mut self, request: &[u8]) -> impl Future<Output = Result<Vec<u8>, AdapterError>> + Send {
        let _ = request;
        async { Err(AdapterError::permanent(Origin::Adapter, "此适配器不提供时间戳服务", "timestamp")) }
    }

    fn health(&mut self) -> impl Future<Output = Result<Health, AdapterError>> + Send;

    /// Orderly end: flush, close, let the process exit.
    fn shutdown(&mut self) -> impl Future<Output = Result<(), AdapterError>> + Send;
}

/// A boxed, `Send` future.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Object-safe mirror of [`Adapter`], implemented for every `Adapter`, so a host can keep
/// `Box<dyn DynAdapter>` chosen from configuration at run time.
pub trait DynAdapter: Send {
    fn hello_dyn(&mut self) -> BoxFuture<'_, Result<Handshake, AdapterError>>;
    fn push_dyn<'a>(&'a mut self, batch: &'a [OutItem]) -> BoxFuture<'a, Result<PushReport, AdapterError>>;
    fn pull_dyn<'a>(
        &'a mut self,
        stream: &'a str,
        cursor: Option<&'a str>,
        max: usize,
    ) -> BoxFuture<'a, Result<PullPage, AdapterError>>;
    fn ack_dyn<'a>(&'a mut self, stream: &'a str, cursor: &'a str) -> BoxFuture<'a, Result<(), AdapterError>>;
    fn anchor_dyn<'a>(&'a mut self, proof: &'a HeadProof) -> BoxFuture<'a, Result<AnchorAnswer, AdapterError>>;
    fn timestamp_dyn<'a>(&'a mut self, request: &'a [u8]) -> BoxFuture<'a, Result<Vec<u8>, AdapterError>>;
    fn health_dyn(&mut self) -> BoxFuture<'_, Result<Health, AdapterError>>;
    fn shutdown_dyn(&mut self) -> BoxFuture<'_, Result<(), AdapterError>>;
}

impl<A: Adapter> DynAdapter for A {
    fn hello_dyn(&mut self) -> BoxFuture<'_, Result<Handshake, AdapterError>> {
        Box::pin(self.hello())
    }
    fn push_dyn<'a>(&'a mut self, batch: &'a [OutItem]) -> BoxFuture<'a, Result<PushReport, AdapterError>> {
        Box::pin(self.push(batch))
    }
    fn pull_dyn<'a>(
        &'a mut self,
        stream: &'a str,
        cursor: Option<&'a str>,
        max: usize,
    ) -> BoxFuture<'a, Result<PullPage, AdapterError>> {
        Box::pin(self.pull(stream, cursor, max))
    }
    fn ack_dyn<'a>(&'a mut self, stream: &'a str, cursor: &'a str) -> BoxFuture<'a, Result<(), AdapterError>> {
        Box::pin(self.ack(stream, cursor))
    }
    fn anchor_dyn<'a>(&'a mut self, proof: &'a HeadProof) -> BoxFuture<'a, Result<AnchorAnswer, AdapterError>> {
        Box::pin(self.anchor(proof))
    }
    fn timestamp_dyn<'a>(&'a mut self, request: &'a [u8]) -> BoxFuture<'a, Result<Vec<u8>, AdapterError>> {
        Box::pin(self.timestamp(request))
    }
    fn health_dyn(&mut self) -> BoxFuture<'_, Result<Health, AdapterError>> {
        Box::pin(self.health())
    }
    fn shutdown_dyn(&mut self) -> BoxFuture<'_, Result<(), AdapterError>> {
        Box::pin(self.shutdown())
    }
}

/// A run-time chosen adapter; itself an [`Adapter`].
pub struct BoxedAdapter(pub Box<dyn DynAdapter>);

impl BoxedAdapter {
    pub fn new(adapter: impl Adapter + 'static) -> Self {
        Self(Box::new(adapter))
    }
}

impl Adapter for BoxedAdapter {
    async fn hello(&mut self) -> Result<Handshake, AdapterError> {
        self.0.hello_dyn().await
    }
    async fn push(&mut self, batch: &[OutItem]) -> Result<PushReport, AdapterError> {
        self.0.push_dyn(batch).await
    }
    async fn pull(&mut self, stream: &str, cursor: Option<&str>, max: usize) -> Result<PullPage, AdapterError> {
        self.0.pull_dyn(stream, cursor, max).await
    }
    async fn ack(&mut self, stream: &str, cursor: &str) -> Result<(), AdapterError> {
        self.0.ack_dyn(stream, cursor).await
    }
    async fn anchor(&mut self, proof: &HeadProof) -> Result<AnchorAnswer, AdapterError> {
        self.0.anchor_dyn(proof).await
    }
    async fn timestamp(&mut self, request: &[u8]) -> Result<Vec<u8>, AdapterError> {
        self.0.timestamp_dyn(request).await
    }
    async fn health(&mut self) -> Result<Health, AdapterError> {
        self.0.health_dyn().await
    }
    async fn shutdown(&mut self) -> Result<(), AdapterError> {
        self.0.shutdown_dyn().await
    }
}

/// Kills an adapter's process from another task (whole-run timeout, operator "stop", the
/// conformance kit's crash case). Cloneable; triggering twice is harmless.
#[derive(Debug, Clone, Default)]
pub struct KillSwitch {
    inner: Arc<KillInner>,
}

#[derive(Debug, Default)]
struct KillInner {
    fired: AtomicBool,
    notify: tokio::sync::Notify,
}

impl KillSwitch {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn kill(&self) {
        self.inner.fired.store(true, Ordering::SeqCst);
        self.inner.notify.notify_waiters();
    }
    pub fn is_fired(&self) -> bool {
        self.inner.fired.load(Ordering::SeqCst)
    }
    /// Resolves once [`KillSwitch::kill`] has been called (immediately if it already was).
    pub async fn fired(&self) {
        loop {
            let notified = self.inner.notify.notified();
            let mut notified = std::pin::pin!(notified);
            // Register before checking the flag, so a kill between check and await is not lost.
            notified.as_mut().enable();
            if self.is_fired() {
                return;
            }
            notified.await;
        }
    }
}
