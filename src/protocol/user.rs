//! Who the end user is: the identity a user's `hello` names. With the platform it talks
//! through ([`super::Platform`]), it keys the user's conversations.

use serde::{Deserialize, Serialize};

/// The identity of the simulated end user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserInfo {
    /// A stable id, e.g. an employee id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Email, used by systems that link accounts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

impl Default for UserInfo {
    fn default() -> Self {
        Self {
            id: "u-1001".into(),
            name: "Alex Kim".into(),
            email: Some("alex.kim@example.com".into()),
        }
    }
}
