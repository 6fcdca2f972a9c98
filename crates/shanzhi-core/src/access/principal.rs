//! Someone the platform has authenticated: a logged-in user or the holder of an API token.

use super::{Permission, Role, Scope};
use crate::Case;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The login name of a user, or the name of an API token.
    pub name: String,
    /// What the UI calls them (a user's display name; a token's name).
    pub display_name: String,
    pub role: Role,
    pub scope: Scope,
    /// Whether they came with an API token rather than a login session.
    pub by_token: bool,
}

impl Principal {
    pub fn may(&self, permission: Permission) -> bool {
        self.role.may(permission)
    }

    /// Whether they may see the case at all: the role reads cases and the case is in scope.
    pub fn may_read(&self, case: &Case) -> bool {
        self.may(Permission::ReadCases) && self.scope.covers(case)
    }

    /// How the ledger's history names them: `王小明 (wang)` for a user, `token:12345热线` for a
    /// token.
    pub fn actor(&self) -> String {
        if self.by_token { format!("token:{}", self.name) } else { format!("{} ({})", self.display_name, self.name) }
    }
}
