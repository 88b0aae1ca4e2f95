//! yc-sim (work in progress)
