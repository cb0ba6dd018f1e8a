//! A fault-injecting HTTP proxy on loopback, in front of moto: for chosen API calls
//! (by `Action=` of a query-protocol body, or the `X-Amz-Target` of a JSON one) it
//! answers an HTML 500, a throttling error, or drops the connection (before or after
//! moto did the work); everything else goes to moto unchanged. One request per
//! connection, every answer says `Connection: close`.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// What the proxy does to a matching request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Answers `500 Internal Server Error` with an HTML page (as moto and proxies do).
    Html500,
    /// Answers HTTP 400 with a `Throttling` error document.
    Throttle,
    /// Closes the connection without forwarding or answering.
    Drop,
    /// Forwards to moto (which carries the request out), then closes the connection
    /// without answering: the answer is lost.
    ForwardThenDrop,
}

#[derive(Debug)]
struct Rule {
    action: String,
    fault: Fault,
    times: usize,
}

#[derive(Debug, Default)]
struct State {
    rules: VecDeque<Rule>,
    seen: Vec<String>,
    faulted: Vec<String>,
}

/// The proxy; stops when dropped.
pub struct FaultProxy {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
}

static FAULT_IDS: AtomicUsize = AtomicUsize::new(1);

impl FaultProxy {
    /// Listens on a free loopback port and forwards to `upstream`
    /// (`http://127.0.0.1:PORT`, which must be loopback too).
    pub fn start(upstream: &str) -> FaultProxy {
        let upstream = upstream
            .strip_prefix("http://")
            .unwrap_or(upstream)
            .trim_end_matches('/')
            .to_string();
        let target: SocketAddr = upstream.parse().expect("the upstream is ip:port");
        assert!(
            target.ip().is_loopback(),
            "the proxy only forwards to loopback"
        );
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        let state = Arc::new(Mutex::new(State::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let (s, st) = (Arc::clone(&state), Arc::clone(&stop));
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                if st.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                let s = Arc::clone(&s);
                std::thread::spawn(move || {
                    let _ = serve(conn, target, &s);
                });
            }
        });
        FaultProxy { addr, state, stop }
    }

    /// The URL to point the SDK at.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The next `times` requests of `action` get `fault`.
    pub fn fail(&self, action: &str, fault: Fault, times: usize) {
        self.state.lock().unwrap().rules.push_back(Rule {
            action: action.into(),
            fault,
            times,
        });
    }

    /// Every action seen, in order.
    pub fn seen(&self) -> Vec<String> {
        self.state.lock().unwrap().seen.clone()
    }

    /// `Action fault` for every request that got a fault, in order.
    pub fn faulted(&self) -> Vec<String> {
        self.state.lock().unwrap().faulted.clone()
    }

    /// How many requests of `action` were seen.
    pub fn count(&self, action: &str) -> usize {
        self.seen().iter().filter(|a| *a == action).count()
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
    }
}

struct Request {
    head: Vec<String>,
    body: Vec<u8>,
}

fn read_request(r: &mut BufReader<TcpStream>) -> std::io::Result<Option<Request>> {
    let mut head = Vec::new();
    loop {
        let mut line = String::new();
        if r.read_line(&mut line)? == 0 {
            return Ok(None);
        }
        let line = line.trim_end_matches(['\r', '\n']).to_string();
        if line.is_empty() {
            break;
        }
        head.push(line);
    }
    let header = |name: &str| {
        head.iter().skip(1).find_map(|h| {
            let (k, v) = h.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_string())
        })
    };
    let mut body = Vec::new();
    if let Some(n) = header("content-length").and_then(|v| v.parse::<usize>().ok()) {
        body.resize(n, 0);
        r.read_exact(&mut body)?;
    } else if header("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        loop {
            let mut size = String::new();
            r.read_line(&mut size)?;
            let n = usize::from_str_radix(size.trim().split(';').next().unwrap_or("0"), 16)
                .unwrap_or(0);
            let mut chunk = vec![0; n + 2];
            r.read_exact(&mut chunk)?;
            if n == 0 {
                break;
            }
            body.extend_from_slice(&chunk[..n]);
        }
        head.retain(|h| !h.to_ascii_lowercase().starts_with("transfer-encoding"));
        head.push(format!("Content-Length: {}", body.len()));
    }
    Ok(Some(Request { head, body }))
}

