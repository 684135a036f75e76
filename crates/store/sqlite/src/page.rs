//! One page of a filtered table with its total, as every list of the adapters reads it: the
//! count and the page run the same filter, the page in the caller's order (which ends in a
//! unique tie-break, so pages never overlap).

use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Sqlite};
use stackrush_kernel::{Page, PageRequest, StoreError};

use crate::Db;

/// What to read: `columns` from `table`, rows that `filter` selects (it pushes ` WHERE …` with
/// its binds onto the builder it is given, twice), in `order` (an `ORDER BY` list).
pub struct PageQuery<'a, F> {
    pub table: &'a str,
    pub columns: &'a str,
    pub filter: F,
    pub order: &'a str,
}

impl<'a, F> PageQuery<'a, F>
where
    F: for<'q> Fn(&mut QueryBuilder<'q, Sqlite>),
{
    /// Counts the rows `filter` selects and reads page `page` of them with `row`; sqlx errors
    /// go through `error` (the adapter's own translation).
    pub async fn fetch<T>(
        &self,
        db: &Db,
        page: PageRequest,
        row: impl Fn(&SqliteRow) -> Result<T, StoreError>,
        error: fn(sqlx::Error) -> StoreError,
    ) -> Result<Page<T>, StoreError> {
        self.fetch_knowing(db, page, None, row, error).await
    }

    /// [`PageQuery::fetch`], skipping the count when the caller knows the total already (a
    /// remembered count of a large list).
    pub async fn fetch_knowing<T>(
        &self,
        db: &Db,
        page: PageRequest,
        known_total: Option<u64>,
        row: impl Fn(&SqliteRow) -> Result<T, StoreError>,
        error: fn(sqlx::Error) -> StoreError,
    ) -> Result<Page<T>, StoreError> {
        let total = match known_total {
            Some(total) => i64::try_from(total).unwrap_or(i64::MAX),
            None => {
                let mut count = QueryBuilder::new(format!("SELECT COUNT(*) FROM {}", self.table));
                (self.filter)(&mut count);
                count
                    .build_query_scalar()
                    .fetch_one(db.reads())
                    .await
                    .map_err(error)?
            }
        };
        let mut q = QueryBuilder::new(format!("SELECT {} FROM {}", self.columns, self.table));
        (self.filter)(&mut q);
        q.push(format!(" ORDER BY {} LIMIT ", self.order))
            .push_bind(i64::from(page.limit()))
            .push(" OFFSET ")
            .push_bind(i64::try_from(page.offset()).unwrap_or(i64::MAX));
        let rows = q.build().fetch_all(db.reads()).await.map_err(error)?;
        Ok(Page {
            items: rows.iter().map(row).collect::<Result<_, _>>()?,
            request: page,
            total: u64::try_from(total).unwrap_or(0),
        })
    }
}

/// Binds each of `values`, separated by commas: the inside of an `IN (…)` list (callers skip
/// empty lists, which SQL does not allow).
pub fn push_binds(q: &mut QueryBuilder<'_, Sqlite>, values: impl IntoIterator<Item = String>) {
    let mut list = q.separated(", ");
    for value in values {
        list.push_bind(value);
    }
}
