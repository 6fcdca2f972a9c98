//! `shanzhi user …` and `shanzhi token …`: who may log in, and the API tokens of integrations.

use std::io::BufRead;
use std::process::ExitCode;

use anyhow::{Context, bail};
use shanzhi_core::access::{Role, Scope};
use shanzhi_core::{DepartmentDirectory, Gazetteer, RegionCode};
use shanzhi_store::{NewApiToken, NewUser, Store, StoreError};
use shanzhi_web::auth::{Secret, hash_password};

use crate::cli::{self, TokenCommand, UserCommand};
use crate::config::Config;
use crate::ledger::{load_departments, load_gazetteer, redact_url};

/// Shortest password accepted from stdin.
const MIN_PASSWORD_CHARS: usize = 10;

pub async fn user(db: &str, config: &Config, action: UserCommand) -> anyhow::Result<ExitCode> {
    let (store, gazetteer, departments) = open(db, config).await?;
    match action {
        UserCommand::Add { username, scope, name, password_stdin } => {
            let username = username.trim().to_owned();
            if username.is_empty() || username.chars().count() > 64 || username.chars().any(char::is_control) {
                bail!("a user name is 1 to 64 printable characters");
            }
            let (role, scope) = parse_scope(&scope, &gazetteer, &departments)?;
            if role == Role::System {
                bail!("`system` is a role for API tokens (`shanzhi token create`), not for people");
            }
            let (password, shown) = if password_stdin {
                let mut line = String::new();
                std::io::stdin().lock().read_line(&mut line).context("reading the password from stdin")?;
                let password = line.trim_end_matches(['\r', '\n']).to_owned();
                if password.chars().count() < MIN_PASSWORD_CHARS {
                    bail!("the password must have at least {MIN_PASSWORD_CHARS} characters");
                }
                (password, None)
            } else {
                let password = generated_password();
                (password.clone(), Some(password))
            };
            let password_hash =
                tokio::task::spawn_blocking(move || hash_password(&password)).await.context("hashing the password")?;
            let user = NewUser {
                display_name: name.map_or_else(|| username.clone(), |n| n.trim().to_owned()),
                username,
                password_hash,
                role,
                region: scope.region(),
                department: scope.department().map(str::to_owned),
            };
            let user = match store.add_user(&user).await {
                Err(StoreError::UserExists(name)) => bail!("the user name `{name}` is taken"),
                other => other?,
            };
            println!(
                "added user {} ({}, {}, {})",
                user.username,
                user.display_name,
                role.label(),
                scope.label(&gazetteer)
            );
            if let Some(password) = shown {
                println!("password (shown once):");
                println!("{password}");
            }
            Ok(ExitCode::SUCCESS)
        }
        UserCommand::List => {
            for user in store.users().await? {
                let scope = user.region.map(|r| gazetteer.display_name(r).unwrap_or_else(|| r.to_string()));
                println!(
                    "{}\t{}\t{}\t{}{}",
                    user.username,
                    user.display_name,
                    user.role.label(),
                    scope.or(user.department).unwrap_or_else(|| "全区".into()),
                    if user.disabled { "\t(disabled)" } else { "" }
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

pub async fn token(db: &str, config: &Config, action: TokenCommand) -> anyhow::Result<ExitCode> {
    let (store, gazetteer, departments) = open(db, config).await?;
    match action {
        TokenCommand::Create { scope, name } => {
            let name = name.trim().to_owned();
            if name.is_empty() || name.chars().count() > 64 || name.chars().any(char::is_control) {
                bail!("a token's name is 1 to 64 printable characters");
            }
            let (role, scope) = parse_scope(&scope, &gazetteer, &departments)?;
            let secret = Secret::generate_token();
            let token = store
                .add_api_token(&NewApiToken {
                    name,
                    token_hash: secret.hash(),
                    role,
                    region: scope.region(),
                    department: scope.department().map(str::to_owned),
                })
                .await?;
            println!(
                "token {} `{}` ({}, {}); shown once, kept only as a hash:",
                token.id,
                token.name,
                role.label(),
                scope.label(&gazetteer)
            );
            println!("{}", secret.expose());
            Ok(ExitCode::SUCCESS)
        }
        TokenCommand::List => {
            for token in store.api_tokens().await? {
                let revoked = token.revoked_at.map(|at| format!("\trevoked {}", at.to_rfc3339()));
                println!(
                    "{}\t{}\t{}\tcreated {}{}",
                    token.id,
                    token.name,
                    token.role.code(),
                    token.created_at.to_rfc3339(),
                    revoked.unwrap_or_default()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        TokenCommand::Revoke { id } => {
            if store.revoke_api_token(id).await? {
                println!("token {id} revoked");
                Ok(ExitCode::SUCCESS)
            } else {
                bail!("no live token {id} (`shanzhi token list` shows them)")
            }
        }
    }
}

/// 16 characters from an alphabet without look-alikes (no 0/O, 1/l/I): about 90 bits.
fn generated_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).expect("the operating system's random source");
    // 256 is not a multiple of 56: the first letters are slightly likelier, by under 1 bit in all.
    bytes.iter().map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()])).collect()
}

async fn open(
    db: &str,
    config: &Config,
) -> anyhow::Result<(std::sync::Arc<dyn Store>, Gazetteer, DepartmentDirectory)> {
    let gazetteer = load_gazetteer(config)?;
    let departments = load_departments(config, &gazetteer)?;
    let store = shanzhi_store::open(db).await.with_context(|| format!("opening the database ({})", redact_url(db)))?;
    Ok((store, gazetteer, departments))
}

/// The role and the scope it works in, the region given by code or by name.
pub(crate) fn parse_scope(
    scope: &cli::Scope,
    gazetteer: &Gazetteer,
    departments: &DepartmentDirectory,
) -> anyhow::Result<(Role, Scope)> {
    let role: Role = scope.role.parse()?;
    let region = scope
        .region
        .as_deref()
        .map(|r| {
            RegionCode::parse(r)
                .ok()
                .filter(|c| gazetteer.region(*c).is_some())
                .or_else(|| gazetteer.resolve(r).ok())
                .with_context(|| format!("`{r}` is not a town or village of the district"))
        })
        .transpose()?;
    let scope = Scope::for_role(role, region, scope.department.as_deref(), gazetteer, departments)?;
    Ok((role, scope))
}
