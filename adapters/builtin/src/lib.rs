//! yc-adapters (work in progress)
