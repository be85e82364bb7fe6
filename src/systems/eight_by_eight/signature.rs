//! 8x8 webhook signatures: a detached JWS (RFC 7515) with an unencoded payload (RFC 7797,
//! `b64: false`), RS256, over the JSON
//! `{"checksum":<CRC32 of the body>,"cid":..,"eid":..,"retry":..,"tid":..,"tt":..}` built
//! from the `x-8x8-*` headers, keys in that order. The public key is a JWK served at
//! `/vcc/{region}/chat/v2/jwk/{kid}/public`.

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::{
    KeyPair as _, RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256, RsaPublicKeyComponents,
};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use serde::{Deserialize, Serialize};

/// Why a signature was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// A required `x-8x8-*` header is missing or not a number where one is needed.
    #[error("missing or invalid header {0}")]
    Header(&'static str),
    /// The signature is not `<header>..<signature>` in base64url.
    #[error("malformed signature: {0}")]
    Malformed(String),
    /// The JOSE header is not RS256 with `b64: false`.
    #[error("unsupported JOSE header: {0}")]
    Unsupported(String),
    /// The key is not a usable RSA JWK.
    #[error("bad key: {0}")]
    Key(String),
    /// The signature does not match.
    #[error("signature does not verify")]
    Mismatch,
}

/// The header values a signature covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed<'a> {
    /// `x-8x8-customer-id`.
    pub cid: &'a str,
    /// `x-8x8-event-id`.
    pub eid: &'a str,
    /// `x-8x8-retry`.
    pub retry: u64,
    /// `x-8x8-tenant-id`.
    pub tid: &'a str,
    /// `x-8x8-transmission-time`.
    pub tt: u64,
}

#[derive(Serialize)]
struct Payload<'a> {
    checksum: u32,
    cid: &'a str,
    eid: &'a str,
    retry: u64,
    tid: &'a str,
    tt: u64,
}

/// The detached payload for `body` and `signed`, exactly as 8x8 signs it.
pub fn payload(body: &[u8], signed: &Signed<'_>) -> String {
    let p = Payload {
        checksum: crc32fast::hash(body),
        cid: signed.cid,
        eid: signed.eid,
        retry: signed.retry,
        tid: signed.tid,
        tt: signed.tt,
    };
    // A struct of strings and integers always serializes.
    serde_json::to_string(&p).unwrap_or_default()
}

/// The JOSE header of a signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoseHeader {
    /// `RS256`.
    pub alg: String,
    /// The key id.
    pub kid: String,
    /// `false`: the payload is not base64url-encoded.
    #[serde(default = "yes")]
    pub b64: bool,
    /// `["b64"]`.
    #[serde(default)]
    pub crit: Vec<String>,
}

fn yes() -> bool {
    true
}

/// A public RSA key as a JWK.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jwk {
    /// `RSA`.
    pub kty: String,
    /// The key id.
    #[serde(default)]
    pub kid: Option<String>,
    /// `RS256`.
    #[serde(default)]
    pub alg: Option<String>,
    /// `sig`.
    #[serde(default, rename = "use")]
    pub usage: Option<String>,
    /// Modulus, base64url.
    pub n: String,
    /// Exponent, base64url.
    pub e: String,
}

/// The JOSE header of `signature` (`<b64url header>..<b64url signature>`).
pub fn header_of(signature: &str) -> Result<JoseHeader, SignatureError> {
    let (header, _) = split(signature)?;
    parse_header(header)
}

fn split(signature: &str) -> Result<(&str, &str), SignatureError> {
    let mut parts = signature.trim().split('.');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(h), Some(""), Some(s), None) if !h.is_empty() && !s.is_empty() => Ok((h, s)),
        _ => Err(SignatureError::Malformed(
            "expected <header>..<signature>".into(),
        )),
    }
}

fn parse_header(encoded: &str) -> Result<JoseHeader, SignatureError> {
    let raw = B64
        .decode(encoded)
        .map_err(|e| SignatureError::Malformed(e.to_string()))?;
    let header: JoseHeader =
        serde_json::from_slice(&raw).map_err(|e| SignatureError::Malformed(e.to_string()))?;
    if header.alg != "RS256" || header.b64 || !header.crit.iter().any(|c| c == "b64") {
        return Err(SignatureError::Unsupported(
            String::from_utf8_lossy(&raw).into_owned(),
        ));
    }
    Ok(header)
}

