//! A tiny HTTP/1.1 server side: requests with a Content-Length body (API clients send one; chunked
//! request bodies are refused), keep-alive unless the client says `Connection: close` or speaks
//! HTTP/1.0, responses with a Content-Length. Enough for API clients; not a general web server.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;

/// A parsed request.
#[derive(Debug)]
pub struct Request {
    pub method: String,
    pub path: String,
    /// Lower-cased names.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The client wants the connection closed after the response.
    pub close: bool,
}

impl Request {
    /// The first header of that (lower-case) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// Largest body accepted.
const MAX_BODY: usize = 32 << 20;
/// Largest request line or header block accepted, so a broken client cannot grow a line forever.
const MAX_HEAD: u64 = 64 << 10;

/// Reads the next request of a connection. `Ok(None)` when the client closed it between requests;
/// `Err` (with the reason for a 400) when what it sent is not a request this server reads.
pub fn read_request(reader: &mut BufReader<TcpStream>) -> Result<Option<Request>, String> {
    let mut head = reader.by_ref().take(MAX_HEAD);
    let mut line = String::new();
    match head.read_line(&mut line) {
        Ok(0) => return Ok(None),
        Ok(_) => {}
        // A connection reset or shut down between requests is a close, not a bad request.
        Err(e) if e.kind() != std::io::ErrorKind::InvalidData => return Ok(None),
        Err(_) => return Err("request line is not UTF-8".into()),
    }
    let mut parts = line.split_whitespace();
    let (Some(method), Some(path), Some(version)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(format!("bad request line {:?}", line.trim_end()));
    };
    let (method, path, http10) = (method.to_string(), path.to_string(), version == "HTTP/1.0");
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if head.read_line(&mut h).map_err(|e| e.to_string())? == 0 {
            return Err("headers end without a blank line".into());
        }
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        let (name, value) = h.split_once(':').ok_or_else(|| format!("bad header line {h:?}"))?;
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
    }
    let mut req = Request { method, path, headers, body: Vec::new(), close: false };
    let connection = req.header("connection").map(str::to_ascii_lowercase);
    req.close = connection.as_deref() == Some("close") || (http10 && connection.as_deref() != Some("keep-alive"));
    if req.header("transfer-encoding").is_some() {
        return Err("chunked request bodies are not supported; send Content-Length".into());
    }
    let len: usize = match req.header("content-length") {
        Some(v) => v.parse().map_err(|_| format!("bad Content-Length {v:?}"))?,
        None => 0,
    };
    if len > MAX_BODY {
        return Err(format!("body of {len} bytes is over the {MAX_BODY} limit"));
    }
    req.body = vec![0; len];
    reader.read_exact(&mut req.body).map_err(|e| format!("body shorter than its Content-Length: {e}"))?;
    Ok(Some(req))
}

/// A response to send.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn json(status: u16, body: &serde_json::Value) -> Response {
        Response { status, headers: Vec::new(), body: body.to_string().into_bytes() }
    }

    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> Response {
        self.headers.push((name.to_string(), value.into()));
        self
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        408 => "Request Timeout",
        409 => "Conflict",
        413 => "Payload Too Large",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        529 => "Overloaded",
        _ => "Status",
    }
}

/// How a response goes out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Framing {
    /// Whole; the connection stays open for the next request.
    KeepAlive,
    /// Whole, with `connection: close`; the caller closes after it.
    Close,
    /// Headers promising `extra` more bytes than the body sent; the caller closes after it.
    ShortBy(usize),
}

/// Writes a response.
pub fn write_response(stream: &mut TcpStream, r: &Response, framing: Framing) -> std::io::Result<()> {
    let declared = r.body.len() + if let Framing::ShortBy(extra) = framing { extra } else { 0 };
    let mut head = format!("HTTP/1.1 {} {}\r\ncontent-type: application/json\r\ncontent-length: {declared}\r\n", r.status, reason(r.status));
    if framing == Framing::Close {
        head.push_str("connection: close\r\n");
    }
    for (n, v) in &r.headers {
        head.push_str(&format!("{n}: {v}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    stream.write_all(&r.body)?;
    stream.flush()
}
