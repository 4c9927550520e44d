//! One read of the 券面事項入力補助AP through PC/SC: select the application, check the PIN's
//! tries, verify the PIN the resident typed, read the 個人番号 and the four items. The bytes sent
//! and the meaning of the answers come from `madoguchi_jp::mynacard`; this module only carries
//! them to a reader, inside one PC/SC transaction so that no other program interleaves.

use madoguchi_jp::mynacard::{self, Status};
use pcsc::{Card, Context, Disposition, Protocols, ReaderState, Scope, ShareMode, State};
use std::ffi::CString;
use std::time::Duration;

/// The two files as the card returned them; the server reads and checks them.
pub struct CardFiles {
    pub my_number: Vec<u8>,
    pub attributes: Vec<u8>,
}

impl std::fmt::Debug for CardFiles {
    // The files are personal data: never printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CardFiles(..)")
    }
}

/// Why a read ended without the files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadFailure {
    /// No card was put on the reader in time.
    NoCard,
    /// The card left the reader before the read ended.
    CardRemoved,
    /// A card without the application (a health-insurance card, a 住基カード…).
    NotMyNumberCard,
    /// The PIN was wrong; so many tries are left.
    WrongPin { tries_left: u8 },
    /// The PIN is blocked (three wrong tries): only a 初期化 at the municipality's counter helps.
    Blocked,
    /// What was typed is not four digits; the card was not asked.
    PinFormat,
    /// The reader or the card answered something else.
    Reader(String),
}

impl ReadFailure {
    /// The outcome as the server's API names it.
    pub fn outcome(&self) -> &'static str {
        match self {
            ReadFailure::NoCard => "no_card",
            ReadFailure::CardRemoved => "card_removed",
            ReadFailure::NotMyNumberCard => "not_my_number_card",
            ReadFailure::WrongPin { .. } => "wrong_pin",
            ReadFailure::Blocked => "blocked",
            ReadFailure::PinFormat => "pin_format",
            ReadFailure::Reader(_) => "reader_error",
        }
    }
}

impl From<pcsc::Error> for ReadFailure {
    fn from(error: pcsc::Error) -> Self {
        match error {
            pcsc::Error::RemovedCard
            | pcsc::Error::ResetCard
            | pcsc::Error::NoSmartcard
            | pcsc::Error::UnpoweredCard
            | pcsc::Error::UnresponsiveCard => ReadFailure::CardRemoved,
            other => ReadFailure::Reader(other.to_string()),
        }
    }
}

/// A connection to pcscd and the reader the agent uses.
pub struct Reader {
    context: Context,
    name: CString,
}

impl std::fmt::Debug for Reader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Reader({:?})", self.name)
    }
}

impl Reader {
    /// The reader whose name contains `wanted`, or the first one pcscd lists.
    pub fn open(wanted: Option<&str>) -> Result<Self, ReadFailure> {
        let context = Context::establish(Scope::User)?;
        let names = context.list_readers_owned()?;
        let name = names
            .into_iter()
            .find(|n| wanted.is_none_or(|w| n.to_string_lossy().contains(w)))
            .ok_or_else(|| ReadFailure::Reader("no card reader found".into()))?;
        Ok(Self { context, name })
    }

    pub fn name(&self) -> String {
        self.name.to_string_lossy().into_owned()
    }

    /// Every reader pcscd knows, for `check`.
    pub fn list() -> Result<Vec<String>, ReadFailure> {
        let context = Context::establish(Scope::User)?;
        Ok(context
            .list_readers_owned()?
            .iter()
            .map(|n| n.to_string_lossy().into_owned())
            .collect())
    }

