//! Who may do what, and on which cases: the roles of the platform's users, what each may do
//! ([`Permission`]), and the part of the ledger each may see ([`Scope`]).
//!
//! Pure rules: this module knows nothing of passwords, sessions, tokens or HTTP. The web edge
//! authenticates a request, turns it into a [`Principal`], and asks the principal.

mod principal;
mod role;
mod scope;

pub use principal::Principal;
pub use role::{Permission, Role};
pub use scope::{Scope, ScopeError};
