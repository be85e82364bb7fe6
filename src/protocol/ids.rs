//! Identifier newtypes, so a conversation id cannot be passed where a message id is expected.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl $name {
            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self(s.to_owned())
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                Self(s)
            }
        }
    };
}

string_id!(
    /// A conversation of one user, chosen by the broker (`c-` followed by random hex).
    ConversationId
);
string_id!(
    /// A message in a conversation, unique within it.
    MessageId
);
string_id!(
    /// A client's id for one request, echoed in the ack or error that answers it.
    RequestId
);

impl ConversationId {
    /// A new conversation id: `c-` and 128 bits from the operating system's CSPRNG, in hex, so
    /// an id cannot be guessed from others. Falls back to the process RNG only if the OS
    /// refuses (the id stays unique; the resume secret, not the id, guards the conversation).
    pub fn random() -> Self {
        let mut bytes = [0u8; 16];
        if aws_lc_rs::rand::fill(&mut bytes).is_err() {
            bytes = fastrand::u128(..).to_be_bytes();
        }
        Self(format!("c-{}", hex::encode(bytes)))
    }
}
