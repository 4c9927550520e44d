//! An SMTP server on a free loopback port that accepts every message and counts it, speaking
//! as much of the protocol as a client needs (EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT). For the
//! outbox's tests and its benchmark: real SMTP exchanges, nothing kept. Optionally it hangs up
//! after a number of messages on each connection, as relays do with idle or long connections.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// A running sink: its port and how many messages it has accepted.
#[derive(Debug, Clone)]
pub struct Sink {
    pub port: u16,
    received: Arc<AtomicU64>,
}

impl Sink {
    pub fn received(&self) -> u64 {
        self.received.load(Ordering::Relaxed)
    }
}

/// Starts a sink; `hang_up_after`: close each connection after that many messages.
pub async fn start(hang_up_after: Option<u64>) -> std::io::Result<Sink> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let port = listener.local_addr()?.port();
    let received = Arc::new(AtomicU64::new(0));
    let count = received.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            tokio::spawn(serve(socket, count.clone(), hang_up_after));
        }
    });
    Ok(Sink { port, received })
}

async fn serve(socket: tokio::net::TcpStream, count: Arc<AtomicU64>, hang_up_after: Option<u64>) {
    // As a mail server does: replies are not held back to be coalesced.
    let _ = socket.set_nodelay(true);
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read).lines();
    if write.write_all(b"220 sink ESMTP\r\n").await.is_err() {
        return;
    }
    let (mut in_data, mut here) = (false, 0);
    while let Ok(Some(line)) = lines.next_line().await {
        let reply: &[u8] = if in_data {
            if line != "." {
                continue;
            }
            in_data = false;
            count.fetch_add(1, Ordering::Relaxed);
            here += 1;
            b"250 queued\r\n"
        } else {
            match line.get(..4).map(str::to_ascii_uppercase).as_deref() {
                Some("EHLO") => b"250-sink\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n",
                Some("DATA") => {
                    in_data = true;
                    b"354 go ahead\r\n"
                }
                Some("QUIT") => {
                    let _ = write.write_all(b"221 bye\r\n").await;
                    return;
                }
                _ => b"250 ok\r\n",
            }
        };
        if write.write_all(reply).await.is_err() {
            return;
        }
        if hang_up_after.is_some_and(|n| here >= n) {
            return;
        }
    }
}
