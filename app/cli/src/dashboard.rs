//! `greekhouse dashboard --url <node>`: serve the risk dashboard (`app/dashboard`, docs/dashboard.md)
//! for one node. The same files as `node app/dashboard/serve.mjs` serves, from a checkout of this
//! repository (the one the binary was built from, or `--root`): the page (`index.html`, `src/`)
//! and its three vendored files (the TS SDK's compiled `engine.js`, the engine's `.wasm`, the
//! IDL). Served with the standard library alone, so no Node.js is needed to look at a node; `/`
//! without a `url` parameter redirects to the page with the node's (and the other flags') query.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::Args;

#[derive(Args, Debug)]
pub struct DashboardArgs {
    /// The node's JSON-RPC URL the page reads (it must allow cross-origin requests, as Solana's
    /// RPC service does).
    #[arg(long, value_name = "URL", default_value = "http://127.0.0.1:8899")]
    pub url: String,
    /// Port to serve on (0 picks a free one; the address is printed).
    #[arg(long, value_name = "PORT", default_value_t = 8080)]
    pub port: u16,
    /// Address to listen on.
    #[arg(long, value_name = "HOST", default_value = "127.0.0.1")]
    pub host: String,
    /// The clearing house to show (default: the program's first).
    #[arg(long, value_name = "PUBKEY")]
    pub clearinghouse: Option<String>,
    /// The `PriceUpdateV2` account of an underlying on a Pyth pull feed (repeatable).
    #[arg(long = "oracle", value_name = "UNDERLYING=ACCOUNT")]
    pub oracles: Vec<String>,
    /// Reload the page's data every this many seconds.
    #[arg(long, value_name = "SECS")]
    pub refresh: Option<u32>,
    /// The repository checkout to serve from (default: the one this binary was built from).
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
}

/// The page's query string for the flags: `url`, then `clearinghouse`, `oracle.<underlying>`
/// and `refresh` when given (docs/dashboard.md lists the parameters).
fn page_query(args: &DashboardArgs) -> Result<String> {
    if !(args.url.starts_with("http://") || args.url.starts_with("https://")) {
        bail!("--url {}: an http:// or https:// JSON-RPC URL", args.url);
    }
    let mut query = vec![format!("url={}", percent_encode(&args.url))];
    if let Some(ch) = &args.clearinghouse {
        query.push(format!("clearinghouse={}", percent_encode(ch)));
    }
    for oracle in &args.oracles {
        let Some((underlying, account)) = oracle.split_once('=') else {
            bail!("--oracle {oracle}: UNDERLYING=ACCOUNT");
        };
        query.push(format!(
            "oracle.{}={}",
            percent_encode(underlying),
            percent_encode(account)
        ));
    }
    if let Some(secs) = args.refresh {
        query.push(format!("refresh={secs}"));
    }
    Ok(query.join("&"))
}

/// Every byte but RFC 3986's unreserved characters as `%XX`.
fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// What is served, from a repository checkout: the page's files and, as `serve.mjs` maps them,
/// the vendored ones.
struct Site {
    dashboard: PathBuf,
    vendor: [(&'static str, PathBuf); 3],
    query: String,
}

impl Site {
    fn new(root: &Path, query: String) -> Self {
        Self {
            dashboard: root.join("app/dashboard"),
            vendor: [
                ("/vendor/engine.js", root.join("sdk/ts/dist/engine.js")),
                (
                    "/vendor/greekhouse_engine.wasm",
                    root.join("sdk/ts/wasm/greekhouse_engine.wasm"),
                ),
                ("/vendor/greekhouse.json", root.join("idl/greekhouse.json")),
            ],
            query,
        }
    }

    /// The file for a request path: `index.html`, a file directly in `src/`, or a vendored
    /// file; nothing else (no other path of the checkout is reachable).
    fn file(&self, path: &str) -> Option<PathBuf> {
        if path == "/" || path == "/index.html" {
            return Some(self.dashboard.join("index.html"));
        }
        if let Some(name) = path.strip_prefix("/src/") {
            let plain = !name.is_empty()
                && !name.starts_with('.')
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
            return plain.then(|| self.dashboard.join("src").join(name));
        }
        self.vendor
            .iter()
            .find(|(url, _)| *url == path)
            .map(|(_, file)| file.clone())
    }
}

fn content_type(file: &Path) -> &'static str {
    match file.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript",
        Some("css") => "text/css",
        Some("json") => "application/json",
        Some("wasm") => "application/wasm",
        _ => "application/octet-stream",
    }
}

