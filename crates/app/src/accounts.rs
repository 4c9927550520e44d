//! Staff accounts and their sessions: who may work in the back office, as which department,
//! and whether they may see whole 個人番号. Passwords are argon2id hashes, checked on a blocking
//! thread; repeated failures lock an account; every login, refusal and logout is audited.

use crate::error::{AppError, plain_text};
use crate::portal::Portal;
use crate::tokens::{new_token, token_hash};
use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use madoguchi_domain::input::{Lines, text_problem};
use madoguchi_storage::{AuditEntry, NewStaff, StaffRow};
use serde_json::{Value, json};
use time::OffsetDateTime;
use uuid::Uuid;

/// A logged-in staff member.
#[derive(Debug, Clone)]
pub struct Staff {
    pub id: Uuid,
    pub login: String,
    pub display_name: String,
    /// `None` for administrators.
    pub department: Option<String>,
    pub admin: bool,
    /// Counter staff (書かない窓口) take visits and see no department's inbox.
    pub counter: bool,
    pub my_number_access: bool,
}

impl Staff {
    fn from_row(row: StaffRow) -> Self {
        Self {
            id: row.id,
            admin: row.role == ROLE_ADMIN,
            counter: row.role == ROLE_COUNTER,
            login: row.login,
            display_name: row.display_name,
            department: row.department_id,
            my_number_access: row.my_number_access,
        }
    }

    /// `madoguchi` on the command line, as the audit log names it: an operator with access to
    /// the server, acting for every department.
    pub fn command_line() -> Self {
        Self {
            id: Uuid::nil(),
            login: "cli".into(),
            display_name: "command line".into(),
            department: None,
            admin: true,
            counter: false,
            my_number_access: false,
        }
    }

    pub fn actor(&self) -> Actor {
        Actor {
            name: self.login.clone(),
            scope: if self.admin {
                None
            } else {
                // A staff account always has a department (`add_staff` insists); should one not,
                // it sees nothing rather than everything.
                Some(self.department.clone().unwrap_or_default())
            },
            my_number_access: self.my_number_access,
        }
    }
}

/// Whoever acts on cases: a staff member, or a business system through its API token.
#[derive(Debug, Clone)]
pub struct Actor {
    /// The login, or `api:{token name}`.
    pub name: String,
    /// The one department whose cases it may see; `None` for administrators.
    pub scope: Option<String>,
    pub my_number_access: bool,
}

pub const ROLE_STAFF: &str = "staff";
pub const ROLE_ADMIN: &str = "admin";
pub const ROLE_COUNTER: &str = "counter";

/// A new account, from `madoguchi user add` or an administrator's page.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub login: String,
    pub display_name: String,
    pub department: Option<String>,
    pub admin: bool,
    /// A counter account: no department.
    pub counter: bool,
    pub my_number_access: bool,
    pub password: String,
}

impl Portal {
    /// Creates an account. Staff belong to one department; administrators to none.
    pub async fn add_staff(&self, account: &NewAccount) -> Result<Uuid, AppError> {
        let login = plain_text("staff-login-id", &account.login, Lines::One)?.unwrap_or_default();
        if login.is_empty() || login.chars().any(char::is_whitespace) {
            return Err(AppError::BadRequest("staff-error-login"));
        }
        let display_name =
            plain_text("users-name", &account.display_name, Lines::One)?.unwrap_or_default();
        if account.password.chars().count() < 12 {
            return Err(AppError::BadRequest("staff-error-password-short"));
        }
        let departmental = !account.admin && !account.counter;
        if departmental && account.department.as_deref().is_none_or(str::is_empty) {
            return Err(AppError::BadRequest("staff-error-department"));
        }
        if let Some(department) = &account.department
            && !self.departments().iter().any(|(id, _)| id == department)
        {
            return Err(AppError::BadRequest("staff-error-unknown-department"));
        }
        let hash = hash_password(&account.password).await?;
        let id = Uuid::now_v7();
        let created = self
            .store
            .create_staff(
                self.municipality(),
                &NewStaff {
                    id,
                    login,
                    display_name,
                    department_id: account.department.as_deref().filter(|_| departmental),
                    role: if account.admin {
                        ROLE_ADMIN
                    } else if account.counter {
                        ROLE_COUNTER
                    } else {
                        ROLE_STAFF
                    },
                    password_hash: &hash,
                    my_number_access: account.my_number_access,
                    now: OffsetDateTime::now_utc(),
                },
            )
            .await?;
        if created {
            Ok(id)
        } else {
            Err(AppError::BadRequest("staff-error-login-taken"))
        }
    }

