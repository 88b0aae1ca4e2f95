//! A theme's state, derived from its branches and nothing else (pure): all required branches
//! decided → decided; all required closed → completed; a refusal in any branch is shown on the
//! theme with its reason whatever the theme's state.

use serde::{Deserialize, Serialize};

use crate::case::{self, Outcome, State};

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ThemeState {
    /// A required branch is still undecided.
    InProgress,
    /// Every required branch is decided (or ended); some still wait for delivery.
    Decided,
    /// Every required branch is closed (delivered or ended): results go out together.
    Completed,
}

impl ThemeState {
    pub fn zh(self) -> &'static str {
        match self {
            Self::InProgress => "并联办理中",
            Self::Decided => "已全部决定（待送达）",
            Self::Completed => "已办结",
        }
    }
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ThemeOutcome {
    /// Every required branch approved.
    Approved,
    /// At least one required branch refused, not accepted, terminated or withdrawn.
    NotApproved,
}

impl ThemeOutcome {
    pub fn zh(self) -> &'static str {
        match self {
            Self::Approved => "全部准予",
            Self::NotApproved => "未全部准予",
        }
    }
}

/// What the derivation reads of one branch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BranchFacts {
    pub state: State,
    pub outcome: Option<Outcome>,
    pub required: bool,
}

impl BranchFacts {
    /// Decided or ended: nothing more will be decided on it.
    pub fn settled(&self) -> bool {
        self.outcome.is_some() || !case::is_open(self.state)
    }

    /// A negative result the applicant and every department must see (否定必有依据).
    pub fn refused(&self) -> bool {
        self.outcome == Some(Outcome::Denied) || matches!(self.state, State::NotAccepted | State::Terminated)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThemeStatus {
    pub state: ThemeState,
    /// `None` while in progress.
    pub outcome: Option<ThemeOutcome>,
    pub required: usize,
    pub required_settled: usize,
    /// Positions of branches waiting for the applicant's supplement.
    pub supplementing: Vec<usize>,
    /// Positions of refused branches (required or not).
    pub refused: Vec<usize>,
}

pub fn derive(branches: &[BranchFacts]) -> ThemeStatus {
    let required: Vec<&BranchFacts> = branches.iter().filter(|b| b.required).collect();
    let settled = required.iter().filter(|b| b.settled()).count();
    let state = if settled < required.len() {
        ThemeState::InProgress
    } else if required.iter().all(|b| !case::is_open(b.state)) {
        ThemeState::Completed
    } else {
        ThemeState::Decided
    };
    let outcome = (state != ThemeState::InProgress).then(|| {
        if required.iter().all(|b| b.outcome == Some(Outcome::Approved)) {
            ThemeOutcome::Approved
        } else {
            ThemeOutcome::NotApproved
        }
    });
    let positions =
        |f: &dyn Fn(&BranchFacts) -> bool| branches.iter().enumerate().filter(|(_, b)| f(b)).map(|(i, _)| i).collect();
    ThemeStatus {
        state,
        outcome,
        required: required.len(),
        required_settled: settled,
        supplementing: positions(&|b| b.state == State::Supplementing),
        refused: positions(&|b| b.refused()),
    }
}
