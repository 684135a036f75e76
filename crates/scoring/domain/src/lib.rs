//! The StackRush scoring context: the rules that turn a browser's test run into a verdict, a
//! score, XP, a level, a streak and a rank.
//!
//! This crate holds the rules as pure functions, tested on their own; the ports, the stores and
//! the routes that apply them to submissions are built on top (see the issue tracker).

pub mod ranking;
pub mod score;
pub mod streak;
pub mod verdict;
pub mod xp;