/// `CreateChangeSet` (query protocol), `DescribeServices` (JSON), or `PUT /bucket/key`.
fn action_of(req: &Request) -> String {
    let body = String::from_utf8_lossy(&req.body);
    if let Some(a) = body.split('&').find_map(|kv| kv.strip_prefix("Action=")) {
        return a.to_string();
    }
    for h in &req.head {
        if let Some((k, v)) = h.split_once(':') {
            if k.trim().eq_ignore_ascii_case("x-amz-target") {
                return v.trim().rsplit('.').next().unwrap_or("").to_string();
            }
        }
    }
    req.head.first().cloned().unwrap_or_default()
}

fn is_json(req: &Request) -> bool {
    req.head
        .iter()
        .any(|h| h.to_ascii_lowercase().starts_with("x-amz-target"))
}

fn serve(client: TcpStream, upstream: SocketAddr, state: &Mutex<State>) -> std::io::Result<()> {
    let mut reader = BufReader::new(client.try_clone()?);
    let mut client = client;
    let Some(req) = read_request(&mut reader)? else {
        return Ok(());
    };
    let action = action_of(&req);
    let fault = {
        let mut st = state.lock().unwrap();
        st.seen.push(action.clone());
        let fault = st
            .rules
            .iter_mut()
            .find(|r| r.action == action && r.times > 0)
            .map(|r| {
                r.times -= 1;
                r.fault
            });
        if let Some(f) = fault {
            st.faulted.push(format!("{action} {f:?}"));
        }
        fault
    };
    match fault {
        Some(Fault::Html500) => respond_html_500(&mut client)?,
        Some(Fault::Throttle) => respond_throttle(&mut client, is_json(&req))?,
        Some(Fault::Drop) => {}
        Some(Fault::ForwardThenDrop) => {
            forward(&req, upstream)?;
        }
        None => {
            let answer = forward(&req, upstream)?;
            client.write_all(&answer)?;
        }
    }
    client.flush()?;
    let _ = client.shutdown(Shutdown::Both);
    Ok(())
}

fn forward(req: &Request, upstream: SocketAddr) -> std::io::Result<Vec<u8>> {
    let mut up = TcpStream::connect(upstream)?;
    let mut text = String::new();
    for (i, h) in req.head.iter().enumerate() {
        if i > 0 && h.to_ascii_lowercase().starts_with("connection:") {
            continue;
        }
        text.push_str(h);
        text.push_str("\r\n");
    }
    text.push_str("Connection: close\r\n\r\n");
    up.write_all(text.as_bytes())?;
    up.write_all(&req.body)?;
    up.flush()?;
    let mut answer = Vec::new();
    up.read_to_end(&mut answer)?;
    Ok(answer)
}

fn respond(
    client: &mut TcpStream,
    status: &str,
    headers: &[(&str, String)],
    body: &str,
) -> std::io::Result<()> {
    let mut text = format!(
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (k, v) in headers {
        text.push_str(&format!("{k}: {v}\r\n"));
    }
    text.push_str("\r\n");
    text.push_str(body);
    client.write_all(text.as_bytes())
}

fn respond_html_500(client: &mut TcpStream) -> std::io::Result<()> {
    respond(
        client,
        "500 INTERNAL SERVER ERROR",
        &[("Content-Type", "text/html; charset=utf-8".into())],
        "<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n<h1>Internal Server Error</h1>\n<p>The server encountered an internal error and was unable to complete your request.</p>\n",
    )
}

fn respond_throttle(client: &mut TcpStream, json: bool) -> std::io::Result<()> {
    let id = format!("fault-{}", FAULT_IDS.fetch_add(1, Ordering::SeqCst));
    if json {
        respond(
            client,
            "400 Bad Request",
            &[
                ("Content-Type", "application/x-amz-json-1.1".into()),
                ("x-amzn-RequestId", id),
            ],
            r#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#,
        )
    } else {
        let body = format!(
            "<ErrorResponse xmlns=\"http://cloudformation.amazonaws.com/doc/2010-05-15/\"><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>{id}</RequestId></ErrorResponse>"
        );
        respond(
            client,
            "400 Bad Request",
            &[
                ("Content-Type", "text/xml".into()),
                ("x-amzn-RequestId", id),
            ],
            &body,
        )
    }
}
