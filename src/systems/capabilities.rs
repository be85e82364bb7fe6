//! What a system can do in a handoff, beyond sending and receiving text: one value per system,
//! declared in its folder's registry line, read wherever a feature depends on it (e.g.
//! `handoff run --system X` skips a scenario whose steps need what X lacks).

/// One thing a system may or may not support.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capability {
    /// A second agent joins a live chat another agent holds.
    BargeIn,
    /// An agent hands a live chat to another agent.
    Transfer,
    /// Files travel between the user and the agent.
    Attachments,
    /// An agent turns a request down with a reason the broker sees.
    RejectReason,
    /// The system's queue gives up on a waiting request (and says so).
    QueueExpiry,
}

impl Capability {
    /// Every capability, in the order reports list them.
    pub const ALL: [Self; 5] = [
        Self::BargeIn,
        Self::Transfer,
        Self::Attachments,
        Self::RejectReason,
        Self::QueueExpiry,
    ];

    /// Its name in messages.
    pub fn name(self) -> &'static str {
        match self {
            Self::BargeIn => "barge-in",
            Self::Transfer => "transfer",
            Self::Attachments => "attachments",
            Self::RejectReason => "reject with a reason",
            Self::QueueExpiry => "queue expiry",
        }
    }
}

/// What a system supports: a set of [`Capability`], as a `const` each system declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capabilities(&'static [Capability]);

impl Capabilities {
    /// The capabilities listed.
    pub const fn of(list: &'static [Capability]) -> Self {
        Self(list)
    }

    /// Text only: no agent-side extras the broker can drive.
    pub const NONE: Self = Self(&[]);

    /// What the brokered systems document (their `PROTOCOL.md`): transfers, files and a queue
    /// that can give up; no barge-in, and a rejection's reason stays inside the desk.
    pub const BROKERED: Self = Self(&[
        Capability::Transfer,
        Capability::Attachments,
        Capability::QueueExpiry,
    ]);

    /// Whether `capability` is among them.
    pub fn has(self, capability: Capability) -> bool {
        self.0.contains(&capability)
    }

    /// The ones of `Capability::ALL` it lacks.
    pub fn missing(self) -> Vec<Capability> {
        Capability::ALL
            .into_iter()
            .filter(|c| !self.has(*c))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brokered_systems_lack_barge_in_and_the_reject_reason_only() {
        assert_eq!(
            Capabilities::BROKERED.missing(),
            vec![Capability::BargeIn, Capability::RejectReason]
        );
        assert_eq!(Capabilities::NONE.missing(), Capability::ALL.to_vec());
    }
}
