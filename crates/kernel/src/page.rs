//! Pagination: what a caller asks for and what a list answers.

/// The largest page any list serves.
pub const MAX_LIMIT: u32 = 100;

/// A 1-based page of at most [`MAX_LIMIT`] items.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PageRequest {
    page: u32,
    limit: u32,
}

impl PageRequest {
    /// Page `page` (at least 1) of `limit` items (clamped to 1..=[`MAX_LIMIT`]).
    pub fn new(page: u32, limit: u32) -> Self {
        Self {
            page: page.max(1),
            limit: limit.clamp(1, MAX_LIMIT),
        }
    }

    /// A request from optional query values: absent values take their defaults, a page or limit
    /// below 1 is an error, a limit above [`MAX_LIMIT`] is clamped.
    pub fn checked(
        page: Option<u32>,
        limit: Option<u32>,
        default_limit: u32,
    ) -> Result<Self, Vec<crate::FieldError>> {
        let mut problems = Vec::new();
        if page == Some(0) {
            problems.push(crate::FieldError::new("page", "must be at least 1"));
        }
        if limit == Some(0) {
            problems.push(crate::FieldError::new("limit", "must be at least 1"));
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(Self::new(page.unwrap_or(1), limit.unwrap_or(default_limit)))
    }

    /// The 1-based page number.
    pub fn page(&self) -> u32 {
        self.page
    }

    /// Items per page.
    pub fn limit(&self) -> u32 {
        self.limit
    }

    /// How many items precede this page.
    pub fn offset(&self) -> u64 {
        u64::from(self.page - 1) * u64::from(self.limit)
    }
}

impl Default for PageRequest {
    fn default() -> Self {
        Self::new(1, 10)
    }
}

/// One page of a list and the size of the whole list.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The items on this page.
    pub items: Vec<T>,
    /// The request this page answers.
    pub request: PageRequest,
    /// How many items the whole list holds.
    pub total: u64,
}

impl<T> Page<T> {
    /// How many pages the list has: `ceil(total / limit)`.
    pub fn pages(&self) -> u64 {
        self.total.div_ceil(u64::from(self.request.limit()))
    }

    /// Whether a page follows this one.
    pub fn has_next(&self) -> bool {
        u64::from(self.request.page()) < self.pages()
    }

    /// Whether a page precedes this one.
    pub fn has_prev(&self) -> bool {
        self.request.page() > 1
    }

    /// The page `request` asks for out of the whole, already ordered list `all`.
    pub fn slice(all: Vec<T>, request: PageRequest) -> Self {
        let total = all.len() as u64;
        let items = all
            .into_iter()
            .skip(usize::try_from(request.offset()).unwrap_or(usize::MAX))
            .take(request.limit() as usize)
            .collect();
        Self {
            items,
            request,
            total,
        }
    }

    /// The same page with every item converted by `f`, or the first conversion's error.
    pub fn try_map<U, E>(self, f: impl FnMut(T) -> Result<U, E>) -> Result<Page<U>, E> {
        Ok(Page {
            items: self.items.into_iter().map(f).collect::<Result<_, E>>()?,
            request: self.request,
            total: self.total,
        })
    }

    /// The same page with every item converted by `f`.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            request: self.request,
            total: self.total,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_is_clamped_and_page_starts_at_one() {
        let r = PageRequest::new(0, 10_000);
        assert_eq!((r.page(), r.limit()), (1, MAX_LIMIT));
        assert_eq!(PageRequest::new(3, 0).limit(), 1);
        assert_eq!(PageRequest::new(3, 20).offset(), 40);
    }

    #[test]
    fn checked_requests_reject_zero_and_clamp_large_limits() {
        assert_eq!(
            PageRequest::checked(None, None, 20).unwrap(),
            PageRequest::new(1, 20)
        );
        assert_eq!(
            PageRequest::checked(Some(2), Some(500), 20)
                .unwrap()
                .limit(),
            MAX_LIMIT
        );
        assert_eq!(
            PageRequest::checked(Some(0), Some(0), 20)
                .unwrap_err()
                .len(),
            2
        );
    }

    #[test]
    fn slicing_takes_the_requested_window() {
        let page = Page::slice((1..=25).collect::<Vec<_>>(), PageRequest::new(3, 10));
        assert_eq!((page.items, page.total), (vec![21, 22, 23, 24, 25], 25));
        assert!(Page::slice(vec![1, 2], PageRequest::new(9, 10))
            .items
            .is_empty());
    }

    #[test]
    fn pages_round_up_and_flags_follow() {
        let page = Page {
            items: vec![1, 2],
            request: PageRequest::new(1, 10),
            total: 42,
        };
        assert_eq!(page.pages(), 5);
        assert!(page.has_next());
        assert!(!page.has_prev());
        let last = Page::<u8> {
            items: vec![],
            request: PageRequest::new(5, 10),
            total: 42,
        };
        assert!(!last.has_next());
        assert!(last.has_prev());
        let empty = Page::<u8> {
            items: vec![],
            request: PageRequest::new(1, 10),
            total: 0,
        };
        assert_eq!(empty.pages(), 0);
        assert!(!empty.has_next());
    }
}
