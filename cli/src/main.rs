//! `twinpipe`: the pipeline on your laptop. See `twinpipe --help` and the README.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use twinpipe::invoke::{Function, Target};

/// twinpipe: sensor readings in, curated Parquet and pipeline events out — locally or on AWS.
#[derive(Parser)]
#[command(version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Log level for diagnostics on stderr (error, warn, info, debug, trace); RUST_LOG overrides it.
    #[arg(long, global = true, default_value = "error")]
    log: String,
}

#[derive(Subcommand)]
enum Command {
    /// Simulate a fleet and push its readings through the real handlers on the local adapters.
    Demo(twinpipe::demo::DemoArgs),
    /// Run one handler on one event file and print its JSON response (like `sam local invoke`).
    Invoke {
        /// The function to run.
        #[arg(value_enum)]
        function: Function,
        /// The event as Lambda would receive it (e.g. a file from events/).
        event_file: PathBuf,
        #[command(flatten)]
        target: Target,
    },
    /// Fit a model on curated data, evaluate it on a held-out tail, store it in the model store.
    Train {
        #[command(subcommand)]
        command: twinpipe::train::TrainCommand,
    },
    /// The model store: list, show, approve, reject, roll back, register, stats.
    Model {
        #[command(subcommand)]
        command: twinpipe::model::ModelCommand,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(&cli.log);
    match run(cli.command).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Demo(args) => {
            twinpipe::demo::run(args).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Invoke { function, event_file, target } => {
            let outcome = twinpipe::invoke::invoke(function, &event_file, &target).await?;
            println!("{}", serde_json::to_string_pretty(&outcome.response)?);
            Ok(if outcome.failed { ExitCode::FAILURE } else { ExitCode::SUCCESS })
        }
        Command::Train { command } => twinpipe::train::run(command).await,
        Command::Model { command } => twinpipe::model::run(command).await,
    }
}

fn init_logging(level: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
}
