//! Competition ranking ("1224") and the "around me" window: the one place ranks are computed.
//! Adapters fetch rows in board order and count the rows ahead of one; equal rows share a rank
//! and the next rank skips the ties.

use std::future::Future;

/// Ranks for `rows` in board order. A row `same` as the one before it shares that one's rank;
/// any other row is ranked one more than the rows strictly ahead of it on the whole board, which
/// `ahead` counts (asked once per run of equal rows, so a page of 100 rows costs at most 100
/// counts and usually far fewer).
pub async fn competition_ranked<R, E, F, Fut>(
    rows: Vec<R>,
    same: impl Fn(&R, &R) -> bool,
    mut ahead: F,
) -> Result<Vec<(R, u64)>, E>
where
    F: FnMut(&R) -> Fut,
    Fut: Future<Output = Result<u64, E>>,
{
    let mut out: Vec<(R, u64)> = Vec::with_capacity(rows.len());
    for row in rows {
        let rank = match out.last() {
            Some((previous, rank)) if same(previous, &row) => *rank,
            _ => rank_from_better_count(ahead(&row).await?),
        };
        out.push((row, rank));
    }
    Ok(out)
}

/// The rank of someone with `better` people strictly ahead of them.
pub fn rank_from_better_count(better: u64) -> u64 {
    better.saturating_add(1)
}

/// One row and its neighbours in board order: `ahead` as fetched nearest first (so reversed
/// here), then `me`, then `behind` nearest first.
pub fn window<R>(mut ahead: Vec<R>, me: R, behind: Vec<R>) -> Vec<R> {
    ahead.reverse();
    ahead.push(me);
    ahead.extend(behind);
    ahead
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::*;

    /// Ranks `keys` (best first) where everything before a row is strictly better or equal.
    async fn ranks_of(keys: &[u32], asked: &Cell<u32>) -> Vec<u64> {
        let ranked = competition_ranked(
            keys.to_vec(),
            |a, b| a == b,
            |key| {
                asked.set(asked.get() + 1);
                let better = keys.iter().filter(|k| *k > key).count() as u64;
                async move { Ok::<u64, ()>(better) }
            },
        )
        .await;
        ranked
            .unwrap_or_default()
            .into_iter()
            .map(|(_, r)| r)
            .collect()
    }

    #[tokio::test]
    async fn ties_share_a_rank_and_the_next_rank_skips() {
        let asked = Cell::new(0);
        assert_eq!(
            ranks_of(&[500, 300, 300, 100], &asked).await,
            vec![1, 2, 2, 4]
        );
        assert_eq!(asked.get(), 3, "one count per run of equals");
        assert_eq!(ranks_of(&[7, 7, 7], &asked).await, vec![1, 1, 1]);
        assert_eq!(ranks_of(&[], &asked).await, Vec::<u64>::new());
        assert_eq!(
            ranks_of(&[9, 8, 8, 8, 1], &asked).await,
            vec![1, 2, 2, 2, 5]
        );
    }

    #[tokio::test]
    async fn a_page_that_starts_inside_a_tie_takes_the_tie_s_rank() {
        // Page 2 of [9, 8, 8, 8, 1] with two rows a page: [8, 8] are ranked 2, not 1.
        let whole = [9u32, 8, 8, 8, 1];
        let ranked = competition_ranked(
            vec![8u32, 8],
            |a, b| a == b,
            |key| {
                let better = whole.iter().filter(|k| *k > key).count() as u64;
                async move { Ok::<u64, ()>(better) }
            },
        )
        .await;
        assert_eq!(ranked, Ok(vec![(8, 2), (8, 2)]));
    }

    #[tokio::test]
    async fn a_failed_count_fails_the_ranking() {
        let ranked = competition_ranked(
            vec![1u32],
            |a, b| a == b,
            |_| async { Err::<u64, &str>("down") },
        )
        .await;
        assert_eq!(ranked, Err("down"));
    }

    #[test]
    fn a_rank_is_one_more_than_those_strictly_ahead() {
        assert_eq!(rank_from_better_count(0), 1);
        assert_eq!(rank_from_better_count(3), 4);
        assert_eq!(rank_from_better_count(u64::MAX), u64::MAX);
    }

    #[test]
    fn the_window_puts_the_nearest_ahead_last_before_me() {
        assert_eq!(window(vec![4, 3], 5, vec![6, 7]), vec![3, 4, 5, 6, 7]);
        assert_eq!(window(Vec::new(), 1, Vec::new()), vec![1]);
    }
}
