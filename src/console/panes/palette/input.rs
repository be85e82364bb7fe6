//! Keys while the command palette is open: type to filter, Up / Down to choose, Enter to run,
//! Esc to close.

use super::keys::{PALETTE, PaletteKey};
use super::{Action, Palette};
use crate::console::app::App;
use crate::console::input::{open_help, toggle_inspector};
use crate::console::keymap::dispatch;
use crate::console::msg::Command;
use crate::console::panes::chat::input as chat;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Opens the palette with an empty filter.
pub(crate) fn open(app: &mut App) {
    app.palette = Some(Palette {
        agent: app.inbox.agent.clone(),
        ..Palette::default()
    });
}

/// A key for the open palette.
pub(crate) fn key(app: &mut App, key: KeyEvent) -> Vec<Command> {
    let Some(palette) = app.palette.as_mut() else {
        return Vec::new();
    };
    if palette.ask.is_some() {
        return super::ask::key(app, key);
    }
    match dispatch(PALETTE, &key) {
        Some(PaletteKey::Close) => app.palette = None,
        Some(PaletteKey::Up) => palette.step(-1),
        Some(PaletteKey::Down) => palette.step(1),
        Some(PaletteKey::Shorten) => palette.pop(),
        Some(PaletteKey::Run) => {
            let chosen = palette.chosen();
            app.palette = None;
            if let Some(entry) = chosen {
                return run(app, entry.action);
            }
        }
        None => {
            if let KeyCode::Char(c) = key.code
                && !key.modifiers.contains(KeyModifiers::CONTROL)
            {
                palette.push(c);
            }
        }
    }
    Vec::new()
}

/// Does what an entry says, as its key would.
fn run(app: &mut App, action: Action) -> Vec<Command> {
    match action {
        Action::NewConversation => {
            let name = app.chat.user.as_ref().map(|u| u.name.clone());
            return chat::new_conversation(app, name.as_deref().unwrap_or_default());
        }
        Action::NewConversationAs => chat::ask_user_name(app),
        Action::Links => crate::console::links::open_latest(app),
        Action::Inspector => toggle_inspector(app),
        Action::Help => open_help(app),
        Action::Notify => crate::console::panes::inbox::input::ask_notification(app),
        Action::Invite => {
            let invite = crate::console::panes::inbox::InboxAction::Invite;
            return crate::console::panes::inbox::input::inbox_action(app, invite);
        }
        Action::SwitchPlatform => {
            return crate::console::platforms::switch(app, app.chat.platform.next());
        }
        Action::RestartBroker => return crate::console::restart::ask(app),
        Action::Quit => {
            app.quit = true;
            return vec![Command::Quit];
        }
        fault @ (Action::DropUserSocket
        | Action::DropAgentSocket
        | Action::FailCalls
        | Action::DelaySystem
        | Action::ExpireQueue) => return run_fault(app, fault),
    }
    Vec::new()
}

/// A fault entry: it runs, asks its question, or says why it cannot.
fn run_fault(app: &mut App, action: Action) -> Vec<Command> {
    use super::ask::{self, Question};
    use crate::console::faults;
    use crate::console::msg::Side;
    match action {
        Action::DropUserSocket => faults::drop_socket(app, Side::User),
        Action::DropAgentSocket => faults::drop_socket(app, Side::Agent),
        Action::ExpireQueue => faults::system(app, crate::scenario::Action::ExpireQueue),
        ask_first => {
            if let Some(why) = faults::system_unavailable(app) {
                app.notify(true, format!("No fault injected: {why}"));
            } else if ask_first == Action::FailCalls {
                ask::open(app, Question::FailCalls, faults::FAIL_SUGGESTION);
            } else {
                ask::open(app, Question::Delay, faults::DELAY_SUGGESTION);
            }
            Vec::new()
        }
    }
}

/// Why an entry cannot run now, shown beside it (it is drawn disabled); `None` when it can.
pub fn unavailable(app: &App, action: Action) -> Option<String> {
    use crate::console::faults;
    use crate::console::msg::Side;
    match action {
        Action::DropUserSocket => faults::drop_unavailable(app, Side::User),
        Action::DropAgentSocket => faults::drop_unavailable(app, Side::Agent),
        Action::FailCalls | Action::DelaySystem => faults::system_unavailable(app),
        Action::ExpireQueue => faults::expire_unavailable(app),
        _ => None,
    }
}
