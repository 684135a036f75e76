//! Competition ranking ("1224"): equal keys share a rank, and the next rank skips the ties.

/// Ranks for `keys` already sorted best first: equal neighbours share a rank.
pub fn competition_ranks<T: PartialEq>(keys: &[T]) -> Vec<u64> {
    let mut ranks = Vec::with_capacity(keys.len());
    for (i, key) in keys.iter().enumerate() {
        let rank = match (i, ranks.last()) {
            (0, _) | (_, None) => 1,
            (i, Some(&previous)) => {
                if keys[i - 1] == *key {
                    previous
                } else {
                    i as u64 + 1
                }
            }
        };
        ranks.push(rank);
    }
    ranks
}

/// The rank of someone with `better` people strictly ahead of them.
pub fn rank_from_better_count(better: u64) -> u64 {
    better + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ties_share_a_rank_and_the_next_rank_skips() {
        assert_eq!(competition_ranks(&[500, 300, 300, 100]), vec![1, 2, 2, 4]);
        assert_eq!(competition_ranks(&[7, 7, 7]), vec![1, 1, 1]);
        assert_eq!(competition_ranks::<u32>(&[]), Vec::<u64>::new());
        assert_eq!(competition_ranks(&[9, 8, 8, 8, 1]), vec![1, 2, 2, 2, 5]);
    }

    #[test]
    fn a_rank_is_one_more_than_those_strictly_ahead() {
        assert_eq!(rank_from_better_count(0), 1);
        assert_eq!(rank_from_better_count(3), 4);
    }
}
