//! `stackrush-api`: serve the API, or administer it from the command line.

use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use stackrush_api::catalogue::ImportFailure;
use stackrush_api::{startup, telemetry, Application, Settings};
use stackrush_challenges::{ImportAction, ImportOptions, ImportProgress};
use stackrush_identity::RegisterCommand;

#[derive(Parser)]
#[command(name = "stackrush-api", version, about = "The StackRush REST API")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API (the default).
    Serve,
    /// Load the starter catalogue (idempotent).
    Seed,
    /// Administrative tasks.
    Admin {
        #[command(subcommand)]
        action: AdminAction,
    },
    /// The challenge catalogue as files.
    Challenges {
        #[command(subcommand)]
        action: ChallengesAction,
    },
    /// The analytics pipeline.
    Analytics {
        #[command(subcommand)]
        action: AnalyticsAction,
    },
}

#[derive(Subcommand)]
enum AnalyticsAction {
    /// Recompute the daily rollups from the event store, from this day (YYYY-MM-DD) through the
    /// last day that is over everywhere; waits for no running job (it takes the job's lease).
    Rebuild {
        #[arg(long)]
        from: chrono::NaiveDate,
    },
}

#[derive(Subcommand)]
enum ChallengesAction {
    /// Write the catalogue — solutions and hidden tests included — as a catalogue file
    /// (`{"challenges": [...]}`, in creation order), the shape `import` and `POST /challenges` read.
    Export {
        /// Write here instead of standard output (replaced whole, never half-written).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Only this author's challenges (a username or a user id).
        #[arg(long)]
        author: Option<String>,
        /// Only challenges of this type (dsa, bug-fix or feature).
        #[arg(long = "type")]
        kind: Option<String>,
    },
    /// Create the file's new challenges; existing ones (matched by slug) are skipped and listed,
    /// or replaced with --update. Every item is checked before anything is written.
    Import {
        file: PathBuf,
        /// Check and report what would happen; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Replace existing challenges instead of skipping them.
        #[arg(long)]
        update: bool,
    },
}

#[derive(Subcommand)]
enum AdminAction {
    /// Create an admin account; the password is read from the first line of standard input.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        username: String,
        /// Read the password from standard input (required: passwords never go on the command line).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
}

