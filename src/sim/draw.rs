//! The random part of serving a request: which fault, if any, and how long it takes. Each model
//! draws from its own seeded stream, so the faults and latencies a model shows depend only on the
//! seed and the sequence of requests it admitted, not on traffic to other models.

use super::profile::{Fault, Faults, Latency};
use crate::resilience::retry::SplitMix;
use std::time::Duration;

/// A seed for one purpose of one model, derived from the profile's seed.
pub fn stream_seed(seed: u64, model: &str, purpose: &str) -> u64 {
    let mut h = blake3::Hasher::new();
    h.update(&seed.to_le_bytes());
    h.update(purpose.as_bytes());
    h.update(&[0]);
    h.update(model.as_bytes());
    u64::from_le_bytes(h.finalize().as_bytes()[..8].try_into().expect("8 bytes"))
}

/// The fault of one request: walks the cumulative probabilities with one uniform draw.
pub fn fault(rng: &mut SplitMix, faults: &Faults) -> Option<Fault> {
    let draw = rng.next_f64();
    let mut acc = 0.0;
    faults.table().into_iter().find_map(|(f, p)| {
        acc += p;
        (p > 0.0 && draw < acc).then_some(f)
    })
}

/// z of the standard normal at the 95th percentile.
const Z95: f64 = 1.644_853_626_951_472_2;

/// A latency in ms from the log-normal with the given median and 95th percentile (Box-Muller on
/// two uniform draws, so every request consumes the same number of draws).
pub fn latency_ms(rng: &mut SplitMix, l: Latency) -> f64 {
    let u1 = 1.0 - rng.next_f64(); // in (0, 1]: ln stays finite
    let u2 = rng.next_f64();
    let z = (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
    let sigma = (l.p95 / l.median).ln() / Z95;
    l.median * (sigma * z).exp()
}

/// Real time to sleep for a simulated latency.
pub fn scaled(ms: f64, time_scale: f64) -> Duration {
    Duration::from_secs_f64(ms / 1000.0 / time_scale)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quantile(mut v: Vec<f64>, q: f64) -> f64 {
        v.sort_by(f64::total_cmp);
        v[(q * (v.len() - 1) as f64).round() as usize]
    }

    #[test]
    fn latency_has_the_median_and_p95_it_was_given() {
        let mut rng = SplitMix::new(3);
        let l = Latency { median: 400.0, p95: 1200.0 };
        let samples: Vec<f64> = (0..40_000).map(|_| latency_ms(&mut rng, l)).collect();
        let (median, p95) = (quantile(samples.clone(), 0.5), quantile(samples, 0.95));
        assert!((median / 400.0 - 1.0).abs() < 0.03, "median {median}");
        assert!((p95 / 1200.0 - 1.0).abs() < 0.05, "p95 {p95}");
    }

    #[test]
    fn equal_median_and_p95_is_a_constant_latency() {
        let mut rng = SplitMix::new(1);
        let l = Latency { median: 250.0, p95: 250.0 };
        assert!((0..100).all(|_| (latency_ms(&mut rng, l) - 250.0).abs() < 1e-9));
        assert_eq!(scaled(250.0, 10.0), Duration::from_millis(25));
    }

    #[test]
    fn faults_come_at_their_rates_and_repeat_for_a_seed() {
        let faults = Faults { http_500: 0.1, reset: 0.05, length: 0.2, ..Faults::default() };
        let run = |seed| {
            let mut rng = SplitMix::new(seed);
            (0..20_000).map(|_| fault(&mut rng, &faults)).collect::<Vec<_>>()
        };
        let a = run(stream_seed(7, "m", "draws"));
        assert_eq!(a, run(stream_seed(7, "m", "draws")), "same seed, same faults");
        assert_ne!(a, run(stream_seed(7, "other", "draws")), "another model draws another stream");
        let rate = |f| a.iter().filter(|x| **x == Some(f)).count() as f64 / a.len() as f64;
        assert!((rate(Fault::Http500) - 0.1).abs() < 0.01);
        assert!((rate(Fault::Reset) - 0.05).abs() < 0.01);
        assert!((rate(Fault::Length) - 0.2).abs() < 0.01);
        assert_eq!(rate(Fault::Hang), 0.0);
        let none = Faults::default();
        let mut rng = SplitMix::new(1);
        assert!((0..1000).all(|_| fault(&mut rng, &none).is_none()));
    }
}
