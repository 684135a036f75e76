//! The daily rollups the aggregation job stores, and the reference computation of them from
//! events. Store adapters compute the same rows in the database (SQL `GROUP BY`, MongoDB
//! aggregation pipelines); the contract suite checks them against [`roll_user`] and
//! [`roll_platform`].

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;

use crate::events::{time_range, Event, EventKind, TIME_RANGES};
use crate::model::SubjectId;

/// How many contributors a day keeps.
pub const TOP_CONTRIBUTORS: usize = 5;

/// Days `from` through `to`, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayRange {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl DayRange {
    /// Whether `day` is in the range.
    pub fn contains(&self, day: NaiveDate) -> bool {
        self.from <= day && day <= self.to
    }

    /// The part of the range after `day` (`None` when nothing is left).
    pub fn after(&self, day: Option<NaiveDate>) -> Option<DayRange> {
        let Some(day) = day else {
            return Some(*self);
        };
        let from = self.from.max(day.succ_opt()?);
        (from <= self.to).then_some(DayRange { from, to: self.to })
    }

    /// The part of the range up to `day` included (`None` when nothing is left).
    pub fn through(&self, day: Option<NaiveDate>) -> Option<DayRange> {
        let to = self.to.min(day?);
        (self.from <= to).then_some(DayRange {
            from: self.from,
            to,
        })
    }
}

/// One user's events of one kind (and challenge type) on one of their local days.
#[derive(Debug, Clone, PartialEq)]
pub struct UserDay {
    pub user: SubjectId,
    pub day: NaiveDate,
    pub kind: EventKind,
    /// The challenge type of submissions; empty for other kinds.
    pub category: String,
    pub count: u64,
    pub successes: u64,
    /// First successes on a challenge.
    pub firsts: u64,
    pub score_sum: f64,
    pub score_min: Option<f64>,
    pub score_max: Option<f64>,
    pub minutes: f64,
    pub xp: u64,
    /// Submissions per [`TIME_RANGES`] entry.
    pub ranges: [u64; TIME_RANGES.len()],
}

/// One user's scored work on one skill on one of their local days.
#[derive(Debug, Clone, PartialEq)]
pub struct SkillDay {
    pub user: SubjectId,
    pub day: NaiveDate,
    pub skill: String,
    pub attempts: u64,
    pub solved: u64,
    pub xp: u64,
}

/// Everything of a user's rollup.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UserRollup {
    pub days: Vec<UserDay>,
    pub skills: Vec<SkillDay>,
}

impl UserRollup {
    /// Puts the rows in the order every adapter returns: by user, day, kind and category;
    /// skills by user, day and skill.
    pub fn sort(&mut self) {
        self.days.sort_by(|a, b| {
            (a.user, a.day, a.kind, &a.category).cmp(&(b.user, b.day, b.kind, &b.category))
        });
        self.skills
            .sort_by(|a, b| (a.user, a.day, &a.skill).cmp(&(b.user, b.day, &b.skill)));
    }

    /// Adds the rows of `later` days (the live tail after stored ones).
    pub fn append(&mut self, later: UserRollup) {
        self.days.extend(later.days);
        self.skills.extend(later.skills);
    }

    /// The rows of each user among them (a user without rows is absent), in their order.
    pub fn by_user(self) -> HashMap<SubjectId, UserRollup> {
        let mut out: HashMap<SubjectId, UserRollup> = HashMap::new();
        for row in self.days {
            out.entry(row.user).or_default().days.push(row);
        }
        for row in self.skills {
            out.entry(row.user).or_default().skills.push(row);
        }
        out
    }
}

/// The platform's events of one kind on one UTC day; `kind: None` counts every event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlatformDay {
    pub day: NaiveDate,
    pub kind: Option<EventKind>,
    pub count: u64,
    /// Distinct users.
    pub users: u64,
    /// Successful ones (submissions).
    pub successes: u64,
}

/// A user's posts, code shares and comments on one UTC day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contributor {
    pub day: NaiveDate,
    pub user: SubjectId,
    pub contributions: u64,
}

/// Everything of the platform's rollup.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PlatformRollup {
    pub days: Vec<PlatformDay>,
    /// The [`TOP_CONTRIBUTORS`] of each day, most first (ties: lower id first).
    pub contributors: Vec<Contributor>,
}

impl PlatformRollup {
    /// Puts the rows in the order every adapter returns: by day then kind (every kind first);
    /// contributors by day, most contributions first, then id.
    pub fn sort(&mut self) {
        self.days.sort_by_key(|d| (d.day, d.kind));
        self.contributors.sort_by(|a, b| {
            a.day
                .cmp(&b.day)
                .then(b.contributions.cmp(&a.contributions))
                .then(a.user.cmp(&b.user))
        });
    }
}

/// Where rollups are read from: the rows the job stored, or computed now from the events (the
/// live tail of days the job has not closed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Stored,
    Live,
}

/// One user's local day with any event; `signed_up` when they signed up that day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ActiveDay {
    pub user: SubjectId,
    pub day: NaiveDate,
    pub signed_up: bool,
}

/// One target's (challenge, template) events of one kind in a range of UTC days.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetFigures {
    pub target: String,
    pub kind: EventKind,
    pub count: u64,
    pub users: u64,
    pub successes: u64,
    pub score_sum: f64,
    pub minutes: f64,
}

