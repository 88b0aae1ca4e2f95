//! Seeded fault injection (X-Road's fault catalogue: 5xx, reset mid-read, malformed body,
//! duplicated answers, slowness).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FaultConfig {
    /// Delay before every answer.
    pub latency_ms: u64,
    /// Share of batch requests answered 500 (half of them after the batch was stored).
    pub fail_rate: f64,
    /// Share of batch requests whose connection is dropped mid-answer (half after storing).
    pub drop_rate: f64,
    /// Share of answers in which every result row appears twice.
    pub dup_ack_rate: f64,
    /// Share of answers cut short (invalid JSON/XML) after the batch was stored.
    pub malformed_rate: f64,
    pub seed: u64,
}

/// What to do with one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    None,
    /// 500; `after_store` says whether the batch was kept first.
    Fail {
        after_store: bool,
    },
    Drop {
        after_store: bool,
    },
    DupAck,
    Malformed,
}

/// Deterministic generator (splitmix64) over a [`FaultConfig`].
#[derive(Debug, Clone)]
pub struct FaultPlan {
    pub config: FaultConfig,
    state: u64,
}

impl FaultPlan {
    pub fn new(config: FaultConfig) -> Self {
        let state = config.seed ^ 0x9E37_79B9_7F4A_7C15;
        Self { config, state }
    }

    fn next_f64(&mut self) -> f64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn draw(&mut self) -> Fault {
        let c = self.config.clone();
        let r = self.next_f64();
        let half = self.next_f64() < 0.5;
        let mut edge = c.fail_rate;
        if r < edge {
            return Fault::Fail { after_store: half };
        }
        edge += c.drop_rate;
        if r < edge {
            return Fault::Drop { after_store: half };
        }
        edge += c.dup_ack_rate;
        if r < edge {
            return Fault::DupAck;
        }
        edge += c.malformed_rate;
        if r < edge {
            return Fault::Malformed;
        }
        Fault::None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_gives_the_same_fault_sequence_and_rates_are_respected() {
        let cfg = FaultConfig { fail_rate: 0.2, drop_rate: 0.1, seed: 7, ..Default::default() };
        let mut a = FaultPlan::new(cfg.clone());
        let mut b = FaultPlan::new(cfg);
        let sa: Vec<Fault> = (0..1000).map(|_| a.draw()).collect();
        let sb: Vec<Fault> = (0..1000).map(|_| b.draw()).collect();
        assert_eq!(sa, sb);
        let fails = sa.iter().filter(|f| matches!(f, Fault::Fail { .. })).count();
        let drops = sa.iter().filter(|f| matches!(f, Fault::Drop { .. })).count();
        assert!((150..250).contains(&fails), "{fails}");
        assert!((60..140).contains(&drops), "{drops}");
    }

    #[test]
    fn zero_rates_never_inject() {
        let mut p = FaultPlan::new(FaultConfig::default());
        assert!((0..1000).all(|_| p.draw() == Fault::None));
    }
}
