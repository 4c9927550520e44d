//! `madoguchi`: one binary for the whole front office.
//!
//! `madoguchi serve` with no options runs a ward on this machine: SQLite in `./data`, the
//! bundled catalog, http://127.0.0.1:8080. `madoguchi catalog check DIR` checks procedure files;
//! `madoguchi user add`, `madoguchi export` and `madoguchi audit verify` are the back office's
//! command-line side.

mod backoffice;
mod jp;

use anyhow::Context;
use clap::{Parser, Subcommand};
use madoguchi_app::{Config, Portal};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "madoguchi",
    version,
    about = "An online front office for Japanese local governments"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the resident portal and the API.
    Serve(ServeArgs),
    /// Work with procedure catalogs.
    Catalog {
        #[command(subcommand)]
        command: CatalogCommand,
    },
    /// Check Japanese resident data (和暦, 郵便番号, カナ, マイナンバー, 法人番号, 電話番号).
    Jp {
        #[command(subcommand)]
        command: jp::JpCommand,
    },
    /// Manage back-office accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Issue API tokens for business systems.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Export a procedure's applications for a business system.
    Export(backoffice::ExportArgs),
    /// Check the audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
}

/// Where the data is: shared by every command that opens it.
#[derive(clap::Args, Clone)]
struct StoreArgs {
    /// A TOML configuration file (see README); flags and environment variables override it.
    #[arg(long, env = "MADOGUCHI_CONFIG")]
    config: Option<PathBuf>,
    /// Folder for the SQLite database, attachments, outgoing mail and the secret key.
    #[arg(long, env = "MADOGUCHI_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// A catalog folder to serve instead of the bundled one.
    #[arg(long, env = "MADOGUCHI_CATALOG")]
    catalog: Option<PathBuf>,
    /// postgres://… to use PostgreSQL (default: SQLite in the data folder).
    #[arg(long, env = "DATABASE_URL")]
    database_url: Option<String>,
}

#[derive(clap::Args)]
struct ServeArgs {
    #[command(flatten)]
    store: StoreArgs,
    /// Address to listen on.
    #[arg(long, env = "MADOGUCHI_BIND")]
    bind: Option<String>,
    /// The address residents use (for links in mail; https:// enables secure cookies).
    #[arg(long, env = "MADOGUCHI_PUBLIC_URL")]
    public_url: Option<String>,
    /// Create demo staff accounts (printed at start) and sample applications.
    #[arg(long)]
    demo: bool,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a staff account. The password is read from MADOGUCHI_PASSWORD or standard input.
    Add(backoffice::UserAddArgs),
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Issue a department's token for the pull API and print it (shown only once).
    Issue(backoffice::TokenIssueArgs),
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Recompute the audit log's hash chain and hold it to the signed anchors; exit status 1 if
    /// any entry was changed or removed.
    Verify(AuditVerifyArgs),
}

#[derive(clap::Args)]
struct AuditVerifyArgs {
    #[command(flatten)]
    store: StoreArgs,
    /// An anchor file to check against (repeatable; default: the configured one).
    #[arg(long = "anchors")]
    anchors: Vec<PathBuf>,
}

#[derive(Subcommand)]
enum CatalogCommand {
    /// Check every procedure file of a catalog folder; prints file:line:column: problem.
    Check { dir: PathBuf },
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("MADOGUCHI_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .with_target(false)
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve(args) => serve(args),
        Command::Catalog {
            command: CatalogCommand::Check { dir },
        } => return check_catalog(&dir),
        Command::Jp { command } => return jp::run(command),
        Command::User {
            command: UserCommand::Add(args),
        } => backoffice::user_add(args),
        Command::Token {
            command: TokenCommand::Issue(args),
        } => backoffice::token_issue(args),
        Command::Export(args) => return backoffice::export(args),
        Command::Audit {
            command: AuditCommand::Verify(args),
        } => return backoffice::audit_verify(&args.store, &args.anchors),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn store_config(args: &StoreArgs) -> anyhow::Result<Config> {
    let mut config = match &args.config {
        Some(path) => Config::from_file(path).map_err(anyhow::Error::msg)?,
        None => Config::default(),
    };
    if let Some(v) = &args.data_dir {
        config.data_dir = v.clone();
    }
    if let Some(v) = &args.catalog {
        config.catalog_dir = Some(v.clone());
    }
    if let Some(v) = &args.database_url {
        config.database_url = Some(v.clone());
    }
    Ok(config)
}

fn config_from(args: ServeArgs) -> anyhow::Result<Config> {
    let mut config = store_config(&args.store)?;
    if let Some(v) = args.bind {
        if args.public_url.is_none() && config.public_url == Config::default().public_url {
            config.public_url = format!("http://{v}");
        }
        config.bind = v;
    }
    if let Some(v) = args.public_url {
        config.public_url = v;
    }
    Ok(config)
}

fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let demo = args.demo;
    let config = config_from(args)?;
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(async move {
        let bind = config.bind.clone();
        let portal = Portal::start(config).await?;
        if demo {
            backoffice::print_demo(&portal).await?;
        }
        let listener = tokio::net::TcpListener::bind(&bind)
            .await
            .with_context(|| format!("listening on {bind}"))?;
        tracing::info!(
            address = %listener.local_addr()?,
            database = portal.store.backend_name(),
            procedures = portal.catalog.procedures.len(),
            "madoguchi is serving on {}",
            portal.config.public_url
        );
        madoguchi_web::serve(portal, listener).await?;
        Ok(())
    })
}

fn check_catalog(dir: &std::path::Path) -> ExitCode {
    match madoguchi_app::catalog_source::from_dir(dir) {
        Ok(catalog) => {
            println!(
                "{}: {} procedures, {} life events, no problems",
                dir.display(),
                catalog.procedures.len(),
                catalog.events.len()
            );
            ExitCode::SUCCESS
        }
        Err(errors) => {
            for e in &errors {
                eprintln!("{}/{e}", dir.display());
            }
            eprintln!("{} problem(s)", errors.len());
            ExitCode::FAILURE
        }
    }
}
