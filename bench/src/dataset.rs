//! What every dataset generator shares: a migrated SQLite file with a template account, rows of
//! users copied from it in bulk, a progress bar, and access tokens for those users.

use chrono::Utc;
use indicatif::{ProgressBar, ProgressStyle};
use sqlx::{Sqlite, SqlitePool, Transaction};
use stackrush_api::settings::StoreSettings;
use stackrush_api::store::Store;
use stackrush_identity::ports::UserRepository;
use stackrush_identity::tokens::AccessTokenCodec;
use stackrush_identity::{Preferences, Profile, Role, Social, Stats, User, UserId};

/// The numbers `?1..=?2` as rows `n(i)`, to generate from in SQL.
pub const SERIES: &str =
    "WITH RECURSIVE n(i) AS (SELECT ?1 UNION ALL SELECT i + 1 FROM n WHERE i < ?2)";

/// The id of the account every generated user is copied from.
const TEMPLATE: &str = "ffffffffffffffffffffffff";

fn template_user() -> anyhow::Result<User> {
    let now = Utc::now();
    Ok(User {
        id: TEMPLATE.parse()?,
        email: "template@bench.test".into(),
        username: "template".into(),
        password_hash: "$2b$04$benchbenchbenchbenchbeOj6p4xP8c2wq0s1cYl7S1y0lJcP1l2e".into(),
        profile: Profile {
            first_name: Some("Bench".into()),
            ..Profile::default()
        },
        stats: Stats::default(),
        social: Social::default(),
        preferences: Preferences::default(),
        roles: vec![Role::User],
        is_active: true,
        email_verified: true,
        token_version: 0,
        deleted_at: None,
        created_at: now,
        updated_at: now,
    })
}

/// The generated user number `n` (1-based): its id.
pub fn user_id(n: u64) -> Option<UserId> {
    format!("{n:024x}").parse().ok()
}

/// A new dataset file at `path`, migrated, holding the template account; its writer (the
/// generators only write).
pub async fn create(path: &std::path::Path) -> anyhow::Result<SqlitePool> {
    let store = Store::open(&StoreSettings::Sqlite {
        path: path.to_owned(),
    })
    .await?;
    let Store::Sqlite(pool) = store else {
        anyhow::bail!("expected SQLite");
    };
    stackrush_identity_sqlite::SqliteUsers::new(pool.clone())
        .insert(&template_user()?)
        .await?;
    Ok(pool.writes().clone())
}

/// A progress bar over `len` users.
pub fn progress(len: u64) -> anyhow::Result<ProgressBar> {
    let bar = ProgressBar::new(len);
    bar.set_style(ProgressStyle::with_template(
        "{msg} [{bar:40}] {pos}/{len} ({per_sec}, eta {eta})",
    )?);
    bar.set_message("generating");
    Ok(bar)
}

/// Users `from..=to` (ids from [`user_id`]), copies of the template account.
pub async fn insert_users(
    tx: &mut Transaction<'_, Sqlite>,
    from: u64,
    to: u64,
    now_ms: i64,
) -> anyhow::Result<()> {
    sqlx::query(&format!(
        "{SERIES} INSERT INTO users (id, email, username, username_key, password_hash, profile, \
           preferences, roles, is_active, email_verified, token_version, created_at, updated_at) \
         SELECT printf('%024x', i), 'u' || i || '@bench.test', 'user' || i, 'user' || i, \
           t.password_hash, t.profile, t.preferences, t.roles, 1, 1, 0, ?3, ?3 \
         FROM n, (SELECT * FROM users WHERE id = '{TEMPLATE}') AS t"
    ))
    .bind(i64::try_from(from)?)
    .bind(i64::try_from(to)?)
    .bind(now_ms)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Users `1..=count` (copies of the template account), 50,000 per transaction, with a
/// progress bar.
pub async fn insert_all_users(pool: &SqlitePool, count: u64, now_ms: i64) -> anyhow::Result<()> {
    const CHUNK: u64 = 50_000;
    let bar = progress(count)?;
    bar.set_message("users");
    let mut from = 1;
    while from <= count {
        let to = (from + CHUNK - 1).min(count);
        let mut tx = pool.begin().await?;
        insert_users(&mut tx, from, to, now_ms).await?;
        tx.commit().await?;
        bar.set_position(to);
        from = to + 1;
    }
    bar.finish();
    Ok(())
}

/// Access tokens for generated users, as the benchmarked app accepts them.
pub struct Tokens {
    codec: AccessTokenCodec,
    template: User,
}

impl Tokens {
    /// Tokens signed with [`crate::JWT_SECRET`].
    pub fn new() -> anyhow::Result<Self> {
        Ok(Self {
            codec: AccessTokenCodec::new(
                crate::JWT_SECRET.as_bytes(),
                "stackrush",
                "stackrush-web",
                chrono::Duration::hours(1),
            ),
            template: template_user()?,
        })
    }

    /// An access token of generated user number `n`.
    pub fn for_user(&self, n: u64) -> Option<String> {
        let mut user = self.template.clone();
        user.id = user_id(n)?;
        self.codec.issue(&user, Utc::now()).ok()
    }
}
