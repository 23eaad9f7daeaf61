//! Random spot checks for field verification: a reproducible draw of a share of a round's
//! assignments. Each candidate is ranked by SHA-256 of the seed and its id, and the lowest
//! ranks are drawn, so anyone holding the seed and the candidate list can redo the draw.

use sha2::{Digest, Sha256};
use uuid::Uuid;

/// How many of `n` candidates a `share` (0–1) draws: rounded up, at least one when `share > 0`.
pub fn draw_size(n: usize, share: f64) -> usize {
    if n == 0 || share <= 0.0 || !share.is_finite() {
        return 0;
    }
    ((n as f64 * share.min(1.0)).ceil() as usize).clamp(1, n)
}

/// The candidates drawn for `seed`, in draw order.
pub fn draw(candidates: &[Uuid], share: f64, seed: &str) -> Vec<Uuid> {
    let mut ranked: Vec<([u8; 32], Uuid)> = candidates
        .iter()
        .map(|id| {
            let mut h = Sha256::new();
            h.update(seed.as_bytes());
            h.update([0]);
            h.update(id.as_bytes());
            (h.finalize().into(), *id)
        })
        .collect();
    ranked.sort();
    ranked.dedup_by_key(|(_, id)| *id);
    ranked
        .into_iter()
        .take(draw_size(candidates.len(), share))
        .map(|(_, id)| id)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(n: u128) -> Vec<Uuid> {
        (1..=n).map(Uuid::from_u128).collect()
    }

    #[test]
    fn sizes_round_up_and_stay_in_range() {
        assert_eq!(draw_size(0, 0.5), 0);
        assert_eq!(draw_size(10, 0.0), 0);
        assert_eq!(draw_size(10, 0.1), 1);
        assert_eq!(draw_size(10, 0.11), 2);
        assert_eq!(draw_size(3, 0.01), 1);
        assert_eq!(draw_size(10, 1.0), 10);
        assert_eq!(draw_size(10, 7.0), 10);
        assert_eq!(draw_size(10, f64::NAN), 0);
    }

    #[test]
    fn the_same_seed_draws_the_same_units_whatever_the_order() {
        let a = ids(50);
        let mut b = a.clone();
        b.reverse();
        let first = draw(&a, 0.2, "2022-kiem-tra");
        assert_eq!(first.len(), 10);
        assert_eq!(first, draw(&b, 0.2, "2022-kiem-tra"));
        assert_ne!(first, draw(&a, 0.2, "another seed"));
        let all = draw(&a, 1.0, "x");
        assert_eq!(all.len(), 50);
        assert!(first.iter().all(|id| a.contains(id)));
    }
}
