//! What a system can do in a handoff, beyond sending and receiving text: one value per system,
//! declared in its folder's registry line, read wherever a feature depends on it (e.g.
//! `handoff run --system X` skips a scenario whose steps need what X lacks).

/// One thing a system may or may not support.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capability {
    /// A second agent joins a live chat another agent holds.
    BargeIn,
    /// An agent in a live chat invites another, who joins as a second agent when they accept.
    Invite,
    /// An agent hands a live chat to another agent.
    Transfer,
    /// Files travel between the user and the agent.
    Attachments,
    /// When an agent turns a request down, the broker is told, with the agent's reason (every
    /// desk lets an agent turn a request down; on most the next agent is just rung).
    RejectReason,
    /// The system's queue gives up on a waiting request (and says so).
    QueueExpiry,
}

impl Capability {
    /// Every capability, in the order reports list them.
    pub const ALL: [Self; 6] = [
        Self::BargeIn,
        Self::Invite,
        Self::Transfer,
        Self::Attachments,
        Self::RejectReason,
        Self::QueueExpiry,
    ];

    /// Its name in messages.
    pub fn name(self) -> &'static str {
        match self {
            Self::BargeIn => "barge-in",
            Self::Invite => "invite",
            Self::Transfer => "transfer",
            Self::Attachments => "attachments",
            Self::RejectReason => "rejections told to the broker",
            Self::QueueExpiry => "queue expiry",
        }
    }
}

/// What a system supports: a set of [`Capability`], as a `const` each system declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capabilities(u8);

impl Capabilities {
    /// The capabilities listed.
    pub const fn of(list: &[Capability]) -> Self {
        let mut bits = 0;
        let mut i = 0;
        while i < list.len() {
            bits |= list[i].bit();
            i += 1;
        }
        Self(bits)
    }

    /// Text only: no agent-side extras the broker can drive.
    pub const NONE: Self = Self(0);

    /// What the brokered systems document (their `PROTOCOL.md`): transfers, files and a queue
    /// that can give up; a rejection's reason stays inside the desk. Barge-in is added by
    /// [`Capabilities::with`] from the folder's `SECOND_AGENT`, and invite with it (an invitee
    /// joins as a barge-in does).
    pub const BROKERED: Self = Self::of(&[
        Capability::Transfer,
        Capability::Attachments,
        Capability::QueueExpiry,
    ]);

    /// These, with `capability` added when `yes` (or left out when not).
    #[must_use]
    pub const fn with(self, capability: Capability, yes: bool) -> Self {
        if yes {
            Self(self.0 | capability.bit())
        } else {
            Self(self.0 & !capability.bit())
        }
    }

    /// Whether `capability` is among them.
    pub const fn has(self, capability: Capability) -> bool {
        self.0 & capability.bit() != 0
    }

    /// The ones of `Capability::ALL` it lacks.
    pub fn missing(self) -> Vec<Capability> {
        Capability::ALL
            .into_iter()
            .filter(|c| !self.has(*c))
            .collect()
    }
}

impl Capability {
    const fn bit(self) -> u8 {
        1 << self as u8
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brokered_systems_lack_a_second_agent_and_the_reject_reason_only() {
        assert_eq!(
            Capabilities::BROKERED.missing(),
            vec![
                Capability::BargeIn,
                Capability::Invite,
                Capability::RejectReason
            ]
        );
        let joined = Capabilities::BROKERED
            .with(Capability::BargeIn, true)
            .with(Capability::Invite, true);
        assert_eq!(joined.missing(), vec![Capability::RejectReason]);
        assert_eq!(
            joined
                .with(Capability::BargeIn, false)
                .with(Capability::Invite, false),
            Capabilities::BROKERED
        );
        assert_eq!(Capabilities::NONE.missing(), Capability::ALL.to_vec());
    }
}
