//! The back office from the command line: `user add`, `export`, `audit verify`, and the demo
//! accounts `serve --demo` prints.

use crate::{StoreArgs, store_config};
use anyhow::Context;
use madoguchi_app::Portal;
use madoguchi_app::accounts::{Actor, NewAccount, Staff};
use madoguchi_app::audit::{AnchorProblem, AuditCheck};
use madoguchi_app::export::{ExportEncoding, ExportFormat, ExportOutcome};
use madoguchi_storage::AuditProblem;
use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct UserAddArgs {
    #[command(flatten)]
    store: StoreArgs,
    /// The login ID.
    #[arg(long)]
    login: String,
    /// The name shown in the back office.
    #[arg(long)]
    name: String,
    /// The department (its id in the catalog, e.g. kosekijumin); not for --admin or --counter.
    #[arg(long, required_unless_present_any = ["admin", "counter"])]
    department: Option<String>,
    /// An administrator: sees every department.
    #[arg(long, conflicts_with_all = ["department", "counter"])]
    admin: bool,
    /// Counter staff (書かない窓口): take visits at /counter; no department's inbox.
    #[arg(long, conflicts_with = "department")]
    counter: bool,
    /// May see whole 個人番号 (My Numbers).
    #[arg(long)]
    my_number_access: bool,
}

#[derive(clap::Args)]
pub struct TokenIssueArgs {
    #[command(flatten)]
    store: StoreArgs,
    /// The department whose applications the business system takes (its id in the catalog).
    #[arg(long)]
    department: String,
    /// A name for the token, as the back office lists it (the system that uses it).
    #[arg(long)]
    name: String,
}

#[derive(clap::Args)]
pub struct ExportArgs {
    #[command(flatten)]
    store: StoreArgs,
    /// The procedure id.
    #[arg(long)]
    procedure: String,
    #[arg(long, value_enum, default_value = "csv")]
    format: Format,
    /// CSV encoding: utf-8 (with BOM) or cp932 (Shift_JIS).
    #[arg(long, value_enum, default_value = "utf-8")]
    encoding: Encoding,
    /// Write whole 個人番号 instead of masked ones (recorded in the audit log).
    #[arg(long)]
    with_my_number: bool,
    /// The file to write; standard output without it.
    #[arg(long, short)]
    output: Option<PathBuf>,
}

#[derive(clap::ValueEnum, Clone, Copy)]
enum Format {
    Csv,
    Json,
}

#[derive(clap::ValueEnum, Clone, Copy)]
enum Encoding {
    #[value(name = "utf-8")]
    Utf8,
    Cp932,
}

fn with_portal<T>(
    store: &StoreArgs,
    f: impl AsyncFnOnce(Portal) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    let config = store_config(store)?;
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(async move {
        let portal = Portal::start(config).await?;
        let out = f(portal.clone()).await;
        portal.store.close().await;
        out
    })
}

pub fn user_add(args: UserAddArgs) -> anyhow::Result<()> {
    let password = match std::env::var("MADOGUCHI_PASSWORD") {
        Ok(p) => p,
        Err(_) => {
            eprint!("password (12 characters or more): ");
            std::io::stderr().flush().ok();
            let mut line = String::new();
            std::io::stdin().lock().read_line(&mut line)?;
            line.trim_end_matches(['\r', '\n']).to_owned()
        }
    };
    let account = NewAccount {
        login: args.login.clone(),
        display_name: args.name.clone(),
        department: args.department.clone(),
        admin: args.admin,
        counter: args.counter,
        my_number_access: args.my_number_access,
        password,
    };
    with_portal(&args.store, async |portal| {
        match portal.add_staff(&account).await {
            Ok(_) => {
                println!("created {}", account.login);
                Ok(())
            }
            Err(madoguchi_app::AppError::BadRequest(key)) => Err(anyhow::anyhow!(
                "{}",
                madoguchi_app::i18n::Tr::default().t(key)
            )),
            Err(e) => Err(e.into()),
        }
    })
}

/// Issues a business system's API token and prints it (it is shown only this once).
pub fn token_issue(args: TokenIssueArgs) -> anyhow::Result<()> {
    with_portal(&args.store, async |portal| {
        match portal
            .issue_token(
                &Staff::command_line(),
                &args.department,
                &args.name,
                "127.0.0.1",
            )
            .await
        {
            Ok(issued) => {
                println!("{}", issued.token);
                Ok(())
            }
            Err(madoguchi_app::AppError::BadRequest(key)) => Err(anyhow::anyhow!(
                "{}",
                madoguchi_app::i18n::Tr::default().t(key)
            )),
            Err(e) => Err(e.into()),
        }
    })
}

