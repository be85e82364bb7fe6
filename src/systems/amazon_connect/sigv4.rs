//! AWS Signature Version 4 for the Connect control plane (`StartChatContact`,
//! `GetCurrentMetricData`), written against the AWS `SigV4` documentation and checked with its
//! published examples (tests below). Small enough to own: HMAC-SHA256 and SHA-256 come from
//! aws-lc-rs, already in the tree; the AWS SDK's signer would pull in its whole runtime.

use crate::connectors::http::{Call, Method};
use crate::connectors::redact::Secret;
use aws_lc_rs::{digest, hmac};
use std::fmt::Write as _;
use std::time::SystemTime;

/// AWS credentials.
#[derive(Debug, Clone)]
pub struct Credentials {
    /// Access key id (not secret, but kept out of logs anyway).
    pub access_key_id: String,
    /// Secret access key.
    pub secret_access_key: Secret,
    /// Session token of temporary credentials.
    pub session_token: Option<Secret>,
}

/// `at` as a UTC timestamp (the epoch for a time before it, which no clock here reports).
fn timestamp(at: SystemTime) -> jiff::Timestamp {
    jiff::Timestamp::try_from(at).unwrap_or(jiff::Timestamp::UNIX_EPOCH)
}

/// `YYYYMMDD'T'HHMMSS'Z'` of `at`.
pub fn amz_date(at: SystemTime) -> String {
    timestamp(at).strftime("%Y%m%dT%H%M%SZ").to_string()
}

/// `YYYY-MM-DDTHH:MM:SS.mmmZ` of `at`, as Connect writes `AbsoluteTime`.
pub fn iso8601(at: SystemTime) -> String {
    timestamp(at).strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

fn sha256_hex(data: &[u8]) -> String {
    hex::encode(digest::digest(&digest::SHA256, data))
}

fn hmac_sha256(key: &[u8], data: &[u8]) -> Vec<u8> {
    hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), data)
        .as_ref()
        .to_vec()
}

/// RFC 3986 encoding of everything but the unreserved characters.
fn uri_encode(text: &str, keep_slash: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char);
            }
            b'/' if keep_slash => out.push('/'),
            _ => {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    out
}

fn decode(text: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", text.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// What signing needs of a request.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    /// `GET`, `POST`, ...
    pub method: &'a str,
    /// The full URL.
    pub url: &'a url::Url,
    /// Headers besides `host` and `x-amz-date`, which the signer adds.
    pub headers: &'a [(String, String)],
    /// The body.
    pub body: &'a [u8],
}

/// The headers to add: `x-amz-date`, optionally `x-amz-security-token`, and `Authorization`.
pub fn sign(
    request: &Request<'_>,
    credentials: &Credentials,
    region: &str,
    service: &str,
    at: SystemTime,
) -> Vec<(String, String)> {
    sign_at(request, credentials, region, service, &amz_date(at))
}

/// [`sign`] at an `x-amz-date` value (`YYYYMMDDTHHMMSSZ`), for checking a received signature.
pub fn sign_at(
    request: &Request<'_>,
    credentials: &Credentials,
    region: &str,
    service: &str,
    date_time: &str,
) -> Vec<(String, String)> {
    let date_time = date_time.to_owned();
    let date = date_time.get(..8).unwrap_or_default();
    let host = match (request.url.host_str(), request.url.port()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.to_owned(),
        _ => String::new(),
    };
    let mut headers: Vec<(String, String)> = request
        .headers
        .iter()
        .map(|(n, v)| {
            (
                n.to_ascii_lowercase(),
                v.split_whitespace().collect::<Vec<_>>().join(" "),
            )
        })
        .filter(|(n, _)| n != "authorization" && n != "host" && n != "x-amz-date")
        .collect();
    headers.push(("host".into(), host));
    headers.push(("x-amz-date".into(), date_time.clone()));
    if let Some(token) = &credentials.session_token {
        headers.push(("x-amz-security-token".into(), token.expose().to_owned()));
    }
    headers.sort();
    let canonical_headers = headers.iter().fold(String::new(), |mut out, (n, v)| {
        let _ = writeln!(out, "{n}:{}", v.trim());
        out
    });
    let signed_headers = headers
        .iter()
        .map(|(n, _)| n.as_str())
        .collect::<Vec<_>>()
        .join(";");
    // Each path segment is encoded twice for every service but S3.
    let path = request.url.path();
    let path = if path.is_empty() {
        "/".to_owned()
    } else {
        uri_encode(&uri_encode(&decode(path), true), true)
    };
    let mut query: Vec<(String, String)> = request
        .url
        .query_pairs()
        .map(|(k, v)| (uri_encode(&k, false), uri_encode(&v, false)))
        .collect();
    query.sort();
    let query = query
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    let canonical = format!(
        "{}\n{path}\n{query}\n{canonical_headers}\n{signed_headers}\n{}",
        request.method,
        sha256_hex(request.body)
    );
    let scope = format!("{date}/{region}/{service}/aws4_request");
    let to_sign = format!(
        "AWS4-HMAC-SHA256\n{date_time}\n{scope}\n{}",
        sha256_hex(canonical.as_bytes())
    );
    let k_date = hmac_sha256(
        format!("AWS4{}", credentials.secret_access_key.expose()).as_bytes(),
        date.as_bytes(),
    );
    let k_region = hmac_sha256(&k_date, region.as_bytes());
    let k_service = hmac_sha256(&k_region, service.as_bytes());
    let k_signing = hmac_sha256(&k_service, b"aws4_request");
    let signature = hex::encode(hmac_sha256(&k_signing, to_sign.as_bytes()));
    let mut out = vec![("x-amz-date".to_owned(), date_time)];
    if let Some(token) = &credentials.session_token {
        out.push(("x-amz-security-token".into(), token.expose().to_owned()));
    }
    out.push((
        "Authorization".into(),
        format!(
            "AWS4-HMAC-SHA256 Credential={}/{scope}, SignedHeaders={signed_headers}, Signature={signature}",
            credentials.access_key_id
        ),
    ));
    out
}

