//! Opening the configured store: the SQLite file or the MongoDB database every context's
//! adapters share, with every context's migrations (SQLite) and indexes (MongoDB). Which
//! adapters a context opens on it is the context's own wiring (`contexts/<context>/mod.rs`).

use std::sync::Arc;
use std::time::Duration;

use stackrush_kernel::Freshness;

use crate::settings::StoreSettings;

/// The open store the service runs on.
#[derive(Clone)]
pub enum Store {
    Sqlite(stackrush_store_sqlite::Db),
    Mongo(Mongo),
}

/// A MongoDB database and whether its indexes have been ensured since this process started.
#[derive(Clone)]
pub struct Mongo {
    pub db: mongodb::Database,
    prepared: Arc<std::sync::atomic::AtomicBool>,
}

impl Store {
    /// Connects (creating the SQLite file if needed) and applies migrations and indexes.
    pub async fn open(settings: &StoreSettings) -> anyhow::Result<Self> {
        let store = Self::connect(settings).await?;
        store.prepare().await?;
        store.mark_prepared();
        Ok(store)
    }

    /// Opens the store without waiting for a MongoDB server: a SQLite file is opened and migrated
    /// (its failures are fatal), a MongoDB client is only configured; [`Store::prepare`] then
    /// ensures its indexes once the server answers.
    pub async fn connect(settings: &StoreSettings) -> anyhow::Result<Self> {
        match settings {
            StoreSettings::Sqlite { path } => {
                let pool = stackrush_store_sqlite::open(path).await?;
                // Every context's migrations (each its own tables), one line a context.
                stackrush_identity_sqlite::migrate(&pool).await?;
                stackrush_challenges_sqlite::migrate(&pool).await?;
                stackrush_scoring_sqlite::migrate(&pool).await?;
                stackrush_notifications_sqlite::migrate(&pool).await?;
                stackrush_analytics_sqlite::migrate(&pool).await?;
                stackrush_community_sqlite::migrate(&pool).await?;
                stackrush_reviews_sqlite::migrate(&pool).await?;
                stackrush_templates_sqlite::migrate(&pool).await?;
                stackrush_learning_sqlite::migrate(&pool).await?;
                tracing::info!(path = %path.display(), "store: SQLite");
                Ok(Store::Sqlite(pool))
            }
            StoreSettings::Mongo { uri, database } => {
                let mut options = mongodb::options::ClientOptions::parse(uri).await?;
                // Bounded waits: an unreachable server becomes a 503, not a hung request.
                options.server_selection_timeout = Some(Duration::from_secs(5));
                options.connect_timeout = Some(Duration::from_secs(5));
                options.app_name = Some("stackrush-api".to_owned());
                let client = mongodb::Client::with_options(options)?;
                tracing::info!(database = %database, "store: MongoDB");
                Ok(Store::Mongo(Mongo {
                    db: client.database(database),
                    prepared: Arc::default(),
                }))
            }
        }
    }

    /// Ensures MongoDB's indexes (SQLite's migrations ran at connect); fails while the server
    /// is unreachable. The caller then does its own start-up writes (the admin account) and
    /// [`Store::mark_prepared`]: requests are refused until then.
    pub async fn prepare(&self) -> anyhow::Result<()> {
        let Store::Mongo(mongo) = self else {
            return Ok(());
        };
        let db = &mongo.db;
        // Every context's indexes (each its own collections), one line a context.
        stackrush_identity_mongo::ensure_indexes(db).await?;
        stackrush_challenges_mongo::ensure_indexes(db).await?;
        stackrush_scoring_mongo::ensure_indexes(db).await?;
        stackrush_notifications_mongo::ensure_indexes(db).await?;
        stackrush_analytics_mongo::ensure_indexes(db).await?;
        stackrush_community_mongo::ensure_indexes(db).await?;
        stackrush_reviews_mongo::ensure_indexes(db).await?;
        stackrush_templates_mongo::ensure_indexes(db).await?;
        stackrush_learning_mongo::ensure_indexes(db).await?;
        Ok(())
    }

    /// Opens the store to requests: its schema and the start-up writes are in place.
    pub fn mark_prepared(&self) {
        if let Store::Mongo(mongo) = self {
            mongo
                .prepared
                .store(true, std::sync::atomic::Ordering::Release);
        }
    }

    /// Whether the store's schema and start-up writes are in place (always for SQLite, migrated
    /// before the server binds; for MongoDB once [`Store::mark_prepared`] was called). Requests
    /// are refused with 503 and `/ready` answers 503 until it is.
    pub fn is_prepared(&self) -> bool {
        match self {
            Store::Sqlite(_) => true,
            Store::Mongo(mongo) => mongo.prepared.load(std::sync::atomic::Ordering::Acquire),
        }
    }

    /// How long contexts may trust their memory of reads: a SQLite file is served by one process
    /// (see [`ServerLock`]), so only this process's writes (which forget) change it; MongoDB may
    /// be shared by several instances.
    pub fn freshness(&self) -> Freshness {
        match self {
            Store::Sqlite(_) => Freshness::Exclusive,
            Store::Mongo(_) => Freshness::default(),
        }
    }

    /// Short name for health output.
    pub fn kind(&self) -> &'static str {
        match self {
            Store::Sqlite(_) => "sqlite",
            Store::Mongo(_) => "mongodb",
        }
    }

    /// Whether the store answers within a couple of seconds.
    pub async fn ping(&self) -> anyhow::Result<()> {
        let check = async {
            match self {
                Store::Sqlite(pool) => stackrush_store_sqlite::ping(pool).await,
                Store::Mongo(_) if !self.is_prepared() => {
                    Err(anyhow::anyhow!("indexes not ensured yet"))
                }
                Store::Mongo(mongo) => Ok(stackrush_store_mongo::ping(&mongo.db).await?),
            }
        };
        tokio::time::timeout(Duration::from_secs(2), check)
            .await
            .map_err(|_| anyhow::anyhow!("store ping timed out"))?
    }
}

/// The one server allowed on a SQLite file: an exclusive lock on `<file>.serve.lock`, held for the
/// server's life and released by the OS when the process ends, however it ends. Command-line tasks
/// (seed, admin) do not take it; they only add rows no server remembers.
#[derive(Debug)]
pub struct ServerLock {
    _file: Option<std::fs::File>,
}

impl ServerLock {
    /// Takes the lock for a SQLite store (MongoDB needs none); fails if another server holds it.
    pub fn acquire(settings: &StoreSettings) -> anyhow::Result<Self> {
        let StoreSettings::Sqlite { path } = settings else {
            return Ok(Self { _file: None });
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let mut name = path.as_os_str().to_owned();
        name.push(".serve.lock");
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&name)?;
        match file.try_lock() {
            Ok(()) => Ok(Self { _file: Some(file) }),
            Err(std::fs::TryLockError::WouldBlock) => Err(anyhow::anyhow!(
                "another StackRush server is using {} (one server per SQLite file; use MongoDB to run several)",
                path.display()
            )),
            Err(std::fs::TryLockError::Error(e)) => Err(e.into()),
        }
    }
}
