//! The bounded contexts the service runs, in one list. Each context's folder holds its wiring
//! (store ports, service, the adapters of other contexts it needs), its routes, DTOs and error
//! mapping; this file only says which contexts exist, in which order they are built (a context
//! is built after those it depends on) and mounts their routes.

pub mod analytics;
pub mod challenges;
pub mod community;
pub mod files;
pub mod identity;
pub mod learning;
pub mod notifications;
pub mod reviews;
pub mod scoring;
pub mod templates;

use std::sync::Arc;

use apistos::web::ServiceConfig;
use stackrush_analytics::{AnalyticsApi, DashboardApi};
use stackrush_challenges::ChallengeApi;
use stackrush_community::CommunityApi;
use stackrush_files::FileStore;
use stackrush_identity::{AvatarApi, IdentityApi};
use stackrush_learning::LearningApi;
use stackrush_notifications::NotificationApi;
use stackrush_scoring::ScoringApi;

use crate::settings::Settings;
use crate::store::Store;

/// The open store and every context's inbound port, as the server and the CLI need them.
#[derive(Clone)]
pub struct Contexts {
    pub store: Store,
    pub files: Arc<dyn FileStore>,
    pub identity: Arc<dyn IdentityApi>,
    pub avatars: Arc<dyn AvatarApi>,
    pub challenges: Arc<dyn ChallengeApi>,
    pub scoring: Arc<dyn ScoringApi>,
    pub notifications: Arc<dyn NotificationApi>,
    pub analytics: Arc<dyn AnalyticsApi>,
    pub dashboard: Arc<dyn DashboardApi>,
    pub audit: Arc<dyn stackrush_analytics::AuditApi>,
    pub community: Arc<dyn CommunityApi>,
    pub reviews: reviews::Reviews,
    pub templates: templates::Templates,
    pub learning: Arc<dyn LearningApi>,
    pub insights: Arc<dyn stackrush_analytics::InsightsApi>,
    /// The queue between the contexts and the event store (flushed on a graceful stop).
    pub activity: Arc<analytics::pipeline::ActivityQueue>,
    pub events: Arc<dyn stackrush_analytics::ports::EventStore>,
    pub jobs: Arc<dyn stackrush_analytics::ports::JobStore>,
    /// What the weekly summary job reads and where it queues.
    pub digests: stackrush_analytics::DigestPorts,
}

impl Contexts {
    /// Every context on `store`, each after the contexts it depends on.
    pub fn wire(store: Store, settings: &Settings) -> anyhow::Result<Self> {
        let files = files::store(settings)?;
        let public_files = Arc::new(files::PublicFiles::new(files.clone(), &settings.public_url));
        let (events, jobs) = analytics::event_stores(&store);
        let zones = Arc::new(analytics::pipeline::ZoneLink::default());
        let activity = analytics::pipeline::ActivityQueue::start(events.clone(), zones.clone());
        let links = Arc::new(identity::ContextLinks::default());
        let identity = identity::wire(&store, settings, links.clone(), activity.clone())?;
        zones.bind(identity.clone());
        let avatars = identity::wire_avatars(&store, public_files.clone());
        let reviews_link = Arc::new(challenges::ReviewsLink::default());
        let challenges = challenges::wire(&store, identity.clone(), reviews_link.clone());
        let notifications = notifications::wire(
            &store,
            identity.clone(),
            identity::mailer(settings)?,
            &settings.public_url,
        );
        let learning_link = Arc::new(scoring::adapters::LearningLink::default());
        let scoring = scoring::wire(
            &store,
            identity.clone(),
            challenges.clone(),
            notifications.clone(),
            learning_link.clone(),
            activity.clone(),
        );
        links.bind_scoring(scoring.clone());
        let analytics = analytics::wire(&store, scoring.clone());
        let dashboard = analytics::wire_dashboard(&store, identity.clone(), scoring.clone());
        let audit = analytics::wire_audit(&store);
        let community = community::wire(
            &store,
            identity.clone(),
            challenges.clone(),
            notifications.clone(),
            activity.clone(),
        );
        links.bind_community(community.clone());
        let reviews = reviews::wire(
            &store,
            identity.clone(),
            challenges.clone(),
            scoring.clone(),
            notifications.clone(),
        );
        reviews_link.bind(reviews.reviews.clone());
        let templates = templates::wire(&store, identity.clone(), public_files, activity.clone());
        let certificate_key = crate::secrets::certificate_key(settings)?;
        let learning = learning::wire(
            &store,
            learning::Neighbours {
                identity: identity.clone(),
                challenges: challenges.clone(),
                scoring: scoring.clone(),
                notifications: notifications.clone(),
                files: files.clone(),
                activity: activity.clone(),
            },
            certificate_key.expose(),
            &settings.public_url,
        )?;
        learning_link.bind(learning.clone());
        let insights = analytics::wire_insights(
            events.clone(),
            jobs.clone(),
            identity.clone(),
            challenges.clone(),
            templates.templates.clone(),
        );
        let digests = analytics::digest_ports(
            events.clone(),
            jobs.clone(),
            identity.clone(),
            scoring.clone(),
            learning.clone(),
            notifications.clone(),
        );
        Ok(Self {
            store,
            files,
            identity,
            avatars,
            challenges,
            scoring,
            notifications,
            analytics,
            dashboard,
            audit,
            community,
            reviews,
            templates,
            learning,
            insights,
            activity,
            events,
            jobs,
            digests,
        })
    }

    /// Every context's ports and routes, mounted under the API's base path.
    pub fn configure(&self, cfg: &mut ServiceConfig) {
        files::mount(cfg, self.files.clone());
        identity::mount(cfg, self.identity.clone());
        identity::mount_avatars(cfg, self.avatars.clone());
        challenges::mount(cfg, self.challenges.clone());
        scoring::mount(cfg, self.scoring.clone());
        notifications::mount(cfg, self.notifications.clone());
        analytics::mount(
            cfg,
            self.analytics.clone(),
            self.dashboard.clone(),
            self.audit.clone(),
            self.insights.clone(),
        );
        community::mount(cfg, self.community.clone());
        reviews::mount(cfg, &self.reviews);
        templates::mount(cfg, &self.templates);
        learning::mount(cfg, self.learning.clone());
        // Last: paths that take any segment after a prefix other contexts also serve literal
        // paths under (`/users/{id}` after `/users/leaderboard`, `/users/dashboard`, …).
        identity::mount_by_id(cfg);
    }
}
