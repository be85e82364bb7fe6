//! Helpers shared by the vendor-fixture tests: a loopback recorder that sits between a
//! connector and its emulator (or receives an emulator's webhooks), and a comparison of JSON
//! shapes (the same keys and value types; ids, times and texts may differ).

#![allow(dead_code, clippy::expect_used, clippy::unwrap_used)] // helpers fail loudly

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The most requests a recorder keeps; later ones are still answered (or forwarded) but not
/// kept, and [`Recorder::dropped`] counts them, so a runaway retry loop cannot grow a test's
/// memory without bound.
pub const MAX_RECORDED: usize = 256;

/// One request as the recorder saw it.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// The HTTP method.
    pub method: Method,
    /// The path without the query.
    pub path: String,
    /// The `accept` header, if any.
    pub accept: Option<String>,
    /// The body as JSON (`Null` when it was empty or not JSON).
    pub body: Value,
}

#[derive(Default)]
struct Log {
    requests: Vec<Recorded>,
    dropped: usize,
}

struct Shared {
    upstream: Option<String>,
    log: Mutex<Log>,
    client: reqwest::Client,
}

/// A loopback HTTP server that records every request. With an upstream it forwards each
/// request there and answers with the upstream's answer (a recording proxy); without one it
/// answers 200 `{}` (a webhook receiver).
#[derive(Clone)]
pub struct Recorder {
    shared: Arc<Shared>,
    base: String,
}

impl Recorder {
    /// Starts a recorder on `127.0.0.1:0`, forwarding to `upstream` when given.
    pub async fn spawn(upstream: Option<String>) -> Self {
        let shared = Arc::new(Shared {
            upstream,
            log: Mutex::default(),
            client: reqwest::Client::new(),
        });
        let app = Router::new().fallback(handle).with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { shared, base }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// Every request kept so far, in arrival order.
    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.log.lock().unwrap().requests.clone()
    }

    /// How many requests arrived after [`MAX_RECORDED`] and were not kept.
    pub fn dropped(&self) -> usize {
        self.shared.log.lock().unwrap().dropped
    }

    /// Waits (a safety net of ten seconds) for the first request that `pick` accepts.
    pub async fn wait(&self, what: &str, pick: impl Fn(&Recorded) -> bool) -> Recorded {
        let found = tokio::time::timeout(Duration::from_secs(10), async {
            loop {
                if let Some(r) = self.requests().into_iter().find(|r| pick(r)) {
                    return r;
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
        .await;
        found.unwrap_or_else(|_| panic!("no {what} among {:#?}", self.requests()))
    }

    /// The first request with this method whose path ends with `suffix`.
    pub async fn call(&self, method: Method, suffix: &str) -> Recorded {
        let what = format!("{method} …{suffix}");
        self.wait(&what, |r| r.method == method && r.path.ends_with(suffix))
            .await
    }

    /// The first JSON body whose `key` is `value` (webhook events by their type).
    pub async fn event(&self, key: &str, value: &str) -> Value {
        let what = format!("an event with {key} = {value}");
        self.wait(&what, |r| r.body[key] == value).await.body
    }
}

async fn handle(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let recorded = Recorded {
        method: method.clone(),
        path: uri.path().to_owned(),
        accept: headers
            .get("accept")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
    };
    {
        let mut log = shared.log.lock().unwrap();
        if log.requests.len() < MAX_RECORDED {
            log.requests.push(recorded);
        } else {
            log.dropped += 1;
        }
    }
    let Some(upstream) = &shared.upstream else {
        return (StatusCode::OK, axum::Json(serde_json::json!({}))).into_response();
    };
    let target = format!(
        "{upstream}{}",
        uri.path_and_query().map_or("/", |p| p.as_str())
    );
    let mut forward = shared.client.request(method, target).body(body);
    for (name, value) in &headers {
        if name != "host" && name != "content-length" {
            forward = forward.header(name, value);
        }
    }
    let answer = forward.send().await.expect("the emulator answers");
    let status = answer.status();
    let mut out = HeaderMap::new();
    for (name, value) in answer.headers() {
        if name == "content-type" || name == "location" || name == "retry-after" {
            out.insert(name, value.clone());
        }
    }
    let bytes = answer.bytes().await.expect("the emulator's body");
    (status, out, bytes).into_response()
}

/// Where `actual` differs in shape from `fixture`: keys missing or extra, and values of
/// another JSON type. Arrays compare each element of `actual` with the fixture's first.
/// Paths in `optional` (dotted, `[]` for array elements: `user.phone`,
/// `history.messages[].text`) may be absent on either side.
pub fn shape_diff(fixture: &Value, actual: &Value, optional: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    diff_at("", fixture, actual, optional, &mut out);
    out
}

/// Fails with every difference listed when `actual` is not shaped like `fixture`.
pub fn assert_shape(name: &str, fixture: &Value, actual: &Value, optional: &[&str]) {
    let diff = shape_diff(fixture, actual, optional);
    assert!(
        diff.is_empty(),
        "{name}: not shaped like the vendor's example:\n  {}\nactual: {actual:#}",
        diff.join("\n  ")
    );
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn diff_at(path: &str, fixture: &Value, actual: &Value, optional: &[&str], out: &mut Vec<String>) {
    match (fixture, actual) {
        (Value::Object(f), Value::Object(a)) => {
            for (key, fv) in f {
                let at = join(path, key);
                match a.get(key) {
                    Some(av) => diff_at(&at, fv, av, optional, out),
                    None if optional.contains(&at.as_str()) => {}
                    None => out.push(format!("{at}: missing")),
                }
            }
            for key in a.keys().filter(|k| !f.contains_key(*k)) {
                let at = join(path, key);
                if !optional.contains(&at.as_str()) {
                    out.push(format!("{at}: not in the example"));
                }
            }
        }
        (Value::Array(f), Value::Array(a)) => {
            if let Some(first) = f.first() {
                let at = format!("{path}[]");
                for av in a {
                    diff_at(&at, first, av, optional, out);
                }
            }
        }
        _ if kind(fixture) != kind(actual) => out.push(format!(
            "{path}: {} where the example has {}",
            kind(actual),
            kind(fixture)
        )),
        _ => {}
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// Reads a fixture's JSON, naming the fixture when it is not JSON.
pub fn fixture(name: &str, text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("fixture {name}: {e}"))
}
