//! The demo district's users (`data/demo/users.toml`): one for every role. They share one
//! password, generated for this demo ledger and kept beside it (as its personal-data key is), so
//! that every start of `serve --demo` can print it. Never used on a real ledger.

use anyhow::Context;
use serde::Deserialize;
use shanzhi_store::{NewUser, Store};
use shanzhi_web::auth::{Secret, hash_password};

use crate::cli;
use crate::commands::parse_scope;
use crate::ledger::Ledger;

const USERS: &str = include_str!("../../../../data/demo/users.toml");
const PASSWORD_SETTING: &str = "demo_password";

#[derive(Deserialize)]
struct UsersFile {
    user: Vec<UserEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UserEntry {
    username: String,
    name: String,
    role: String,
    region: Option<String>,
    department: Option<String>,
}

/// A demo user as the start-up banner shows it.
pub struct DemoLogin {
    pub username: String,
    pub name: String,
    pub role: &'static str,
    pub scope: String,
}

/// Adds the demo users that are missing; returns them all and their password. `None` on a
/// ledger that is not a demo ledger (`serve --demo` on a real one): it gets no demo accounts, an
/// administrator among them, whose password the database keeps in clear. A demo ledger is one
/// the demo has just filled (`filled_now`), one keyed with the demo's generated key, or one
/// that has had its demo users before.
pub async fn ensure(ledger: &Ledger, filled_now: bool) -> anyhow::Result<Option<(Vec<DemoLogin>, String)>> {
    let store: &dyn Store = ledger.store.as_ref();
    let demo_ledger = filled_now
        || store.setting(crate::ledger::DEMO_KEY).await?.is_some()
        || store.setting(PASSWORD_SETTING).await?.is_some();
    if !demo_ledger {
        tracing::warn!("not a demo ledger: no demo users are added");
        return Ok(None);
    }
    let file: UsersFile = toml::from_str(USERS).context("reading data/demo/users.toml")?;
    let fresh = Secret::generate().expose()[..12].to_owned();
    let password = store.put_setting_if_absent(PASSWORD_SETTING, &fresh).await?;
    let mut logins = Vec::with_capacity(file.user.len());
    for entry in file.user {
        let scope = cli::Scope { role: entry.role, region: entry.region, department: entry.department };
        let (role, scope) = parse_scope(&scope, &ledger.gazetteer, &ledger.departments)
            .with_context(|| format!("demo user `{}`", entry.username))?;
        if store.user(&entry.username).await?.is_none() {
            let password = password.clone();
            let password_hash = tokio::task::spawn_blocking(move || hash_password(&password)).await?;
            store
                .add_user(&NewUser {
                    username: entry.username.clone(),
                    display_name: entry.name.clone(),
                    password_hash,
                    role,
                    region: scope.region(),
                    department: scope.department().map(str::to_owned),
                })
                .await?;
        }
        logins.push(DemoLogin {
            username: entry.username,
            name: entry.name,
            role: role.label(),
            scope: scope.label(&ledger.gazetteer),
        });
    }
    Ok(Some((logins, password)))
}
