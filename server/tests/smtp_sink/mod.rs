//! A real SMTP server for email tests: Python's `aiosmtpd` (installed by `.ci/tools.sh`) with
//! a small handler that writes each accepted message, decoded by Python's own email parser,
//! as one JSON file, or that refuses every message with a temporary failure.
#![allow(
    dead_code,
    reason = "each test binary uses a different subset of these helpers"
)]

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use app::backend::notification::smtp::parse_mailbox;
use app::backend::notification::{Mailer, SmtpSettings, TlsMode};

/// The handlers, loaded by aiosmtpd with `-c attest_sink.Sink DIR` or `attest_sink.Refuse`.
const HANDLER: &str = r#"
import email, email.policy, json, os, uuid

class Sink:
    def __init__(self, out):
        self.out = out

    @classmethod
    def from_cli(cls, parser, *args):
        return cls(*args)

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        record = {"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos,
                  "to": str(msg["To"]), "from": str(msg["From"]),
                  "subject": str(msg["Subject"]), "body": msg.get_body().get_content()}
        path = os.path.join(self.out, uuid.uuid4().hex)
        with open(path + ".tmp", "w") as f:
            json.dump(record, f)
        os.rename(path + ".tmp", path + ".json")
        return "250 OK"

class Refuse:
    async def handle_DATA(self, server, session, envelope):
        return "451 4.3.0 mailbox temporarily unavailable"
"#;

/// A message as the server received it.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Received {
    pub mail_from: String,
    pub rcpt_tos: Vec<String>,
    pub to: String,
    pub from: String,
    pub subject: String,
    pub body: String,
}

/// A running aiosmtpd; stopped and its files removed when dropped.
pub struct SmtpSink {
    child: Child,
    pub addr: SocketAddr,
    dir: PathBuf,
}

/// A port nothing listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("an ephemeral port is available")
        .port()
}

impl SmtpSink {
    /// Starts a server on `port` that accepts and keeps every message.
    pub fn accepting(port: u16) -> SmtpSink {
        SmtpSink::start(port, true)
    }

    /// Starts a server on `port` that answers every message with 451.
    pub fn refusing(port: u16) -> SmtpSink {
        SmtpSink::start(port, false)
    }

    fn start(port: u16, accept: bool) -> SmtpSink {
        let dir = std::env::temp_dir().join(format!("attest-smtp-{}", uuid::Uuid::new_v4()));
        let out = dir.join("out");
        std::fs::create_dir_all(&out).expect("the sink's folder can be created");
        std::fs::write(dir.join("attest_sink.py"), HANDLER).expect("the handler is written");
        let addr: SocketAddr = ([127, 0, 0, 1], port).into();
        let mut command = Command::new("python3");
        command
            .args(["-m", "aiosmtpd", "-n", "-l", &addr.to_string(), "-c"])
            .env("PYTHONPATH", &dir)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        if accept {
            command.arg("attest_sink.Sink").arg(&out);
        } else {
            command.arg("attest_sink.Refuse");
        }
        let child = command
            .spawn()
            .expect("python3 runs (aiosmtpd is installed by .ci/tools.sh)");
        let mut sink = SmtpSink { child, addr, dir };
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(addr).is_err() {
            if let Ok(Some(status)) = sink.child.try_wait() {
                panic!("aiosmtpd exited with {status}; is it installed (pip install aiosmtpd)?");
            }
            assert!(
                Instant::now() < deadline,
                "aiosmtpd did not listen on {addr}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        sink
    }

    /// Every message received so far, ordered by first recipient.
    pub fn received(&self) -> Vec<Received> {
        let mut all: Vec<Received> = std::fs::read_dir(self.dir.join("out"))
            .expect("the sink's folder is readable")
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|path| path.extension().is_some_and(|e| e == "json"))
            .map(|path| {
                let text = std::fs::read_to_string(&path).expect("a message file is readable");
                serde_json::from_str(&text).expect("the sink writes JSON")
            })
            .collect();
        all.sort_by(|a, b| a.rcpt_tos.cmp(&b.rcpt_tos).then(a.subject.cmp(&b.subject)));
        all
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A plain-SMTP mailer for `port` on localhost.
pub fn mailer(port: u16) -> Mailer {
    Mailer::new(&SmtpSettings {
        host: "127.0.0.1".into(),
        port,
        tls: TlsMode::None,
        credentials: None,
        from: parse_mailbox("Attest <attest@corp.test>").expect("a valid From"),
        timeout: Duration::from_secs(10),
    })
    .expect("a plain SMTP transport builds")
}