/// Signs `call` in place for `service` in `region`, now.
pub fn sign_call(call: Call, credentials: &Credentials, region: &str, service: &str) -> Call {
    let Ok(url) = url::Url::parse(call.url()) else {
        return call;
    };
    let method = match call.method() {
        Method::Get => "GET",
        Method::Post => "POST",
        Method::Put => "PUT",
        Method::Patch => "PATCH",
        Method::Delete => "DELETE",
    };
    let added = sign(
        &Request {
            method,
            url: &url,
            headers: call.headers(),
            body: call.body_bytes(),
        },
        credentials,
        region,
        service,
        SystemTime::now(),
    );
    added
        .into_iter()
        .fold(call, |call, (n, v)| call.header(n, v))
}

/// The parts of an `Authorization: AWS4-HMAC-SHA256 ...` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    /// The access key id.
    pub access_key_id: String,
    /// `date/region/service/aws4_request`.
    pub scope: String,
    /// Signed header names.
    pub signed_headers: Vec<String>,
    /// Hex signature.
    pub signature: String,
}

/// Reads an `Authorization` header value; `None` when it is not a `SigV4` header.
pub fn parse_authorization(value: &str) -> Option<Parsed> {
    let rest = value.strip_prefix("AWS4-HMAC-SHA256 ")?;
    let mut credential = None;
    let mut signed = None;
    let mut signature = None;
    for part in rest.split(',') {
        let (k, v) = part.trim().split_once('=')?;
        match k {
            "Credential" => credential = Some(v),
            "SignedHeaders" => signed = Some(v),
            "Signature" => signature = Some(v),
            _ => {}
        }
    }
    let (access_key_id, scope) = credential?.split_once('/')?;
    Some(Parsed {
        access_key_id: access_key_id.to_owned(),
        scope: scope.to_owned(),
        signed_headers: signed?.split(';').map(str::to_owned).collect(),
        signature: signature?.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;
    use std::time::UNIX_EPOCH;

    fn example() -> Credentials {
        Credentials {
            access_key_id: "AKIDEXAMPLE".into(),
            secret_access_key: Secret::new("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
            session_token: None,
        }
    }

    fn at() -> SystemTime {
        // 2015-08-30T12:36:00Z, the date of AWS's published examples.
        UNIX_EPOCH + Duration::from_secs(1_440_938_160)
    }

    #[test]
    fn dates_format_like_aws() {
        assert_eq!(amz_date(at()), "20150830T123600Z");
        assert_eq!(
            amz_date(UNIX_EPOCH + Duration::from_secs(951_782_400)),
            "20000229T000000Z"
        );
    }

    #[test]
    fn the_aws_test_suite_get_vanilla_example() {
        let url = url::Url::parse("https://example.amazonaws.com/").unwrap();
        let headers = sign(
            &Request {
                method: "GET",
                url: &url,
                headers: &[],
                body: b"",
            },
            &example(),
            "us-east-1",
            "service",
            at(),
        );
        assert_eq!(
            headers.last().unwrap().1,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
             SignedHeaders=host;x-amz-date, \
             Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
        );
    }

    #[test]
    fn the_iam_list_users_example() {
        let url = url::Url::parse("https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08")
            .unwrap();
        let headers = [(
            "Content-Type".to_owned(),
            "application/x-www-form-urlencoded; charset=utf-8".to_owned(),
        )];
        let out = sign(
            &Request {
                method: "GET",
                url: &url,
                headers: &headers,
                body: b"",
            },
            &example(),
            "us-east-1",
            "iam",
            at(),
        );
        assert!(
            out.last().unwrap().1.ends_with(
                "SignedHeaders=content-type;host;x-amz-date, \
                 Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"
            ),
            "{:?}",
            out.last()
        );
    }

    #[test]
    fn iso_times_have_milliseconds() {
        assert_eq!(
            iso8601(at() + Duration::from_millis(7)),
            "2015-08-30T12:36:00.007Z"
        );
    }

    #[test]
    fn authorization_headers_parse() {
        let p = parse_authorization(
            "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/connect/aws4_request, SignedHeaders=host;x-amz-date, Signature=ab",
        )
        .unwrap();
        assert_eq!(p.access_key_id, "AKID");
        assert_eq!(p.scope, "20150830/us-east-1/connect/aws4_request");
        assert_eq!(p.signed_headers, vec!["host", "x-amz-date"]);
        assert!(parse_authorization("Bearer x").is_none());
    }
}
