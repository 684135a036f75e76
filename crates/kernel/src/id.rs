//! Identifiers: 12 bytes rendered as 24 lowercase hex digits, the same as a MongoDB ObjectId, on
//! every store. Each aggregate gets its own newtype through [`define_id!`](crate::define_id).

use std::fmt;
use std::str::FromStr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;

use rand::RngCore;

/// The raw 12 bytes of an ObjectId-compatible identifier.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectIdBytes([u8; 12]);

/// The text was not 24 hexadecimal digits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("an id is 24 hexadecimal characters")]
pub struct IdParseError;

impl ObjectIdBytes {
    /// A new id: 4 bytes of seconds since the epoch, 5 random bytes fixed per process, and a
    /// 3-byte counter, so ids sort by creation time like MongoDB's.
    pub fn generate(unix_seconds: i64) -> Self {
        static PROCESS: OnceLock<[u8; 5]> = OnceLock::new();
        static COUNTER: OnceLock<AtomicU32> = OnceLock::new();
        let process = PROCESS.get_or_init(|| {
            let mut bytes = [0u8; 5];
            rand::rng().fill_bytes(&mut bytes);
            bytes
        });
        let counter = COUNTER
            .get_or_init(|| AtomicU32::new(rand::rng().next_u32()))
            .fetch_add(1, Ordering::Relaxed);
        let seconds = u32::try_from(unix_seconds.max(0)).unwrap_or(u32::MAX);
        let mut bytes = [0u8; 12];
        bytes[..4].copy_from_slice(&seconds.to_be_bytes());
        bytes[4..9].copy_from_slice(process);
        bytes[9..].copy_from_slice(&counter.to_be_bytes()[1..]);
        Self(bytes)
    }

    /// The id made of exactly these bytes.
    pub const fn from_bytes(bytes: [u8; 12]) -> Self {
        Self(bytes)
    }

    /// The 12 bytes.
    pub const fn bytes(self) -> [u8; 12] {
        self.0
    }

    /// 24 lowercase hex digits.
    pub fn to_hex(self) -> String {
        hex::encode(self.0)
    }
}

impl FromStr for ObjectIdBytes {
    type Err = IdParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.len() != 24 {
            return Err(IdParseError);
        }
        let mut bytes = [0u8; 12];
        hex::decode_to_slice(s, &mut bytes).map_err(|_| IdParseError)?;
        Ok(Self(bytes))
    }
}

impl fmt::Display for ObjectIdBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for ObjectIdBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.to_hex())
    }
}

/// `bytes` random bytes from the operating system's generator as lower-case hex: an
/// unguessable name (16 bytes: 128 bits) for links that stand for a secret.
pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    hex::encode(buf)
}

/// Declares an id newtype for one aggregate: `define_id!(UserId);`.
///
/// The type parses from and renders as 24 hex digits and (de)serializes as that string.
#[macro_export]
macro_rules! define_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name($crate::ObjectIdBytes);

        impl $name {
            /// A new id stamped with `now`.
            pub fn generate(now: ::chrono::DateTime<::chrono::Utc>) -> Self {
                Self($crate::ObjectIdBytes::generate(now.timestamp()))
            }
            /// The id made of exactly these bytes.
            pub const fn from_bytes(bytes: [u8; 12]) -> Self {
                Self($crate::ObjectIdBytes::from_bytes(bytes))
            }
            /// The 12 bytes.
            pub const fn bytes(self) -> [u8; 12] {
                self.0.bytes()
            }
            /// 24 lowercase hex digits.
            pub fn to_hex(self) -> String {
                self.0.to_hex()
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::IdParseError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map(Self)
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Display::fmt(&self.0, f)
            }
        }

        impl ::std::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0)
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.to_hex())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(d)?;
                text.parse().map_err(::serde::de::Error::custom)
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    define_id!(
        /// An id for tests.
        SampleId
    );

    #[test]
    fn an_id_round_trips_through_its_hex_form() {
        let id = SampleId::generate(chrono::Utc::now());
        let parsed: SampleId = id.to_hex().parse().unwrap();
        assert_eq!(parsed, id);
        assert_eq!(id.to_hex().len(), 24);
        assert_eq!(SampleId::from_bytes(id.bytes()), id);
    }

    #[test]
    fn ids_generated_later_sort_after_earlier_ones() {
        let a = ObjectIdBytes::generate(1_000);
        let b = ObjectIdBytes::generate(2_000);
        assert!(a < b);
        assert_ne!(ObjectIdBytes::generate(5), ObjectIdBytes::generate(5));
    }

    #[test]
    fn malformed_ids_are_rejected() {
        for bad in [
            "",
            "abc",
            "zzzzzzzzzzzzzzzzzzzzzzzz",
            "0123456789abcdef012345678",
        ] {
            assert_eq!(bad.parse::<ObjectIdBytes>(), Err(IdParseError), "{bad}");
        }
    }

    #[test]
    fn ids_serialize_as_strings() {
        let id: SampleId = "0123456789abcdef01234567".parse().unwrap();
        assert_eq!(
            serde_json::to_string(&id).unwrap(),
            "\"0123456789abcdef01234567\""
        );
        let back: SampleId = serde_json::from_str("\"0123456789abcdef01234567\"").unwrap();
        assert_eq!(back, id);
    }
}