    /// Waits until a card is on the reader.
    pub fn wait_for_card(&self, timeout: Duration) -> Result<(), ReadFailure> {
        let mut states = [ReaderState::new(self.name.clone(), State::UNAWARE)];
        let deadline = std::time::Instant::now() + timeout;
        loop {
            self.context
                .get_status_change(Duration::ZERO, &mut states)
                .ok();
            if states[0].event_state().contains(State::PRESENT) {
                return Ok(());
            }
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                return Err(ReadFailure::NoCard);
            }
            states[0].sync_current_state();
            match self.context.get_status_change(left, &mut states) {
                Ok(()) | Err(pcsc::Error::Timeout) => {}
                Err(other) => return Err(other.into()),
            }
        }
    }

    fn connect(&self) -> Result<Card, ReadFailure> {
        Ok(self
            .context
            .connect(&self.name, ShareMode::Shared, Protocols::ANY)?)
    }

    /// How many PIN tries the card has left, without spending one.
    pub fn pin_tries(&self) -> Result<u8, ReadFailure> {
        self.with_card(|session| {
            session.open_pin_file()?;
            match session.send(&mynacard::pin_status())?.1 {
                Status::TriesLeft(n) => Ok(n),
                Status::Blocked => Err(ReadFailure::Blocked),
                other => Err(unexpected("VERIFY", other)),
            }
        })
    }

    /// Verifies the PIN and reads both files. The PIN is used for one VERIFY and dropped.
    pub fn read(&self, pin: &str) -> Result<CardFiles, ReadFailure> {
        let verify = mynacard::verify(pin).ok_or(ReadFailure::PinFormat)?;
        self.with_card(|session| {
            session.open_pin_file()?;
            // A blocked card is told before a PIN is sent: VERIFY without data spends no try.
            if session.send(&mynacard::pin_status())?.1 == Status::Blocked {
                return Err(ReadFailure::Blocked);
            }
            match session.send(&verify)?.1 {
                Status::Ok => {}
                Status::TriesLeft(0) | Status::Blocked => return Err(ReadFailure::Blocked),
                Status::TriesLeft(n) => return Err(ReadFailure::WrongPin { tries_left: n }),
                other => return Err(unexpected("VERIFY", other)),
            }
            Ok(CardFiles {
                my_number: session.read_file(mynacard::EF_MY_NUMBER)?,
                attributes: session.read_file(mynacard::EF_ATTRIBUTES)?,
            })
        })
    }

    /// Runs `exchange` inside one transaction, then resets the card, so that no program after
    /// this one finds the PIN verified. A card that has left the reader is not reset: there is
    /// nothing to reset, and asking for it would leave some readers' drivers (vpcd) confused
    /// about the next card.
    fn with_card<T>(
        &self,
        exchange: impl FnOnce(&Session) -> Result<T, ReadFailure>,
    ) -> Result<T, ReadFailure> {
        let mut card = self.connect()?;
        let result = {
            let tx = card.transaction()?;
            let result = exchange(&Session(&tx));
            let _ = tx.end(Disposition::LeaveCard);
            result
        };
        let disposition = match result {
            Err(ReadFailure::CardRemoved) => Disposition::LeaveCard,
            _ => Disposition::ResetCard,
        };
        let _ = card.disconnect(disposition);
        result
    }
}

/// The card inside one transaction.
struct Session<'a>(&'a Card);

impl Session<'_> {
    fn send(&self, apdu: &[u8]) -> Result<(Vec<u8>, Status), ReadFailure> {
        let mut buffer = [0u8; pcsc::MAX_BUFFER_SIZE];
        let response = self.0.transmit(apdu, &mut buffer)?;
        match Status::of(response) {
            Some((data, status)) => Ok((data.to_vec(), status)),
            None => Err(self.gone_or_broken()),
        }
    }

    /// A response without status bytes: the card stopped answering mid-exchange, which is what
    /// a reader reports (vpcd among them) when the card has just left it — and putting it back
    /// is the advice either way.
    fn gone_or_broken(&self) -> ReadFailure {
        match self.0.status2_owned() {
            Err(error) => error.into(),
            Ok(_) => ReadFailure::CardRemoved,
        }
    }

    fn select(&self, apdu: &[u8], what: &str) -> Result<(), ReadFailure> {
        match self.send(apdu)?.1 {
            Status::Ok => Ok(()),
            Status::NotFound => Err(ReadFailure::NotMyNumberCard),
            other => Err(unexpected(what, other)),
        }
    }

    fn open_pin_file(&self) -> Result<(), ReadFailure> {
        self.select(&mynacard::select_application(), "SELECT AP")?;
        self.select(&mynacard::select_file(mynacard::EF_PIN), "SELECT PIN")
    }

    /// Reads a file whole: the first answer's TLV header says how long the file is, and the
    /// rest comes at offsets until it has all arrived.
    fn read_file(&self, id: u16) -> Result<Vec<u8>, ReadFailure> {
        self.select(&mynacard::select_file(id), "SELECT EF")?;
        let mut content = Vec::new();
        loop {
            let offset = u16::try_from(content.len())
                .map_err(|_| ReadFailure::Reader("the file is too long".into()))?;
            let (data, status) = self.send(&mynacard::read_binary(offset))?;
            if status != Status::Ok {
                return Err(unexpected("READ BINARY", status));
            }
            if data.is_empty() {
                return Err(ReadFailure::Reader("the file ended early".into()));
            }
            content.extend_from_slice(&data);
            if let Some(total) = mynacard::object_length(&content)
                && content.len() >= total
            {
                content.truncate(total);
                return Ok(content);
            }
        }
    }
}

fn unexpected(what: &str, status: Status) -> ReadFailure {
    ReadFailure::Reader(format!("{what}: {status:?}"))
}