pub fn export(args: ExportArgs) -> ExitCode {
    let format = match args.format {
        Format::Csv => ExportFormat::Csv,
        Format::Json => ExportFormat::Json,
    };
    let encoding = match args.encoding {
        Encoding::Utf8 => ExportEncoding::Utf8Bom,
        Encoding::Cp932 => ExportEncoding::Cp932,
    };
    let actor = Actor {
        name: "cli".into(),
        scope: None,
        my_number_access: args.with_my_number,
    };
    // The file is written as it is read, a page of applications at a time.
    let outcome = with_portal(&args.store, async |portal| {
        let outcome = portal
            .export(&actor, &args.procedure, format, encoding, "cli")
            .await?;
        let mut file = match outcome {
            ExportOutcome::File(file) => file,
            ExportOutcome::Unmappable(problems) => return Ok(Some(problems)),
        };
        let mut out: Box<dyn Write> = match &args.output {
            Some(path) => Box::new(std::io::BufWriter::new(std::fs::File::create(path)?)),
            None => Box::new(std::io::stdout().lock()),
        };
        while let Some(chunk) = file.body.next_chunk().await? {
            out.write_all(&chunk)?;
        }
        out.flush()?;
        Ok(None)
    });
    match outcome {
        Ok(None) => ExitCode::SUCCESS,
        Ok(Some(problems)) => {
            eprintln!(
                "error: {} character(s) cannot be written in CP932; nothing was exported:",
                problems.len()
            );
            for p in &problems {
                eprintln!(
                    "  {} {}: 「{}」 ({}) at character {}",
                    p.receipt_number,
                    p.column,
                    p.character,
                    p.code_point(),
                    p.position
                );
            }
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

pub fn audit_verify(store: &StoreArgs, anchors: &[PathBuf]) -> ExitCode {
    let anchors = anchors.to_vec();
    match with_portal(store, async move |portal| {
        Ok(portal.verify_audit(&anchors).await?)
    }) {
        Ok(check) => {
            report_audit(&check);
            if check.is_intact() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn report_audit(check: &AuditCheck) {
    for problem in &check.chain.problems {
        match problem {
            AuditProblem::Altered { seq } => eprintln!("entry {seq} was changed"),
            AuditProblem::Missing { before } => {
                eprintln!("entries are missing before entry {before}")
            }
            AuditProblem::Truncated { written, found } => eprintln!(
                "the newest entries were removed: {written} written, the last one found is {found}"
            ),
        }
    }
    for problem in &check.problems {
        match problem {
            AnchorProblem::Unreadable { file, line } => {
                eprintln!("{}:{line}: not an anchor", file.display())
            }
            AnchorProblem::Forged { file, line } => eprintln!(
                "{}:{line}: the anchor's signature is wrong (not made with the audit key)",
                file.display()
            ),
            AnchorProblem::Rewritten { seq } => eprintln!(
                "entry {seq} is not the one anchored: the log was rewritten up to entry {seq}"
            ),
            AnchorProblem::CounterLowered { anchored, written } => eprintln!(
                "the count of entries was lowered: an anchor saw {anchored}, the database says {written}"
            ),
        }
    }
    let anchored = match check.last_anchored {
        Some(seq) if seq < check.chain.written => format!(
            "; entries {}..={} came after the last anchor (entry {seq}) and are protected by the chain alone",
            seq + 1,
            check.chain.written
        ),
        Some(seq) => format!("; anchored up to entry {seq}"),
        None => "; no anchor covers any entry yet".to_owned(),
    };
    if check.is_intact() {
        println!(
            "audit log intact: {} entries, {} anchor(s){anchored}",
            check.chain.entries, check.anchors
        );
    } else {
        eprintln!(
            "audit log NOT intact: {} problem(s) in {} entries{anchored}",
            check.chain.problems.len() + check.problems.len(),
            check.chain.entries
        );
    }
}

/// Seeds the demo and prints its accounts (only when it created them).
pub async fn print_demo(portal: &Portal) -> anyhow::Result<()> {
    let accounts = madoguchi_app::demo::seed(portal).await?;
    if accounts.is_empty() {
        eprintln!("demo: accounts exist already (their passwords were printed at the first start)");
        return Ok(());
    }
    eprintln!(
        "demo: back office at {}/staff/login",
        portal.config.public_url.trim_end_matches('/')
    );
    for a in accounts {
        eprintln!("  {:<10} {}  ({})", a.login, a.password, a.what);
    }
    Ok(())
}
