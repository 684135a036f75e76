//! `stackrush-api`: serve the API, or administer it from the command line.

use std::io::BufRead;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use stackrush_api::{startup, telemetry, Application, Settings};
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
    telemetry::init(settings.log_json);
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
