//! The event store, its daily rollups and the job state in MongoDB. The grouping runs in the
//! database: one aggregation pipeline per rollup, ending in `$merge` for the job and read as is
//! for the live tail. Distinct users are counted by grouping twice (per user, then per key), so
//! no stage gathers a day's user ids in one document.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use futures::TryStreamExt;
use mongodb::bson::oid::ObjectId;
use mongodb::bson::{doc, Bson, Document};
use mongodb::error::{ErrorKind, WriteFailure};
use mongodb::options::{IndexOptions, InsertManyOptions};
use mongodb::{Collection, Database, IndexModel};
use stackrush_analytics::events::{Event, EventKind};
use stackrush_analytics::ports::{EventStore, JobStore};
use stackrush_analytics::rollup::{
    merge_active, sort_targets, ActiveDay, Contributor, DayRange, PlatformDay, PlatformRollup,
    SkillDay, Source, TargetFigures, UserDay, UserRollup, TOP_CONTRIBUTORS,
};
use stackrush_analytics::SubjectId;
use stackrush_kernel::StoreError;
use stackrush_store_mongo::corrupt;
use stackrush_store_mongo::fields::{count, id_of, n, oid, text as text_of, time};

use crate::store_error;

const EVENTS: &str = "analytics_events";
const USER_DAYS: &str = "analytics_user_days";
const SKILL_DAYS: &str = "analytics_skill_days";
const PLATFORM_DAYS: &str = "analytics_platform_days";
const CONTRIBUTORS: &str = "analytics_contributors";
const JOBS: &str = "analytics_jobs";

/// The key of each rollup collection: its rows are merged on it (one unique index each,
/// whose leading fields also serve the reads by user or day).
const USER_KEY: [&str; 4] = ["user", "day", "kind", "category"];
const SKILL_KEY: [&str; 3] = ["user", "day", "skill"];
const PLATFORM_KEY: [&str; 2] = ["day", "kind"];
const CONTRIBUTOR_KEY: [&str; 2] = ["day", "user"];

/// Creates the event store's indexes.
pub async fn ensure_indexes(db: &Database) -> Result<(), StoreError> {
    let index = |keys: Document, name: &str, unique: bool| {
        IndexModel::builder()
            .keys(keys)
            .options(
                IndexOptions::builder()
                    .name(name.to_owned())
                    .unique(unique)
                    .build(),
            )
            .build()
    };
    db.collection::<Document>(EVENTS)
        .create_indexes([
            index(doc! { "day": 1 }, "analytics_events_day", false),
            index(
                doc! { "utcDay": 1, "kind": 1 },
                "analytics_events_utc_day",
                false,
            ),
            index(doc! { "user": 1, "day": 1 }, "analytics_events_user", false),
        ])
        .await
        .map_err(store_error)?;
    let keyed: [(&str, &[&str], bool); 4] = [
        (USER_DAYS, &USER_KEY, true),
        (SKILL_DAYS, &SKILL_KEY, true),
        (PLATFORM_DAYS, &PLATFORM_KEY, false),
        (CONTRIBUTORS, &CONTRIBUTOR_KEY, false),
    ];
    for (collection, key, by_day) in keyed {
        let mut indexes = vec![index(ascending(key), &format!("{collection}_key"), true)];
        if by_day {
            indexes.push(index(
                doc! { "day": 1 },
                &format!("{collection}_day"),
                false,
            ));
        }
        db.collection::<Document>(collection)
            .create_indexes(indexes)
            .await
            .map_err(store_error)?;
    }
    Ok(())
}

/// An index specification over `fields`, each ascending.
fn ascending(fields: &[&str]) -> Document {
    fields
        .iter()
        .map(|f| (f.to_string(), Bson::Int32(1)))
        .collect()
}

/// The event store and job state in the `analytics_*` collections.
#[derive(Debug, Clone)]
pub struct MongoEvents {
    db: Database,
    events: Collection<Document>,
    jobs: Collection<Document>,
}

