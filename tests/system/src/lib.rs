//! System tests live in `tests/`; they drive the built `yc` and `yc-sim` binaries
//! (`cargo build --workspace --bins` first, as `make test` does).
