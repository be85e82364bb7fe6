//! Which conversation a user's hello joins (issue 15, rule 8): the one it resumes, the user's
//! conversation on the platform it names (bot-scoped: one per user and platform, Web's sites
//! sharing one), or a new one. A hello naming neither platform nor site is a protocol-1 hello
//! and opens a new Web conversation, as it always did.

use super::{Hub, Join};
use crate::broker::attachment;
use crate::broker::platform::Scope;
use crate::protocol::{ConversationId, ErrorCode, Platform, check_site};

impl Hub {
    /// The conversation a user's `join` is for, opened when it needs one.
    pub(super) fn user_conversation(
        &mut self,
        join: &Join,
    ) -> Result<ConversationId, (ErrorCode, String)> {
        let site = checked_site(join)?;
        if let Some(conv) = &join.conversation {
            let conv = self.resumable(conv.clone(), join.resume.as_deref())?;
            return self.same_platform(conv, join.platform);
        }
        let platform = join.platform.unwrap_or_default();
        let user = join.user.clone().unwrap_or_default();
        let scoped = join.platform.is_some() || site.is_some();
        if let Some(conv) = self.user_chats.find(&user.id, platform).filter(|_| scoped) {
            if !join.vouched {
                return Err((
                    ErrorCode::Forbidden,
                    format!(
                        "user {:?} already has a {} conversation; continuing it needs the \
                         broker's token (a platform that vouches for the user), or \
                         hello.conversation with hello.resume",
                        user.id,
                        platform.label()
                    ),
                ));
            }
            return Ok(conv.clone());
        }
        Ok(self.open(user, Scope::new(platform, site)))
    }

    /// Whether `conv`'s platform takes a file from `sender` (the attachment matrix).
    pub(super) fn platform_allows(
        &self,
        conv: &ConversationId,
        sender: attachment::Sender,
    ) -> Result<(), (ErrorCode, String)> {
        let Some(entry) = self.conversations.get(conv) else {
            return Ok(()); // the request's own check names the unknown conversation
        };
        attachment::platform_allows(entry.machine.scope().platform, sender)
            .map_err(|e| (ErrorCode::Forbidden, format!("`attach` refused: {e}")))
    }

    /// `conv`, if the hello named no platform or the one `conv` belongs to.
    fn same_platform(
        &self,
        conv: ConversationId,
        named: Option<Platform>,
    ) -> Result<ConversationId, (ErrorCode, String)> {
        let own = self
            .conversations
            .get(&conv)
            .map(|e| e.machine.scope().platform);
        match (own, named) {
            (Some(own), Some(named)) if own != named => Err((
                ErrorCode::BadField,
                format!(
                    "invalid `hello` message: `platform`: conversation {conv} belongs to {own}, \
                     not {named}; each platform has its own chat"
                ),
            )),
            _ => Ok(conv),
        }
    }
}

/// The hello's site, checked; only Web has sites.
fn checked_site(join: &Join) -> Result<Option<String>, (ErrorCode, String)> {
    let bad = |e: String| (ErrorCode::BadField, format!("invalid `hello` message: {e}"));
    let Some(site) = join.site.as_deref() else {
        return Ok(None);
    };
    let site = check_site(site).map_err(bad)?;
    match join.platform {
        Some(p) if p != Platform::Web => Err(bad(format!(
            "`site` is for web chats; {} has no sites",
            p.label()
        ))),
        _ => Ok(Some(site)),
    }
}
