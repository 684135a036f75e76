//! An answer handed to many callers at once, with room for its encoded form.

use std::ops::Deref;
use std::sync::{Arc, OnceLock};

use bytes::Bytes;

/// A value answered from memory to many callers (a remembered catalogue page, say): read it
/// through `Deref`, and let the first caller that encodes it for the wire keep the bytes, so the
/// callers after it send them as they are instead of encoding the same value again.
///
/// The value never changes after construction, so neither do the bytes: a changed answer is a
/// new `Shared`.
#[derive(Debug)]
pub struct Shared<T> {
    value: T,
    encoded: OnceLock<Bytes>,
}

impl<T> Shared<T> {
    /// `value`, not encoded yet, ready to be handed out.
    pub fn new(value: T) -> Arc<Self> {
        Arc::new(Self {
            value,
            encoded: OnceLock::new(),
        })
    }

    /// The value's encoded form: `encode`d on the first call, the same bytes on every later one.
    /// (Two first callers racing may both encode; one result is kept, and both are equal, as
    /// `encode` must be a function of the value alone.)
    pub fn encoded<E>(&self, encode: impl FnOnce(&T) -> Result<Vec<u8>, E>) -> Result<Bytes, E> {
        if let Some(bytes) = self.encoded.get() {
            return Ok(bytes.clone());
        }
        let bytes = Bytes::from(encode(&self.value)?);
        Ok(self.encoded.get_or_init(|| bytes).clone())
    }

    /// Whether some caller has encoded it already.
    pub fn is_encoded(&self) -> bool {
        self.encoded.get().is_some()
    }
}

impl<T> Deref for Shared<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[test]
    fn encodes_once_and_hands_out_the_same_bytes() {
        let shared = Shared::new(vec![1_u8, 2, 3]);
        let calls = Cell::new(0);
        let encode = |v: &Vec<u8>| {
            calls.set(calls.get() + 1);
            Ok::<_, ()>(v.iter().map(|b| b + 1).collect())
        };
        assert!(!shared.is_encoded());
        let first = shared.encoded(encode).unwrap();
        let second = shared.encoded(encode).unwrap();
        assert_eq!(&first[..], &[2, 3, 4]);
        assert_eq!(first, second);
        assert_eq!(
            first.as_ptr(),
            second.as_ptr(),
            "the same buffer, not a copy"
        );
        assert_eq!(calls.get(), 1);
        assert_eq!(shared.len(), 3, "reads through to the value");
    }

    #[test]
    fn a_failed_encoding_is_not_kept() {
        let shared = Shared::new(7_u32);
        assert_eq!(shared.encoded(|_| Err("no")), Err("no"));
        assert!(!shared.is_encoded());
        assert_eq!(
            shared.encoded(|v| Ok::<_, ()>(v.to_string().into_bytes())),
            Ok(Bytes::from_static(b"7"))
        );
    }
}