/// Checks `signature` over `payload` with `key`.
pub fn verify(signature: &str, payload: &str, key: &Jwk) -> Result<(), SignatureError> {
    let (header, sig) = split(signature)?;
    parse_header(header)?;
    if key.kty != "RSA" {
        return Err(SignatureError::Key(format!("kty {}", key.kty)));
    }
    let n = B64
        .decode(&key.n)
        .map_err(|e| SignatureError::Key(e.to_string()))?;
    let e = B64
        .decode(&key.e)
        .map_err(|e| SignatureError::Key(e.to_string()))?;
    let sig = B64
        .decode(sig)
        .map_err(|e| SignatureError::Malformed(e.to_string()))?;
    let input = format!("{header}.{payload}");
    RsaPublicKeyComponents { n: &n, e: &e }
        .verify(&RSA_PKCS1_2048_8192_SHA256, input.as_bytes(), &sig)
        .map_err(|_| SignatureError::Mismatch)
}

/// An RS256 signer with a fresh RSA-2048 key (the emulators' stand-in for 8x8's key).
pub struct Signer {
    key: KeyPair,
    kid: String,
}

crate::debug::debug_fields!(Signer { kid });

impl Signer {
    /// A new key called `kid`.
    pub fn generate(kid: &str) -> Result<Self, SignatureError> {
        let key =
            KeyPair::generate(KeySize::Rsa2048).map_err(|e| SignatureError::Key(e.to_string()))?;
        Ok(Self {
            key,
            kid: kid.to_owned(),
        })
    }

    /// The key id.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The public key as a JWK.
    pub fn jwk(&self) -> Jwk {
        let public = self.key.public_key();
        Jwk {
            kty: "RSA".into(),
            kid: Some(self.kid.clone()),
            alg: Some("RS256".into()),
            usage: Some("sig".into()),
            n: B64.encode(public.modulus().big_endian_without_leading_zero()),
            e: B64.encode(public.exponent().big_endian_without_leading_zero()),
        }
    }

    /// The detached JWS of `payload`: `<b64url header>..<b64url signature>`.
    pub fn sign(&self, payload: &str) -> Result<String, SignatureError> {
        let header =
            serde_json::json!({"b64": false, "crit": ["b64"], "kid": self.kid, "alg": "RS256"});
        let header = B64.encode(header.to_string());
        let input = format!("{header}.{payload}");
        let mut sig = vec![0; self.key.public_modulus_len()];
        self.key
            .sign(
                &RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                input.as_bytes(),
                &mut sig,
            )
            .map_err(|e| SignatureError::Key(e.to_string()))?;
        Ok(format!("{header}..{}", B64.encode(sig)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signed() -> Signed<'static> {
        Signed {
            cid: "vccC8ProdChecksUS",
            eid: "g4nqGuj8TpCa6tiZ3DeeNw",
            retry: 0,
            tid: "vccC8ProdChecksUS",
            tt: 1_629_804_577_296,
        }
    }

    #[test]
    fn payload_keeps_the_documented_key_order() {
        let p = payload(b"123456789", &signed());
        // CRC32 (IEEE) of "123456789" is the standard check value 0xCBF43926.
        assert_eq!(
            p,
            r#"{"checksum":3421780262,"cid":"vccC8ProdChecksUS","eid":"g4nqGuj8TpCa6tiZ3DeeNw","retry":0,"tid":"vccC8ProdChecksUS","tt":1629804577296}"#
        );
    }

    #[test]
    fn a_signature_verifies_and_a_changed_payload_does_not() {
        let signer = Signer::generate("key1").unwrap();
        let p = payload(b"{\"eventType\":\"MESSAGE\"}", &signed());
        let sig = signer.sign(&p).unwrap();
        assert_eq!(header_of(&sig).unwrap().kid, "key1");
        verify(&sig, &p, &signer.jwk()).unwrap();
        let other = payload(b"{\"eventType\":\"MESSAGE!\"}", &signed());
        assert_eq!(
            verify(&sig, &other, &signer.jwk()),
            Err(SignatureError::Mismatch)
        );
        let wrong_key = Signer::generate("key1").unwrap().jwk();
        assert_eq!(verify(&sig, &p, &wrong_key), Err(SignatureError::Mismatch));
    }

    #[test]
    fn malformed_signatures_are_named() {
        assert!(matches!(
            header_of("abc"),
            Err(SignatureError::Malformed(_))
        ));
        let attached = format!(
            "{}.{}.{}",
            B64.encode(r#"{"alg":"RS256","kid":"k"}"#),
            "x",
            "y"
        );
        assert!(matches!(
            header_of(&attached),
            Err(SignatureError::Malformed(_))
        ));
        let plain = format!("{}..sig", B64.encode(r#"{"alg":"RS256","kid":"k"}"#));
        assert!(matches!(
            header_of(&plain),
            Err(SignatureError::Unsupported(_))
        ));
    }
}
