//! Parallel approval (并联审批): 一口收件、同时分送、并联审批、限时办结.
//!
//! A catalog theme (主题/套餐, `catalog::Theme`) bundles items of several departments. Filing it
//! creates a theme case and one ordinary branch case per item — each with its own state machine,
//! clock and department — in one transaction (`intake`). The theme itself holds no state of its
//! own: it is derived from its branches every time it is read (`state`), so it can never
//! disagree with them. The lead department's board (`board`), the combined supplement notice
//! (`notice`), the order constraints between branches (`order`), department replies applied to
//! the right branch exactly once (`reply`), results delivered together (`together`, `delivery`),
//! the overall clock under supervision (`clock`) and the projection of the `theme.file` event
//! (`project`) each live in their own file. docs/parallel-approval.md.

pub mod board;
pub(crate) mod clock;
pub mod delivery;
pub mod intake;
pub mod model;
pub mod notice;
pub mod order;
pub(crate) mod project;
pub mod reply;
pub mod state;
pub mod together;
