//! Logging: pretty by default, JSON lines with `LOG_FORMAT=json`; level from `RUST_LOG`.

use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::EnvFilter;

/// Installs the global subscriber once, writing to standard output; later calls are ignored
/// (tests start many apps).
pub fn init(json: bool) {
    init_to(json, false);
}

/// The same, writing to standard error when `to_stderr` (commands whose output is data, such
/// as an export to standard output).
pub fn init_to(json: bool, to_stderr: bool) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,mongodb=warn"));
    let registry = tracing_subscriber::registry().with(filter);
    let result = if json {
        registry
            .with(
                tracing_subscriber::fmt::layer()
                    .with_writer(writer(to_stderr))
                    .json()
                    .with_current_span(true)
                    .with_span_list(false),
            )
            .try_init()
    } else {
        registry
            .with(
                tracing_subscriber::fmt::layer()
                    .with_writer(writer(to_stderr))
                    .pretty()
                    .with_target(false),
            )
            .try_init()
    };
    // Already installed: keep the first.
    drop(result);
}

fn writer(to_stderr: bool) -> tracing_subscriber::fmt::writer::BoxMakeWriter {
    if to_stderr {
        tracing_subscriber::fmt::writer::BoxMakeWriter::new(std::io::stderr)
    } else {
        tracing_subscriber::fmt::writer::BoxMakeWriter::new(std::io::stdout)
    }
}
