//! Reading what systems say of a file an agent sent: the link the user can open and the file's
//! MIME type. Shared by every connector so that they all judge links and types alike.

/// `link` when it is an absolute http(s) URL with a host: anything else the user could not open.
pub fn http_url(link: &str) -> Option<url::Url> {
    url::Url::parse(link.trim())
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.has_host())
}

/// The file's MIME type: `declared` when it is one, else guessed from the extension of `name`
/// (`application/octet-stream` when unknown).
pub fn content_type(declared: Option<&str>, name: &str) -> String {
    match declared
        .map(str::trim)
        .map(str::parse::<mime_guess::mime::Mime>)
    {
        Some(Ok(mime)) => mime.essence_str().to_owned(),
        _ => mime_guess::from_path(name)
            .first_or_octet_stream()
            .essence_str()
            .to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_absolute_http_links_are_links() {
        assert!(http_url(" https://files.example.com/a.pdf ").is_some());
        assert!(http_url("http://127.0.0.1:9/__emu/files/f-1").is_some());
        for bad in [
            "",
            "/files/a.pdf",
            "ftp://x/a.pdf",
            "javascript:alert(1)",
            "https://",
        ] {
            assert!(http_url(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn a_declared_type_wins_and_a_missing_or_bad_one_is_guessed() {
        assert_eq!(content_type(Some("Image/PNG"), "x.pdf"), "image/png");
        assert_eq!(
            content_type(Some("application/pdf; q=1"), "x"),
            "application/pdf"
        );
        assert_eq!(content_type(None, "guide.pdf"), "application/pdf");
        assert_eq!(content_type(Some(""), "notes.txt"), "text/plain");
        assert_eq!(
            content_type(Some("file"), "data"),
            "application/octet-stream"
        );
    }
}
