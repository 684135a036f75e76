//! The shared vocabulary of every StackRush context.
//!
//! Nothing here does I/O: ids, pagination, the clock and activity ports and the error a store
//! adapter reports.
//! Every context crate depends on this one and on nothing else of the project's.

pub mod activity;
pub mod answers;
pub mod clock;
pub mod error;
pub mod id;
pub mod image;
pub mod memory;
pub mod named;
pub mod page;
pub mod shared;
pub mod text;

pub use answers::SharedAnswers;
pub use clock::{time_problem, Clock, FixedClock, SystemClock};
pub use error::{json_field_path, FieldError, StoreError};
pub use id::{IdParseError, ObjectIdBytes};
pub use memory::{Freshness, ReadMemory, Recall, RefreshClaim, Ticket};
pub use page::{Page, PageRequest};
pub use shared::Shared;