/// Answer one HTTP/1.1 request on `stream` (then the connection closes).
fn answer(site: &Site, stream: TcpStream) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    // the headers are not needed; read them so the client sees a complete exchange
    let mut header = String::new();
    while reader.read_line(&mut header)? > 2 {
        header.clear();
    }
    let mut parts = request_line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let mut out = stream;
    let respond = |out: &mut TcpStream, status: &str, headers: &str, body: &[u8]| {
        write!(
            out,
            "HTTP/1.1 {status}\r\n{headers}content-length: {}\r\ncache-control: no-store\r\n\
             connection: close\r\n\r\n",
            body.len()
        )?;
        if method != "HEAD" {
            out.write_all(body)?;
        }
        out.flush()
    };
    if method != "GET" && method != "HEAD" {
        return respond(&mut out, "405 Method Not Allowed", "", b"GET only\n");
    }
    if path == "/" && !query.split('&').any(|p| p.starts_with("url=")) {
        let location = format!("location: /?{}\r\n", site.query);
        return respond(&mut out, "302 Found", &location, b"");
    }
    match site.file(path).map(|f| (std::fs::read(&f), f)) {
        Some((Ok(body), file)) => {
            let headers = format!("content-type: {}\r\n", content_type(&file));
            respond(&mut out, "200 OK", &headers, &body)
        }
        Some((Err(_), file)) if site.vendor.iter().any(|(_, v)| *v == file) => {
            let msg = format!(
                "{} is missing: build the TypeScript SDK (cd sdk/ts && npm ci && npm run \
                 build:wasm && npm run build)\n",
                file.display()
            );
            respond(&mut out, "404 Not Found", "", msg.as_bytes())
        }
        _ => respond(&mut out, "404 Not Found", "", b"not found\n"),
    }
}

/// The repository checkout this binary was built from.
fn default_root() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    root.canonicalize().unwrap_or(root)
}

pub fn run(args: DashboardArgs) -> Result<ExitCode> {
    let query = page_query(&args)?;
    let root = args.root.clone().unwrap_or_else(default_root);
    let site = Site::new(&root, query);
    if !site.dashboard.join("index.html").is_file() {
        bail!(
            "{} has no app/dashboard/index.html: --root names a checkout of this repository",
            root.display()
        );
    }
    for (_, file) in &site.vendor {
        if !file.is_file() {
            eprintln!(
                "warning: {} is missing; the page needs it: build the TypeScript SDK (cd sdk/ts \
                 && npm ci && npm run build:wasm && npm run build)",
                file.display()
            );
        }
    }
    let listener = TcpListener::bind((args.host.as_str(), args.port))
        .with_context(|| format!("cannot listen on {}:{}", args.host, args.port))?;
    let port = listener.local_addr()?.port();
    println!("dashboard: http://{}:{port}/?{}", args.host, site.query);
    std::io::stdout().flush()?;
    let site = std::sync::Arc::new(site);
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        let site = site.clone();
        // one thread per connection: a browser opens a few at once
        std::thread::spawn(move || {
            let _ = answer(&site, stream);
        });
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: DashboardArgs,
    }

    fn parse(argv: &[&str]) -> Result<DashboardArgs, clap::Error> {
        Cli::try_parse_from(std::iter::once("dashboard").chain(argv.iter().copied()))
            .map(|c| c.args)
    }

    #[test]
    fn the_flags_become_the_pages_query() {
        let defaults = parse(&[]).unwrap();
        assert_eq!((defaults.port, defaults.host.as_str()), (8080, "127.0.0.1"));
        assert_eq!(
            page_query(&defaults).unwrap(),
            "url=http%3A%2F%2F127.0.0.1%3A8899"
        );
        let all = parse(&[
            "--url",
            "https://rpc.example/?key=a b",
            "--clearinghouse",
            "CH1",
            "--oracle",
            "U1=O1",
            "--oracle",
            "U2=O2",
            "--refresh",
            "30",
            "--port",
            "0",
        ])
        .unwrap();
        assert_eq!(
            page_query(&all).unwrap(),
            "url=https%3A%2F%2Frpc.example%2F%3Fkey%3Da%20b&clearinghouse=CH1&oracle.U1=O1&\
             oracle.U2=O2&refresh=30"
        );
    }

    #[test]
    fn bad_flags_are_refused_by_name() {
        let url = page_query(&parse(&["--url", "127.0.0.1:8899"]).unwrap()).unwrap_err();
        assert!(url.to_string().contains("--url"), "{url}");
        let oracle = page_query(&parse(&["--oracle", "U1"]).unwrap()).unwrap_err();
        assert!(
            oracle.to_string().contains("UNDERLYING=ACCOUNT"),
            "{oracle}"
        );
        assert!(parse(&["--port", "70000"]).is_err());
        assert!(parse(&["--refresh", "soon"]).is_err());
    }

    #[test]
    fn only_the_pages_files_are_reachable() {
        let site = Site::new(Path::new("/repo"), String::new());
        let at = |p: &str| site.file(p).map(|f| f.display().to_string());
        assert_eq!(at("/").as_deref(), Some("/repo/app/dashboard/index.html"));
        assert_eq!(
            at("/src/dashboard.js").as_deref(),
            Some("/repo/app/dashboard/src/dashboard.js")
        );
        assert_eq!(
            at("/vendor/greekhouse.json").as_deref(),
            Some("/repo/idl/greekhouse.json")
        );
        for outside in [
            "/src/../serve.mjs",
            "/src/",
            "/src/.hidden",
            "/package.json",
            "/src/a/b.js",
        ] {
            assert_eq!(at(outside), None, "{outside}");
        }
    }
}