impl MongoEvents {
    /// The adapter over `db` (indexed with [`crate::ensure_indexes`]).
    pub fn new(db: &Database) -> Self {
        Self {
            db: db.clone(),
            events: db.collection(EVENTS),
            jobs: db.collection(JOBS),
        }
    }

    async fn run(
        &self,
        collection: &str,
        pipeline: Vec<Document>,
    ) -> Result<Vec<Document>, StoreError> {
        self.db
            .collection::<Document>(collection)
            .aggregate(pipeline)
            .allow_disk_use(true)
            .await
            .map_err(store_error)?
            .try_collect()
            .await
            .map_err(store_error)
    }

    async fn find(&self, collection: &str, filter: Document) -> Result<Vec<Document>, StoreError> {
        self.db
            .collection::<Document>(collection)
            .find(filter)
            .await
            .map_err(store_error)?
            .try_collect()
            .await
            .map_err(store_error)
    }
}

fn day_text(day: NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

fn between(days: DayRange) -> Document {
    doc! { "$gte": day_text(days.from), "$lte": day_text(days.to) }
}

fn flag(field: &str) -> Document {
    doc! { "$sum": { "$cond": [format!("${field}"), 1, 0] } }
}

fn minutes_in(low: Option<f64>, high: Option<f64>) -> Document {
    let mut checks = vec![Bson::Document(
        doc! { "$ne": [{ "$type": "$minutes" }, "null"] },
    )];
    checks.push(Bson::Document(
        doc! { "$ne": [{ "$type": "$minutes" }, "missing"] },
    ));
    if let Some(low) = low {
        checks.push(Bson::Document(doc! { "$gte": ["$minutes", low] }));
    }
    if let Some(high) = high {
        checks.push(Bson::Document(doc! { "$lt": ["$minutes", high] }));
    }
    doc! { "$sum": { "$cond": [{ "$and": checks }, 1, 0] } }
}

/// The user rows of the events `filter` selects ([`stackrush_analytics::rollup::roll_user`]).
fn user_pipeline(filter: Document) -> Vec<Document> {
    vec![
        doc! { "$match": filter },
        doc! { "$group": {
            "_id": { "user": "$user", "day": "$day", "kind": "$kind", "category": "$category" },
            "count": { "$sum": 1 },
            "successes": flag("success"),
            "firsts": flag("first"),
            "scoreSum": { "$sum": "$score" },
            "scoreMin": { "$min": "$score" },
            "scoreMax": { "$max": "$score" },
            "minutes": { "$sum": "$minutes" },
            "xp": { "$sum": "$xp" },
            "r0": minutes_in(None, Some(15.0)),
            "r1": minutes_in(Some(15.0), Some(30.0)),
            "r2": minutes_in(Some(30.0), Some(60.0)),
            "r3": minutes_in(Some(60.0), Some(120.0)),
            "r4": minutes_in(Some(120.0), None),
        } },
        doc! { "$set": {
            "user": "$_id.user", "day": "$_id.day", "kind": "$_id.kind", "category": "$_id.category",
        } },
    ]
}

/// The skill rows of the events `filter` selects.
fn skill_pipeline(filter: Document) -> Vec<Document> {
    vec![
        doc! { "$match": filter },
        doc! { "$unwind": "$skills" },
        doc! { "$group": {
            "_id": { "user": "$user", "day": "$day", "skill": "$skills" },
            "attempts": { "$sum": 1 },
            "solved": flag("success"),
            "xp": { "$sum": "$xp" },
        } },
        doc! { "$set": { "user": "$_id.user", "day": "$_id.day", "skill": "$_id.skill" } },
    ]
}

/// The platform rows of the events `filter` selects, per kind (`every: false`) or over every
/// kind (`kind: ""`).
fn platform_pipeline(filter: Document, every: bool) -> Vec<Document> {
    let kind = if every {
        Bson::String(String::new())
    } else {
        Bson::String("$kind".into())
    };
    vec![
        doc! { "$match": filter },
        doc! { "$group": {
            "_id": { "day": "$utcDay", "kind": kind, "user": "$user" },
            "count": { "$sum": 1 },
            "successes": flag("success"),
        } },
        doc! { "$group": {
            "_id": { "day": "$_id.day", "kind": "$_id.kind" },
            "count": { "$sum": "$count" },
            "users": { "$sum": 1 },
            "successes": { "$sum": "$successes" },
        } },
        doc! { "$set": { "day": "$_id.day", "kind": "$_id.kind" } },
    ]
}

/// Each day's top contributors among the events `filter` selects.
fn contributor_pipeline(mut filter: Document) -> Vec<Document> {
    let kinds: Vec<&str> = EventKind::ALL
        .into_iter()
        .filter(|k| k.contributes())
        .map(EventKind::as_str)
        .collect();
    filter.insert("kind", doc! { "$in": kinds });
    vec![
        doc! { "$match": filter },
        doc! { "$group": { "_id": { "day": "$utcDay", "user": "$user" }, "n": { "$sum": 1 } } },
        doc! { "$group": {
            "_id": "$_id.day",
            "top": { "$topN": {
                "n": n(TOP_CONTRIBUTORS as u64),
                "sortBy": { "n": -1, "_id.user": 1 },
                "output": { "user": "$_id.user", "n": "$n" },
            } },
        } },
        doc! { "$unwind": "$top" },
        doc! { "$project": {
            "_id": 0,
            "day": "$_id",
            "user": "$top.user",
            "contributions": "$top.n",
        } },
    ]
}

/// The stages that write a pipeline's rows into `collection`, replacing the rows with the same
/// `key` (its unique index). The rows' `_id` (the grouping key) is dropped: a replaced row
/// keeps its own, a new one gets an ObjectId.
fn merge_into(collection: &str, key: &[&str]) -> [Document; 2] {
    [
        doc! { "$unset": "_id" },
        doc! { "$merge": {
            "into": collection, "on": key, "whenMatched": "replace", "whenNotMatched": "insert",
        } },
    ]
}

fn number(d: &Document, key: &str) -> Result<f64, StoreError> {
    match d.get(key) {
        Some(Bson::Double(v)) => Ok(*v),
        Some(Bson::Int32(v)) => Ok(f64::from(*v)),
        Some(Bson::Int64(v)) => Ok(*v as f64),
        other => Err(corrupt(key, format!("{other:?}"))),
    }
}

fn maybe_number(d: &Document, key: &str) -> Result<Option<f64>, StoreError> {
    match d.get(key) {
        None | Some(Bson::Null) => Ok(None),
        Some(_) => number(d, key).map(Some),
    }
}

fn date_of(d: &Document, key: &str) -> Result<NaiveDate, StoreError> {
    text_of(d, key)?.parse().map_err(|e| corrupt(key, e))
}

fn kind_of(d: &Document) -> Result<EventKind, StoreError> {
    let k = text_of(d, "kind")?;
    EventKind::parse(&k).ok_or_else(|| corrupt("kind", &k))
}

fn user_of(d: &Document) -> Result<SubjectId, StoreError> {
    id_of(d, "user", SubjectId::from_bytes)
}

fn user_day(d: &Document) -> Result<UserDay, StoreError> {
    Ok(UserDay {
        user: user_of(d)?,
        day: date_of(d, "day")?,
        kind: kind_of(d)?,
        category: text_of(d, "category")?,
        count: count(d.get("count")),
        successes: count(d.get("successes")),
        firsts: count(d.get("firsts")),
        score_sum: number(d, "scoreSum")?,
        score_min: maybe_number(d, "scoreMin")?,
        score_max: maybe_number(d, "scoreMax")?,
        minutes: number(d, "minutes")?,
        xp: count(d.get("xp")),
        ranges: [
            count(d.get("r0")),
            count(d.get("r1")),
            count(d.get("r2")),
            count(d.get("r3")),
            count(d.get("r4")),
        ],
    })
}

fn skill_day(d: &Document) -> Result<SkillDay, StoreError> {
    Ok(SkillDay {
        user: user_of(d)?,
        day: date_of(d, "day")?,
        skill: text_of(d, "skill")?,
        attempts: count(d.get("attempts")),
        solved: count(d.get("solved")),
        xp: count(d.get("xp")),
    })
}

fn platform_day(d: &Document) -> Result<PlatformDay, StoreError> {
    let k = text_of(d, "kind")?;
    Ok(PlatformDay {
        day: date_of(d, "day")?,
        kind: if k.is_empty() {
            None
        } else {
            Some(EventKind::parse(&k).ok_or_else(|| corrupt("kind", &k))?)
        },
        count: count(d.get("count")),
        users: count(d.get("users")),
        successes: count(d.get("successes")),
    })
}

fn contributor(d: &Document) -> Result<Contributor, StoreError> {
    Ok(Contributor {
        day: date_of(d, "day")?,
        user: user_of(d)?,
        contributions: count(d.get("contributions")),
    })
}

fn all<T>(
    docs: &[Document],
    f: fn(&Document) -> Result<T, StoreError>,
) -> Result<Vec<T>, StoreError> {
    docs.iter().map(f).collect()
}

fn event_doc(e: &Event) -> Document {
    doc! {
        "_id": oid(e.id.bytes()),
        "user": oid(e.user.bytes()),
        "at": time(e.at),
        "day": day_text(e.day),
        "utcDay": day_text(e.utc_day),
        "kind": e.kind.as_str(),
        "category": &e.category,
        "target": e.target.clone(),
        "score": e.score,
        "success": e.success,
        "first": e.first,
        "xp": n(e.xp),
        "minutes": e.minutes,
        "skills": &e.skills,
    }
}

/// Whether every failure of an insert is a duplicate key (an event stored before).
fn only_duplicates(err: &mongodb::error::Error) -> bool {
    match err.kind.as_ref() {
        ErrorKind::InsertMany(failure) => {
            failure.write_concern_error.is_none()
                && failure
                    .write_errors
                    .as_ref()
                    .is_some_and(|w| w.iter().all(|e| e.code == 11000))
        }
        ErrorKind::Write(WriteFailure::WriteError(e)) => e.code == 11000,
        _ => false,
    }
}

fn is_duplicate(err: &mongodb::error::Error) -> bool {
    match err.kind.as_ref() {
        ErrorKind::Write(WriteFailure::WriteError(e)) => e.code == 11000,
        ErrorKind::Command(c) => c.code == 11000,
        _ => false,
    }
}

#[async_trait]
impl EventStore for MongoEvents {
    async fn append(&self, events: &[Event]) -> Result<(), StoreError> {
        if events.is_empty() {
            return Ok(());
        }
        let docs: Vec<Document> = events.iter().map(event_doc).collect();
        let unordered = InsertManyOptions::builder().ordered(false).build();
        match self.events.insert_many(docs).with_options(unordered).await {
            Ok(_) => Ok(()),
            Err(e) if only_duplicates(&e) => Ok(()),
            Err(e) => Err(store_error(e)),
        }
    }

    async fn first_day(&self) -> Result<Option<NaiveDate>, StoreError> {
        let mut first: Option<NaiveDate> = None;
        for field in ["day", "utcDay"] {
            let found = self
                .events
                .find_one(doc! {})
                .sort(doc! { field: 1 })
                .projection(doc! { field: 1 })
                .await
                .map_err(store_error)?;
            if let Some(d) = found {
                let day = date_of(&d, field)?;
                first = Some(first.map_or(day, |f| f.min(day)));
            }
        }
        Ok(first)
    }

    async fn aggregate(&self, day: NaiveDate) -> Result<(), StoreError> {
        // Events are only ever added, so a day's rows can only gain keys: merging (replace when
        // matched) makes a run over a half-written day complete it. Top contributors can change
        // members, so the day's are removed first.
        let local = doc! { "day": day_text(day) };
        let utc = doc! { "utcDay": day_text(day) };
        let mut runs = vec![
            (user_pipeline(local.clone()), USER_DAYS, &USER_KEY[..]),
            (skill_pipeline(local), SKILL_DAYS, &SKILL_KEY[..]),
            (
                platform_pipeline(utc.clone(), false),
                PLATFORM_DAYS,
                &PLATFORM_KEY[..],
            ),
            (
                platform_pipeline(utc.clone(), true),
                PLATFORM_DAYS,
                &PLATFORM_KEY[..],
            ),
        ];
        self.db
            .collection::<Document>(CONTRIBUTORS)
            .delete_many(doc! { "day": day_text(day) })
            .await
            .map_err(store_error)?;
        runs.push((
            contributor_pipeline(utc),
            CONTRIBUTORS,
            &CONTRIBUTOR_KEY[..],
        ));
        for (mut pipeline, into, key) in runs {
            pipeline.extend(merge_into(into, key));
            self.run(EVENTS, pipeline).await?;
        }
        Ok(())
    }

    async fn user_rollup(
        &self,
        users: &[SubjectId],
        days: DayRange,
        source: Source,
    ) -> Result<UserRollup, StoreError> {
        if users.is_empty() {
            return Ok(UserRollup::default());
        }
        let ids: Vec<ObjectId> = users.iter().map(|u| oid(u.bytes())).collect();
        let filter = doc! { "user": { "$in": ids }, "day": between(days) };
        let (rows, skills) = match source {
            Source::Live => (
                self.run(EVENTS, user_pipeline(filter.clone())).await?,
                self.run(EVENTS, skill_pipeline(filter)).await?,
            ),
            Source::Stored => (
                self.find(USER_DAYS, filter.clone()).await?,
                self.find(SKILL_DAYS, filter).await?,
            ),
        };
        let mut out = UserRollup {
            days: all(&rows, user_day)?,
            skills: all(&skills, skill_day)?,
        };
        out.sort();
        Ok(out)
    }

    async fn platform_rollup(
        &self,
        days: DayRange,
        source: Source,
    ) -> Result<PlatformRollup, StoreError> {
        let (rows, contributors) = match source {
            Source::Live => {
                let utc = doc! { "utcDay": between(days) };
                let mut rows = self
                    .run(EVENTS, platform_pipeline(utc.clone(), false))
                    .await?;
                rows.extend(
                    self.run(EVENTS, platform_pipeline(utc.clone(), true))
                        .await?,
                );
                (rows, self.run(EVENTS, contributor_pipeline(utc)).await?)
            }
            Source::Stored => {
                let filter = doc! { "day": between(days) };
                (
                    self.find(PLATFORM_DAYS, filter.clone()).await?,
                    self.find(CONTRIBUTORS, filter).await?,
                )
            }
        };
        let mut out = PlatformRollup {
            days: all(&rows, platform_day)?,
            contributors: all(&contributors, contributor)?,
        };
        out.sort();
        Ok(out)
    }

    async fn active_days(
        &self,
        days: DayRange,
        stored_through: Option<NaiveDate>,
    ) -> Result<Vec<ActiveDay>, StoreError> {
        let pairs = |range: DayRange| {
            vec![
                doc! { "$match": { "day": between(range) } },
                doc! { "$group": {
                    "_id": { "user": "$user", "day": "$day" },
                    "signedUp": { "$max": { "$eq": ["$kind", EventKind::SignedUp.as_str()] } },
                } },
                doc! { "$set": { "user": "$_id.user", "day": "$_id.day" } },
            ]
        };
        let mut docs = Vec::new();
        if let Some(stored) = days.through(stored_through) {
            docs.extend(self.run(USER_DAYS, pairs(stored)).await?);
        }
        if let Some(live) = days.after(stored_through) {
            docs.extend(self.run(EVENTS, pairs(live)).await?);
        }
        let pairs = docs
            .iter()
            .map(|d| {
                let signed_up = d.get_bool("signedUp").map_err(|e| corrupt("signedUp", e))?;
                Ok((user_of(d)?, date_of(d, "day")?, signed_up))
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(merge_active(pairs))
    }

    async fn targets(
        &self,
        kinds: &[EventKind],
        days: DayRange,
    ) -> Result<Vec<TargetFigures>, StoreError> {
        let kinds: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
        let pipeline = vec![
            doc! { "$match": {
                "utcDay": between(days),
                "kind": { "$in": kinds },
                "target": { "$type": "string" },
            } },
            doc! { "$group": {
                "_id": { "target": "$target", "kind": "$kind", "user": "$user" },
                "count": { "$sum": 1 },
                "successes": flag("success"),
                "scoreSum": { "$sum": "$score" },
                "minutes": { "$sum": "$minutes" },
            } },
            doc! { "$group": {
                "_id": { "target": "$_id.target", "kind": "$_id.kind" },
                "count": { "$sum": "$count" },
                "users": { "$sum": 1 },
                "successes": { "$sum": "$successes" },
                "scoreSum": { "$sum": "$scoreSum" },
                "minutes": { "$sum": "$minutes" },
            } },
            doc! { "$set": { "target": "$_id.target", "kind": "$_id.kind" } },
        ];
        let docs = self.run(EVENTS, pipeline).await?;
        let mut out = docs
            .iter()
            .map(|d| {
                Ok(TargetFigures {
                    target: text_of(d, "target")?,
                    kind: kind_of(d)?,
                    count: count(d.get("count")),
                    users: count(d.get("users")),
                    successes: count(d.get("successes")),
                    score_sum: number(d, "scoreSum")?,
                    minutes: number(d, "minutes")?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        sort_targets(&mut out);
        Ok(out)
    }
}

#[async_trait]
impl JobStore for MongoEvents {
    async fn watermark(&self, job: &str) -> Result<Option<NaiveDate>, StoreError> {
        let found = self
            .jobs
            .find_one(doc! { "_id": job })
            .await
            .map_err(store_error)?;
        match found.as_ref().and_then(|d| d.get("watermark")) {
            None | Some(Bson::Null) => Ok(None),
            Some(Bson::String(t)) => t.parse().map(Some).map_err(|e| corrupt("watermark", e)),
            Some(other) => Err(corrupt("watermark", other)),
        }
    }

    async fn set_watermark(
        &self,
        job: &str,
        holder: &str,
        day: Option<NaiveDate>,
    ) -> Result<bool, StoreError> {
        let done = self
            .jobs
            .update_one(
                doc! { "_id": job, "holder": holder },
                doc! { "$set": { "watermark": day.map(day_text) } },
            )
            .await
            .map_err(store_error)?;
        Ok(done.matched_count == 1)
    }

    async fn lease(
        &self,
        job: &str,
        holder: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        // Matches only a free, expired or own lease; when the job's document exists but is
        // held by another, the upsert's insert collides on `_id`: not ours.
        let taken = self
            .jobs
            .find_one_and_update(
                doc! { "_id": job, "$or": [
                    { "holder": null },
                    { "holder": holder },
                    { "leaseUntil": { "$lte": time(now) } },
                ] },
                doc! { "$set": { "holder": holder, "leaseUntil": time(until) } },
            )
            .upsert(true)
            .await;
        match taken {
            Ok(_) => Ok(true),
            Err(e) if is_duplicate(&e) => Ok(false),
            Err(e) => Err(store_error(e)),
        }
    }

    async fn release(&self, job: &str, holder: &str) -> Result<(), StoreError> {
        self.jobs
            .update_one(
                doc! { "_id": job, "holder": holder },
                doc! { "$set": { "holder": null, "leaseUntil": null } },
            )
            .await
            .map_err(store_error)?;
        Ok(())
    }
}
