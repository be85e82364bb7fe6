//! The paths foreign text takes, each as a function of one hostile string. A target returns an
//! error when an invariant does not hold; a panic is the other way to fail.

use super::frames;
use crate::console::{App, Direction, Msg, Side, update};
use crate::protocol::{ConversationEvent, ServerMsg, decode_client};
use crate::store::{StoredConversation, StoredEvent, export};
use crate::text;
use crate::theme::Theme;
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;

/// Rich text, sanitising, widths and wrapping, with their invariants.
pub fn text_paths(t: &str, columns: usize) -> Result<(), String> {
    for paragraph in text::parse(t) {
        for run in &paragraph {
            no_controls(&run.text, "a parsed run")?;
        }
    }
    no_controls(&text::to_plain(t).replace('\n', " "), "to_plain")?;
    no_controls(&text::clean(t), "clean")?;
    if text::clean_text(t, true).contains(|c: char| c != '\n' && c.is_control()) {
        return Err("clean_text kept a control character".into());
    }
    no_controls(
        &text::to_plain(&text::paragraph(t)).replace('\n', ""),
        "a round trip",
    )?;
    let _ = text::decode_entities(t);
    let runs = [(text::clean(t).into_owned(), ())];
    let widest = widest_grapheme(&runs[0].0);
    for line in text::wrap(&runs, columns) {
        let w: usize = line.iter().map(|(s, ())| text::width(s)).sum();
        if w > columns.max(widest) {
            return Err(format!(
                "a wrapped line is {w} columns wide, over {columns}"
            ));
        }
    }
    Ok(())
}

fn widest_grapheme(s: &str) -> usize {
    use unicode_segmentation::UnicodeSegmentation as _;
    s.graphemes(true)
        .map(text::grapheme_width)
        .max()
        .unwrap_or(0)
}

fn no_controls(s: &str, what: &str) -> Result<(), String> {
    match s.chars().find(|c| c.is_control()) {
        Some(c) => Err(format!("{what} kept the control character {c:?}")),
        None => Ok(()),
    }
}

/// Frame decoding: the text as a frame, and inside each string field of each client message.
pub fn protocol_paths(t: &str) -> Result<(), String> {
    let _ = decode_client(t);
    let quoted = serde_json::Value::String(t.to_owned()).to_string();
    for template in [
        r#"{"type":"hello","protocol":1,"role":"user","client":T,"conversation":T}"#,
        r#"{"type":"hello","protocol":1,"role":T,"agent":T,"since":{"c":1}}"#,
        r#"{"type":"say","id":T,"conversation":T,"text":T}"#,
        r#"{"type":"press","id":"1","conversation":"c","message":T,"action":T}"#,
        r#"{"type":"reply","id":"1","conversation":"c","text":T}"#,
        r#"{"type":"attach","id":"1","conversation":"c","name":T,"content_type":T,"data":T}"#,
        r#"{"type":"reject","id":"1","conversation":"c","reason":T}"#,
        r#"{"type":"transfer","id":"1","conversation":"c","to":T}"#,
        r#"{"type":"invite","id":"1","conversation":T,"agent":T}"#,
        r#"{"type":"act_as","id":"1","agent":T}"#,
        r#"{"type":T,"id":T}"#,
    ] {
        let _ = decode_client(&template.replace('T', &quoted));
    }
    let _ = serde_json::from_str::<ServerMsg>(t);
    Ok(())
}

/// A transcript with the text everywhere, exported in every format.
pub fn transcript_paths(t: &str) -> Result<(), String> {
    let events = frames::conversation(t, 1)
        .into_iter()
        .filter_map(|(_, frame)| {
            let event: ConversationEvent = serde_json::from_value(frame["event"].clone()).ok()?;
            let audience = serde_json::from_value(frame["audience"].clone()).ok()?;
            let seq = frame["seq"].as_u64()?;
            Some(StoredEvent {
                seq,
                at: seq,
                audience,
                event,
            })
        })
        .collect();
    let conversation = StoredConversation {
        id: "c-1".into(),
        user: crate::protocol::UserInfo {
            id: t.to_owned(),
            name: t.to_owned(),
            email: None,
        },
        opened_at: 0,
        events,
    };
    let _ = export::text(&conversation);
    let _ = export::purple(&conversation);
    let _ = export::purple_link(&conversation);
    Ok(())
}