/// The user rows of `events` (grouped by user, local day, kind and category), sorted by key.
pub fn roll_user(events: &[Event]) -> UserRollup {
    let mut days: BTreeMap<(SubjectId, NaiveDate, EventKind, String), UserDay> = BTreeMap::new();
    let mut skills: BTreeMap<(SubjectId, NaiveDate, String), SkillDay> = BTreeMap::new();
    for e in events {
        let row = days
            .entry((e.user, e.day, e.kind, e.category.clone()))
            .or_insert_with(|| UserDay {
                user: e.user,
                day: e.day,
                kind: e.kind,
                category: e.category.clone(),
                count: 0,
                successes: 0,
                firsts: 0,
                score_sum: 0.0,
                score_min: None,
                score_max: None,
                minutes: 0.0,
                xp: 0,
                ranges: [0; TIME_RANGES.len()],
            });
        row.count += 1;
        row.successes += u64::from(e.success);
        row.firsts += u64::from(e.first);
        row.xp += e.xp;
        if let Some(s) = e.score {
            row.score_sum += s;
            row.score_min = Some(row.score_min.map_or(s, |m| m.min(s)));
            row.score_max = Some(row.score_max.map_or(s, |m| m.max(s)));
        }
        if let Some(m) = e.minutes {
            row.minutes += m;
            row.ranges[time_range(m)] += 1;
        }
        for skill in &e.skills {
            let s = skills
                .entry((e.user, e.day, skill.clone()))
                .or_insert_with(|| SkillDay {
                    user: e.user,
                    day: e.day,
                    skill: skill.clone(),
                    attempts: 0,
                    solved: 0,
                    xp: 0,
                });
            s.attempts += 1;
            s.solved += u64::from(e.success);
            s.xp += e.xp;
        }
    }
    UserRollup {
        days: days.into_values().collect(),
        skills: skills.into_values().collect(),
    }
}

/// The platform rows of `events` (grouped by UTC day and kind, plus every kind), sorted by day
/// then kind (`None` first), with each day's top contributors.
pub fn roll_platform(events: &[Event]) -> PlatformRollup {
    type Tally = (u64, BTreeSet<SubjectId>, u64);
    let mut rows: BTreeMap<(NaiveDate, Option<EventKind>), Tally> = BTreeMap::new();
    let mut contributions: BTreeMap<NaiveDate, HashMap<SubjectId, u64>> = BTreeMap::new();
    for e in events {
        for kind in [None, Some(e.kind)] {
            let t = rows.entry((e.utc_day, kind)).or_default();
            t.0 += 1;
            t.1.insert(e.user);
            t.2 += u64::from(e.success);
        }
        if e.kind.contributes() {
            *contributions
                .entry(e.utc_day)
                .or_default()
                .entry(e.user)
                .or_default() += 1;
        }
    }
    let days = rows
        .into_iter()
        .map(|((day, kind), (count, users, successes))| PlatformDay {
            day,
            kind,
            count,
            users: users.len() as u64,
            successes,
        })
        .collect();
    let mut contributors = Vec::new();
    for (day, by_user) in contributions {
        let mut top: Vec<(SubjectId, u64)> = by_user.into_iter().collect();
        top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        contributors.extend(
            top.into_iter()
                .take(TOP_CONTRIBUTORS)
                .map(|(user, n)| Contributor {
                    day,
                    user,
                    contributions: n,
                }),
        );
    }
    PlatformRollup { days, contributors }
}

/// The distinct (user, local day) pairs of `events`, sorted.
pub fn active_days(events: &[Event]) -> Vec<ActiveDay> {
    merge_active(
        events
            .iter()
            .map(|e| (e.user, e.day, e.kind == EventKind::SignedUp)),
    )
}

/// Distinct (user, day) pairs of `pairs`, sorted, signed up if any of a pair's entries says so:
/// how adapters join the stored days' pairs with the live tail's.
pub fn merge_active(
    pairs: impl IntoIterator<Item = (SubjectId, NaiveDate, bool)>,
) -> Vec<ActiveDay> {
    let mut merged: BTreeMap<(SubjectId, NaiveDate), bool> = BTreeMap::new();
    for (user, day, signed_up) in pairs {
        *merged.entry((user, day)).or_default() |= signed_up;
    }
    merged
        .into_iter()
        .map(|((user, day), signed_up)| ActiveDay {
            user,
            day,
            signed_up,
        })
        .collect()
}

/// The figures per target and kind of `events` whose kind is in `kinds`, in [`sort_targets`]'
/// order.
pub fn roll_targets(events: &[Event], kinds: &[EventKind]) -> Vec<TargetFigures> {
    type Tally = (u64, BTreeSet<SubjectId>, u64, f64, f64);
    let mut rows: BTreeMap<(String, EventKind), Tally> = BTreeMap::new();
    for e in events.iter().filter(|e| kinds.contains(&e.kind)) {
        let Some(target) = &e.target else { continue };
        let t = rows.entry((target.clone(), e.kind)).or_default();
        t.0 += 1;
        t.1.insert(e.user);
        t.2 += u64::from(e.success);
        t.3 += e.score.unwrap_or(0.0);
        t.4 += e.minutes.unwrap_or(0.0);
    }
    let mut out: Vec<TargetFigures> = rows
        .into_iter()
        .map(
            |((target, kind), (count, users, successes, score_sum, minutes))| TargetFigures {
                target,
                kind,
                count,
                users: users.len() as u64,
                successes,
                score_sum,
                minutes,
            },
        )
        .collect();
    sort_targets(&mut out);
    out
}

/// Most events first, then by target and kind: the order every adapter returns.
pub fn sort_targets(rows: &mut [TargetFigures]) {
    rows.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then_with(|| a.target.cmp(&b.target))
            .then_with(|| a.kind.cmp(&b.kind))
    });
}
