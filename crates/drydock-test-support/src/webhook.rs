//! A webhook receiver for tests: an HTTP server on 127.0.0.1 (never another address) that keeps
//! what it is sent.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use serde_json::Value;

/// An HTTP server on 127.0.0.1 that keeps every request's path and JSON body and answers each
/// with the next status of its script (then 200).
pub struct Receiver {
    /// Where to post: a path that stands for a token, which must never be shown.
    pub url: String,
    received: Arc<Mutex<Vec<(String, Value)>>>,
    script: Arc<Mutex<Vec<u16>>>,
}

impl Receiver {
    pub fn start() -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let url = format!(
            "http://{}/hooks/T000/secret-token",
            listener.local_addr().expect("addr")
        );
        let received = Arc::new(Mutex::new(Vec::new()));
        let script = Arc::new(Mutex::new(Vec::new()));
        let (kept, answers) = (received.clone(), script.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().expect("clone"));
                let mut request_line = String::new();
                if reader.read_line(&mut request_line).is_err() {
                    continue;
                }
                let path = request_line
                    .split(' ')
                    .nth(1)
                    .unwrap_or_default()
                    .to_owned();
                let mut length = 0;
                loop {
                    let mut header = String::new();
                    if reader.read_line(&mut header).is_err() || header.trim().is_empty() {
                        break;
                    }
                    let lower = header.to_ascii_lowercase();
                    if let Some(value) = lower.strip_prefix("content-length:") {
                        length = value.trim().parse().unwrap_or(0);
                    }
                }
                let mut body = vec![0; length];
                if reader.read_exact(&mut body).is_err() {
                    continue;
                }
                let status = {
                    let mut script = answers.lock().unwrap();
                    if script.is_empty() {
                        200
                    } else {
                        script.remove(0)
                    }
                };
                if status == 200 {
                    let json = serde_json::from_slice(&body).unwrap_or(Value::Null);
                    kept.lock().unwrap().push((path, json));
                }
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                );
            }
        });
        Receiver {
            url,
            received,
            script,
        }
    }

    /// Take the messages received so far.
    pub fn take(&self) -> Vec<(String, Value)> {
        std::mem::take(&mut *self.received.lock().unwrap())
    }

    /// Answer the next requests with these statuses.
    pub fn answer(&self, statuses: &[u16]) {
        self.script.lock().unwrap().extend_from_slice(statuses);
    }
}