#[actix_web::main]
async fn main() -> ExitCode {
    // A .env file is a development convenience; real environments set variables.
    let _ = dotenvy::dotenv();
    let cli = Cli::parse();
    let settings = match Settings::from_env() {
        Ok(settings) => settings,
        Err(err) => {
            eprintln!("configuration error: {err}");
            return ExitCode::from(2);
        }
    };
    // Commands that print data keep standard output for it.
    let data_out = matches!(cli.command, Some(Command::Challenges { .. }));
    telemetry::init_to(settings.log_json, data_out);
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(settings).await,
        Command::Seed => seed(settings).await,
        Command::Admin {
            action:
                AdminAction::Create {
                    email,
                    username,
                    password_stdin: _,
                },
        } => create_admin(settings, email, username).await,
        Command::Challenges {
            action: ChallengesAction::Export { out, author, kind },
        } => export(settings, out, author, kind).await,
        Command::Challenges {
            action:
                ChallengesAction::Import {
                    file,
                    dry_run,
                    update,
                },
        } => import(settings, file, ImportOptions { dry_run, update }).await,
        Command::Analytics {
            action: AnalyticsAction::Rebuild { from },
        } => rebuild(settings, from).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!(error = %format!("{err:#}"), "stopped with an error");
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(settings: Settings) -> anyhow::Result<()> {
    let app = Application::build(settings).await?;
    app.run_until_stopped().await?;
    tracing::info!("stopped");
    Ok(())
}

async fn seed(settings: Settings) -> anyhow::Result<()> {
    let contexts = startup::open(&settings).await?;
    let report = stackrush_api::seed::run(
        contexts.identity.as_ref(),
        contexts.challenges.as_ref(),
        contexts.scoring.as_ref(),
    )
    .await?;
    println!(
        "seed: {} challenges created, {} already present; {} achievements added",
        report.created, report.existing, report.achievements
    );
    Ok(())
}

async fn create_admin(settings: Settings, email: String, username: String) -> anyhow::Result<()> {
    let mut password = String::new();
    std::io::stdin().lock().read_line(&mut password)?;
    let password = password.trim_end_matches(['\r', '\n']).to_owned();
    let identity = startup::open(&settings).await?.identity;
    let user = identity
        .create_admin(RegisterCommand {
            email,
            username,
            password,
            first_name: None,
            last_name: None,
        })
        .await
        .map_err(|e| match e {
            stackrush_identity::IdentityError::Validation(details) => anyhow::anyhow!(
                "invalid input: {}",
                details
                    .iter()
                    .map(|d| format!("{} {}", d.field, d.message))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            other => anyhow::anyhow!("{other}"),
        })?;
    println!("created admin {} ({})", user.username, user.id);
    Ok(())
}

async fn export(
    settings: Settings,
    out: Option<PathBuf>,
    author: Option<String>,
    kind: Option<String>,
) -> anyhow::Result<()> {
    let contexts = startup::open(&settings).await?;
    let text = stackrush_api::catalogue::export(
        contexts.identity.as_ref(),
        contexts.challenges.as_ref(),
        author.as_deref(),
        kind.as_deref(),
    )
    .await?;
    match out {
        None => std::io::stdout().lock().write_all(text.as_bytes())?,
        Some(path) => {
            // Written beside the target and renamed over it: a reader never sees half a file.
            let mut partial = path.clone().into_os_string();
            partial.push(".partial");
            std::fs::write(&partial, &text)?;
            std::fs::rename(&partial, &path)?;
            eprintln!("exported the catalogue to {}", path.display());
        }
    }
    Ok(())
}

/// A progress bar on standard error (drawn only on a terminal).
struct Bar(indicatif::ProgressBar);

impl ImportProgress for Bar {
    fn advanced(&self, done: usize, total: usize) {
        self.0.set_length(total as u64);
        self.0.set_position(done as u64);
    }
}

async fn import(settings: Settings, file: PathBuf, options: ImportOptions) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(&file)
        .map_err(|e| anyhow::anyhow!("reading {}: {e}", file.display()))?;
    let contexts = startup::open(&settings).await?;
    let bar = indicatif::ProgressBar::new(0).with_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} challenges written")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let result = stackrush_api::catalogue::import(
        contexts.identity.as_ref(),
        contexts.challenges.as_ref(),
        &text,
        options,
        Arc::new(Bar(bar.clone())),
    )
    .await;
    bar.finish_and_clear();
    let report = match result {
        Ok(report) => report,
        Err(ImportFailure::Problems(problems)) => {
            for (field, message) in &problems {
                eprintln!("{field}: {message}");
            }
            anyhow::bail!(
                "{} problem(s) in {}; nothing was written",
                problems.len(),
                file.display()
            );
        }
        Err(other) => return Err(other.into()),
    };
    for entry in report
        .entries
        .iter()
        .filter(|e| e.action == ImportAction::Skip)
    {
        println!("skipped (exists): {}", entry.slug);
    }
    let (create, update, skip) = (
        report.count(ImportAction::Create),
        report.count(ImportAction::Update),
        report.count(ImportAction::Skip),
    );
    if report.dry_run {
        println!(
            "dry run, nothing written: {create} to create, {update} to update, {skip} to skip"
        );
    } else {
        println!("{create} created, {update} updated, {skip} skipped");
    }
    Ok(())
}

/// `analytics rebuild --from DAY`, with a progress bar of the days.
async fn rebuild(settings: Settings, from: chrono::NaiveDate) -> anyhow::Result<()> {
    use stackrush_analytics::job::{Aggregator, RunOutcome};
    let contexts = startup::open(&settings).await?;
    let holder = format!("rebuild-{}", std::process::id());
    let job = Aggregator::new(
        contexts.events.clone(),
        contexts.jobs.clone(),
        Arc::new(stackrush_kernel::SystemClock),
        holder,
    );
    let bar = indicatif::ProgressBar::new(0).with_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} days aggregated ({eta})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let shown = bar.clone();
    let outcome = job
        .rebuild(from, &mut move |done, total| {
            shown.set_length(total);
            shown.set_position(done);
        })
        .await;
    bar.finish_and_clear();
    match outcome.map_err(|e| anyhow::anyhow!("{e}: {e:?}"))? {
        RunOutcome::Elsewhere => {
            anyhow::bail!("the aggregation job is running elsewhere; try again when it is done")
        }
        RunOutcome::Ran { days, watermark } => {
            let through = watermark.map_or_else(|| "nothing".to_owned(), |d| d.to_string());
            println!("{} day(s) aggregated; closed through {through}", days.len());
        }
    }
    Ok(())
}