    /// The departments of the catalog, by id, with their names.
    pub fn departments(&self) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        for p in &self.catalog.procedures {
            if !out.iter().any(|(id, _)| *id == p.department.id) {
                out.push((p.department.id.clone(), p.department.name.ja.clone()));
            }
        }
        out
    }

    /// Checks a password and opens a session; returns the session token (the cookie's value).
    /// A wrong login and a wrong password look the same; repeated failures lock the account.
    pub async fn login(
        &self,
        login: &str,
        password: &str,
        ip: &str,
    ) -> Result<(String, Staff), AppError> {
        let now = OffsetDateTime::now_utc();
        let limits = &self.config.staff;
        // A login no account can have (a control character, say) is looked up nowhere.
        let row = match text_problem(login, Lines::One) {
            Some(_) => None,
            None => {
                self.store
                    .staff_by_login(self.municipality(), login)
                    .await?
            }
        };
        // What was typed as a login is recorded only when it is one: people sometimes type
        // their password into the login box.
        let actor = if row.is_some() { login } else { "(unknown)" };
        let audit = |action: &'static str, detail: Value| {
            let entry = AuditEntry {
                actor,
                action,
                application_id: None,
                detail,
                ip,
            };
            async move { self.store.audit(self.municipality(), &entry, now).await }
        };
        let Some(row) = row else {
            // Spend the same time as a real check, so that timing does not tell which logins exist.
            let _ = verify_password(password, DUMMY_HASH).await;
            audit("login.failed", json!({ "reason": "unknown_login" })).await?;
            return Err(AppError::LoginFailed);
        };
        if row.locked_until.is_some_and(|until| until > now) {
            audit("login.refused", json!({ "reason": "locked" })).await?;
            return Err(AppError::AccountLocked);
        }
        if !verify_password(password, &row.password_hash).await? {
            let locked = self
                .store
                .record_login_failure(
                    row.id,
                    limits.max_failed_logins,
                    now + time::Duration::minutes(limits.lockout_minutes),
                )
                .await?
                .is_some_and(|until| until > now);
            audit(
                "login.failed",
                json!({ "reason": "password", "locked": locked }),
            )
            .await?;
            return Err(if locked {
                AppError::AccountLocked
            } else {
                AppError::LoginFailed
            });
        }
        // Guesses racing this login may have locked the account since it was read.
        if !self.store.clear_login_failures(row.id, now).await? {
            audit("login.refused", json!({ "reason": "locked" })).await?;
            return Err(AppError::AccountLocked);
        }
        // A new token on every login: a session id planted before login is never promoted.
        let token = new_token();
        self.store
            .create_session(
                self.municipality(),
                &token_hash(&token),
                row.id,
                now,
                now + time::Duration::hours(limits.session_hours),
            )
            .await?;
        audit("login", json!({})).await?;
        Ok((token, Staff::from_row(row)))
    }

    /// The staff member behind a session cookie.
    pub async fn staff_session(&self, token: &str) -> Result<Staff, AppError> {
        self.store
            .session_staff(
                self.municipality(),
                &token_hash(token),
                OffsetDateTime::now_utc(),
            )
            .await?
            .map(Staff::from_row)
            .ok_or(AppError::LoginRequired)
    }

    pub async fn logout(&self, staff: &Staff, token: &str, ip: &str) -> Result<(), AppError> {
        self.store.delete_session(&token_hash(token)).await?;
        self.audit(&staff.login, "logout", None, json!({}), ip)
            .await
    }

    /// Every account, for administrators.
    pub async fn staff_accounts(&self, staff: &Staff) -> Result<Vec<StaffRow>, AppError> {
        if !staff.admin {
            return Err(AppError::Forbidden);
        }
        Ok(self.store.staff_list(self.municipality(), None).await?)
    }
}

async fn hash_password(password: &str) -> Result<String, AppError> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
    })
    .await
    .map_err(|e| AppError::Config(format!("password hashing: {e}")))?
    .map_err(|e| AppError::Config(format!("password hashing: {e}")))
}

async fn verify_password(password: &str, hash: &str) -> Result<bool, AppError> {
    let password = password.to_owned();
    let hash = hash.to_owned();
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .verify_password(password.as_bytes(), hash.as_str())
            .is_ok()
    })
    .await
    .map_err(|e| AppError::Config(format!("password check: {e}")))
}

/// An argon2id hash of a random string, checked against when the login does not exist.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$bWFkb2d1Y2hpLWR1bW15$2l9kOk9sW1KQ6kY0n5xXl1sLr5Nw2y0oZ1Gq0f3HkPc";

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn passwords_are_hashed_with_argon2id_and_checked() {
        let hash = hash_password("correct horse battery").await.unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(
            verify_password("correct horse battery", &hash)
                .await
                .unwrap()
        );
        assert!(!verify_password("wrong", &hash).await.unwrap());
        assert!(!verify_password("x", DUMMY_HASH).await.unwrap());
    }
}