/// The console fed the text through every pane: frames from the broker, the inspector, pasted
/// and typed input in each text field, then drawn.
pub struct ConsolePath {
    app: App,
    terminal: Terminal<TestBackend>,
    seq: u64,
}

impl ConsolePath {
    /// A console with nothing on it yet.
    pub fn new() -> Result<Self, String> {
        let terminal = Terminal::new(TestBackend::new(80, 24)).map_err(|e| e.to_string())?;
        Ok(Self {
            app: App::new(Theme::default(), "ws://127.0.0.1:1"),
            terminal,
            seq: 0,
        })
    }

    /// Feeds `t` everywhere, then draws at `width` x `height`.
    pub fn feed(&mut self, t: &str, width: u16, height: u16) -> Result<(), String> {
        if self.seq == 0 {
            for frame in frames::opening(t) {
                self.frame(Side::User, frame);
            }
        }
        let events = frames::conversation(t, self.seq + 1);
        self.seq += events.len() as u64;
        for (to_user, frame) in events {
            let side = if to_user { Side::User } else { Side::Agent };
            self.frame(side, frame);
        }
        for frame in frames::others(t) {
            self.frame(Side::Agent, frame);
        }
        self.apply(Msg::Frame {
            side: Side::User,
            direction: Direction::In,
            at: 1,
            text: t.to_owned(),
        });
        self.type_everywhere(t);
        self.draw(width, height)
    }

    fn frame(&mut self, side: Side, frame: serde_json::Value) {
        if let Ok(msg) = serde_json::from_value::<ServerMsg>(frame) {
            self.apply(Msg::Server { side, msg });
        }
    }

    fn apply(&mut self, msg: Msg) {
        let _ = update(&mut self.app, msg);
    }

    fn key(&mut self, code: KeyCode) {
        self.apply(Msg::Input(Event::Key(KeyEvent::new(
            code,
            KeyModifiers::NONE,
        ))));
    }

    /// Pastes and types the text into the composer, the reply box and the inspector's filter.
    fn type_everywhere(&mut self, t: &str) {
        self.apply(Msg::Input(Event::Paste(t.to_owned())));
        for c in t.chars().take(64) {
            self.key(KeyCode::Char(c));
        }
        for code in [KeyCode::Tab, KeyCode::Tab, KeyCode::Enter] {
            self.key(code);
        }
        self.apply(Msg::Input(Event::Paste(t.to_owned())));
        for code in [
            KeyCode::Esc,
            KeyCode::F(2),
            KeyCode::Tab,
            KeyCode::Tab,
            KeyCode::Char('/'),
        ] {
            self.key(code);
        }
        self.apply(Msg::Input(Event::Paste(t.to_owned())));
        for code in [
            KeyCode::Enter,
            KeyCode::End,
            KeyCode::PageUp,
            KeyCode::F(2),
            KeyCode::Esc,
        ] {
            self.key(code);
        }
    }

    fn draw(&mut self, width: u16, height: u16) -> Result<(), String> {
        let size = Rect::new(0, 0, width, height);
        self.terminal.backend_mut().resize(width, height);
        self.terminal.resize(size).map_err(|e| e.to_string())?;
        self.apply(Msg::Input(Event::Resize(width, height)));
        let app = &self.app;
        self.terminal
            .draw(|frame| crate::console::view::render(app, frame))
            .map_err(|e| format!("drawing failed: {e}"))?;
        Ok(())
    }
}
