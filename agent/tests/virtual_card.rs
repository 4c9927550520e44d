//! The agent against a virtual マイナンバーカード in a virtual reader: pcscd with Debian's
//! vsmartcard-vpcd, and `tests/card/mynacard.py` (python3-virtualsmartcard) as the card.
//! `scripts/test-card-agent.sh` installs and starts them. The reader has one slot, so the
//! tests take turns.

use madoguchi_card_agent::card::{ReadFailure, Reader};
use madoguchi_jp::mynacard::{Sex, parse_attributes, parse_my_number};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::Duration;

static SLOT: Mutex<()> = Mutex::new(());

/// A card on the virtual reader for as long as it lives.
struct VirtualCard {
    process: Child,
}

impl VirtualCard {
    fn insert(args: &[&str]) -> Self {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/card/mynacard.py");
        let mut process = Command::new("/usr/bin/python3")
            .arg(script)
            .args(args)
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 runs the virtual card");
        let mut line = String::new();
        BufReader::new(process.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(
            line.trim(),
            "card inserted",
            "the virtual card reached vpcd"
        );
        reader()
            .wait_for_card(Duration::from_secs(10))
            .expect("pcscd sees the card");
        Self { process }
    }
}

impl Drop for VirtualCard {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
        wait_until_empty();
    }
}

fn reader() -> Reader {
    Reader::open(Some("Virtual PCD 00 00")).expect("vpcd's first reader")
}

fn wait_until_empty() {
    for _ in 0..100 {
        if reader().wait_for_card(Duration::ZERO).is_err() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("the virtual card did not leave the reader");
}

#[test]
fn the_right_pin_reads_the_four_items_and_the_number() {
    let _slot = SLOT.lock().unwrap_or_else(|e| e.into_inner());
    // An address longer than one READ BINARY carries, as some are.
    let address = "東京都大田区蒲田五丁目１３番１４号　".repeat(6);
    let _card = VirtualCard::insert(&[
        "--pin",
        "4821",
        "--name",
        "大田　花子",
        "--address",
        &address,
        "--birth",
        "19850401",
        "--sex",
        "2",
        "--my-number",
        "123456789018",
    ]);
    let files = reader().read("4821").expect("the card is read");
    let attributes = parse_attributes(&files.attributes).expect("the four items");
    assert_eq!(attributes.family_and_given(), ("大田", "花子"));
    assert_eq!(attributes.address, address);
    assert_eq!(attributes.birth_date.to_string(), "1985-04-01");
    assert_eq!(attributes.sex, Sex::Female);
    let number = parse_my_number(&files.my_number).expect("the 個人番号");
    assert_eq!(number.masked(), "********9018");
    // A read that succeeds leaves the tries whole.
    assert_eq!(reader().pin_tries(), Ok(3));
}

#[test]
fn a_wrong_pin_says_how_many_tries_are_left_and_the_third_blocks() {
    let _slot = SLOT.lock().unwrap_or_else(|e| e.into_inner());
    let _card = VirtualCard::insert(&["--pin", "4821"]);
    let reader = reader();
    assert_eq!(
        reader.read("1111").unwrap_err(),
        ReadFailure::WrongPin { tries_left: 2 }
    );
    assert_eq!(reader.pin_tries(), Ok(2));
    assert_eq!(
        reader.read("2222").unwrap_err(),
        ReadFailure::WrongPin { tries_left: 1 }
    );
    assert_eq!(reader.read("3333").unwrap_err(), ReadFailure::Blocked);
    // Blocked is blocked, the right PIN included.
    assert_eq!(reader.read("4821").unwrap_err(), ReadFailure::Blocked);
    assert_eq!(reader.pin_tries(), Err(ReadFailure::Blocked));
}

#[test]
fn a_blocked_card_is_told_before_any_pin_is_sent() {
    let _slot = SLOT.lock().unwrap_or_else(|e| e.into_inner());
    let _card = VirtualCard::insert(&["--pin", "4821", "--tries", "0"]);
    assert_eq!(reader().read("4821").unwrap_err(), ReadFailure::Blocked);
}

#[test]
fn a_card_taken_away_mid_read_is_reported_as_removed() {
    let _slot = SLOT.lock().unwrap_or_else(|e| e.into_inner());
    let _card = VirtualCard::insert(&["--pin", "4821", "--remove-after-verify"]);
    assert_eq!(reader().read("4821").unwrap_err(), ReadFailure::CardRemoved);
}

#[test]
fn what_is_not_four_digits_never_reaches_the_card() {
    let _slot = SLOT.lock().unwrap_or_else(|e| e.into_inner());
    let _card = VirtualCard::insert(&["--pin", "4821"]);
    assert_eq!(reader().read("48210").unwrap_err(), ReadFailure::PinFormat);
    assert_eq!(
        reader().read("４８２１").unwrap_err(),
        ReadFailure::PinFormat
    );
    assert_eq!(reader().pin_tries(), Ok(3));
}

#[test]
fn no_card_on_the_reader_is_a_clear_timeout() {
    let _slot = SLOT.lock().unwrap_or_else(|e| e.into_inner());
    assert_eq!(
        reader().wait_for_card(Duration::from_millis(300)),
        Err(ReadFailure::NoCard)
    );
}
