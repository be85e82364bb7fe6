//! Opening a link in a browser (`$BROWSER`, else the desktop's opener) off the UI thread, and
//! copying text through the terminal with OSC 52.

use super::msg::Msg;
use base64::Engine;
use std::io::Write;
use std::process::Stdio;
use tokio::sync::mpsc;

/// The program that opens links here, when there is one: the first of `$BROWSER`, else
/// `open` on macOS, else `xdg-open` when a display is there.
fn opener() -> Option<String> {
    if let Some(browser) = std::env::var("BROWSER")
        .ok()
        .and_then(|b| b.split(':').next().map(str::to_owned))
        .filter(|b| !b.trim().is_empty())
    {
        return Some(browser);
    }
    if cfg!(target_os = "macos") {
        return Some("open".into());
    }
    let display = ["DISPLAY", "WAYLAND_DISPLAY"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|d| !d.is_empty()));
    display.then(|| "xdg-open".to_owned())
}

/// Opens `url` and tells the app how it went; with nothing to open it with, shows the link.
pub async fn open(url: String, app: mpsc::Sender<Msg>) {
    let notice = |error, text| Msg::Notice { error, text };
    if !super::links::openable(&url) {
        _ = app
            .send(notice(
                true,
                format!("Not a web, mail or phone link: {url}"),
            ))
            .await;
        return;
    }
    let Some(program) = opener() else {
        let text = format!("No display to open a browser here; the link is {url} (c copies it)");
        _ = app.send(notice(false, text)).await;
        return;
    };
    // The opener's own output would draw over the console: it goes nowhere.
    let status = tokio::process::Command::new(&program)
        .arg(&url)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .await;
    let msg = match status {
        Ok(s) if s.success() => return,
        Ok(s) => notice(true, format!("{program} could not open {url} ({s})")),
        Err(e) => notice(true, format!("Cannot run {program} to open {url}: {e}")),
    };
    _ = app.send(msg).await;
}

/// Puts `text` on the clipboard of the terminal (and of the machine the terminal runs on, over
/// SSH too) with the OSC 52 sequence.
pub fn copy_osc52(text: &str) -> std::io::Result<()> {
    let encoded = base64::engine::general_purpose::STANDARD.encode(text);
    let mut out = std::io::stdout();
    write!(out, "\u{1b}]52;c;{encoded}\u{7}")?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_link_that_is_not_web_mail_or_phone_is_never_run() {
        let (tx, mut rx) = mpsc::channel(1);
        open("file:///etc/passwd".into(), tx.clone()).await;
        let Some(Msg::Notice { error: true, text }) = rx.recv().await else {
            panic!("no refusal");
        };
        assert!(text.contains("Not a web, mail or phone link"), "{text}");
        open("--help".into(), tx).await;
        assert!(matches!(
            rx.recv().await,
            Some(Msg::Notice { error: true, .. })
        ));
    }
}
