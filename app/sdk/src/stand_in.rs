//! A JSON-RPC node stand-in on loopback, for testing RPC clients without a validator: HTTP/1.1
//! requests with a `Content-Length` body, a single request or a batch, each request object
//! answered by `answer` (the whole response object: `jsonrpc`, `id`, `result` or `error`). The
//! SDK's pipelined-send tests and the CLI's `idl fetch` tests use it.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;

use serde_json::Value;

/// Serve `answer` on a loopback port until the process ends; returns the node's URL.
pub fn serve(answer: impl Fn(&Value) -> Value + Send + Sync + 'static) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    let url = format!("http://{}", listener.local_addr().expect("its address"));
    let answer = Arc::new(answer);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            let answer = Arc::clone(&answer);
            std::thread::spawn(move || connection(stream, &*answer));
        }
    });
    url
}

/// One keep-alive connection: requests until the client closes it.
fn connection(stream: TcpStream, answer: &dyn Fn(&Value) -> Value) {
    let Ok(read_half) = stream.try_clone() else {
        return;
    };
    let (mut reader, mut stream) = (BufReader::new(read_half), stream);
    while let Some(body) = request_body(&mut reader) {
        let Ok(req) = serde_json::from_slice::<Value>(&body) else {
            return;
        };
        let out = match &req {
            Value::Array(rs) => Value::Array(rs.iter().map(answer).collect()),
            r => answer(r),
        };
        let out = out.to_string();
        let sent = write!(
            stream,
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{out}",
            out.len()
        );
        if sent.is_err() {
            return;
        }
    }
}

/// The next request's body (its headers read up to the blank line), `None` at the end.
fn request_body(reader: &mut impl BufRead) -> Option<Vec<u8>> {
    let mut len = 0usize;
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return None;
        }
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some(v) = l.to_ascii_lowercase().strip_prefix("content-length:") {
            len = v.trim().parse().ok()?;
        }
    }
    let mut body = vec![0; len];
    reader.read_exact(&mut body).ok()?;
    Some(body)
}
