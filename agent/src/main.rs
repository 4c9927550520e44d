//! `madoguchi-card-agent`: the card reader's side of the counter (書かない窓口).
//!
//!     madoguchi-card-agent pair  --server https://madoguchi.example --code 12345678
//!     madoguchi-card-agent run   --server https://madoguchi.example
//!     madoguchi-card-agent check

use clap::{Parser, Subcommand};
use madoguchi_card_agent::card::{ReadFailure, Reader};
use madoguchi_card_agent::server::{Server, ServerError};
use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Debug, Parser)]
#[command(
    version,
    about = "Reads the マイナンバーカード at a counter PC for madoguchi"
)]
struct Cli {
    /// Where the pairing token is kept (readable by this user only).
    #[arg(long, env = "MADOGUCHI_AGENT_TOKEN_FILE", global = true)]
    token_file: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Pairs this PC with the counter session that shows the code.
    Pair {
        #[arg(long, env = "MADOGUCHI_SERVER")]
        server: String,
        /// The one-time code on the counter screen.
        #[arg(long)]
        code: String,
        /// A name for this PC, shown on the counter screen.
        #[arg(long, default_value = "counter-pc")]
        name: String,
    },
    /// Waits for the paired session to ask for a card read, and reads it.
    Run {
        #[arg(long, env = "MADOGUCHI_SERVER")]
        server: String,
        /// Part of the reader's name, when the PC has several.
        #[arg(long)]
        reader: Option<String>,
        /// Seconds to wait for the card to be put on the reader.
        #[arg(long, default_value_t = 60)]
        card_timeout: u64,
    },
    /// Lists the readers and, with a card on one, its PIN tries left (no PIN asked, none spent).
    Check {
        #[arg(long)]
        reader: Option<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let token_file = cli.token_file.unwrap_or_else(default_token_file);
    let outcome = match cli.command {
        Command::Pair { server, code, name } => {
            pair(&Server::new(&server), &code, &name, &token_file)
        }
        Command::Run {
            server,
            reader,
            card_timeout,
        } => run(
            &Server::new(&server),
            &token_file,
            reader.as_deref(),
            Duration::from_secs(card_timeout),
        ),
        Command::Check { reader } => check(reader.as_deref()),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

fn pair(server: &Server, code: &str, name: &str, token_file: &PathBuf) -> Result<(), String> {
    let token = server.pair(code.trim(), name).map_err(|e| e.to_string())?;
    write_token(token_file, &token).map_err(|e| format!("{}: {e}", token_file.display()))?;
    println!("ペアリングしました。`madoguchi-card-agent run` で読み取りを待ちます。");
    Ok(())
}

fn run(
    server: &Server,
    token_file: &PathBuf,
    reader: Option<&str>,
    card_timeout: Duration,
) -> Result<(), String> {
    let token = std::fs::read_to_string(token_file)
        .map_err(|_| "ペアリングされていません。先に pair を実行してください。".to_owned())?;
    let token = token.trim();
    let reader = Reader::open(reader).map_err(|f| describe(&f))?;
    println!(
        "カードリーダー {} で読み取りを待っています。",
        reader.name()
    );
    loop {
        let request = match server.next_request(token) {
            Ok(Some(request)) => request,
            Ok(None) => {
                std::thread::sleep(Duration::from_secs(1));
                continue;
            }
            Err(ServerError::Unpaired) => return Err(ServerError::Unpaired.to_string()),
            Err(other) => {
                eprintln!("{other}");
                std::thread::sleep(Duration::from_secs(5));
                continue;
            }
        };
        let result = read_once(&reader, card_timeout);
        match &result {
            Ok(_) => println!("読み取りました。窓口の画面をご確認ください。"),
            Err(failure) => println!("{}", describe(failure)),
        }
        match server.report(token, &request, &result) {
            Ok(()) => {}
            Err(ServerError::Unpaired) => return Err(ServerError::Unpaired.to_string()),
            // The server refused what the card gave (files it could not read) or could not be
            // reached: the counter screen says so; the agent waits for the next read.
            Err(other) => eprintln!("{other}"),
        }
    }
}

fn read_once(
    reader: &Reader,
    card_timeout: Duration,
) -> Result<madoguchi_card_agent::card::CardFiles, ReadFailure> {
    println!("マイナンバーカードをカードリーダーに置いてください。");
    reader.wait_for_card(card_timeout)?;
    let pin = ask_pin().map_err(|e| ReadFailure::Reader(e.to_string()))?;
    reader.read(&pin)
}

/// The PIN, typed by the resident: hidden on a terminal; a line of stdin otherwise (PIN pads
/// that type digits and Enter, and the tests).
fn ask_pin() -> std::io::Result<String> {
    let prompt = "暗証番号（数字4桁）を入力してください: ";
    if std::io::stdin().is_terminal() {
        return rpassword::prompt_password(prompt);
    }
    print!("{prompt}");
    std::io::stdout().flush()?;
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim().to_owned())
}

fn check(reader: Option<&str>) -> Result<(), String> {
    let readers = Reader::list().map_err(|f| describe(&f))?;
    if readers.is_empty() {
        return Err("カードリーダーが見つかりません。".into());
    }
    for name in &readers {
        println!("{name}");
    }
    let reader = Reader::open(reader).map_err(|f| describe(&f))?;
    match reader.pin_tries() {
        Ok(tries) => println!(
            "{}: 券面事項入力補助用の暗証番号は残り{tries}回です。",
            reader.name()
        ),
        Err(failure) => println!("{}: {}", reader.name(), describe(&failure)),
    }
    Ok(())
}

fn describe(failure: &ReadFailure) -> String {
    match failure {
        ReadFailure::NoCard => "カードが置かれませんでした。".into(),
        ReadFailure::CardRemoved => {
            "読み取り中にカードが離れました。もう一度置いてください。".into()
        }
        ReadFailure::NotMyNumberCard => "マイナンバーカードではありません。".into(),
        ReadFailure::WrongPin { tries_left } => {
            format!("暗証番号が違います（残り{tries_left}回）。")
        }
        ReadFailure::Blocked => {
            "暗証番号がロックされています。窓口で暗証番号の再設定（初期化）をしてください。".into()
        }
        ReadFailure::PinFormat => "暗証番号は数字4桁です。".into(),
        ReadFailure::Reader(detail) => format!("カードリーダーのエラー: {detail}"),
    }
}

fn default_token_file() -> PathBuf {
    let base = std::env::var_os("APPDATA")
        .or_else(|| std::env::var_os("XDG_CONFIG_HOME"))
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))
        .unwrap_or_else(|| PathBuf::from("."));
    base.join("madoguchi").join("card-agent.token")
}

fn write_token(path: &PathBuf, token: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(token.as_bytes())
}
