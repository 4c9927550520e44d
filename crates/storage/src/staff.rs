//! Staff accounts and their server-side sessions, and integration (API) tokens.
//!
//! Passwords arrive here already hashed (argon2, by the application layer); session and API
//! tokens arrive as SHA-256 hashes, so the database never holds a usable credential.

use crate::{StorageError, Store, on_pool};
use sqlx::Row;
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct StaffRow {
    pub id: Uuid,
    pub login: String,
    pub display_name: String,
    /// `None` for administrators.
    pub department_id: Option<String>,
    pub role: String,
    pub password_hash: String,
    pub my_number_access: bool,
    pub failed_logins: i32,
    pub locked_until: Option<OffsetDateTime>,
}

#[derive(Debug, Clone)]
pub struct NewStaff<'a> {
    pub id: Uuid,
    pub login: &'a str,
    pub display_name: &'a str,
    pub department_id: Option<&'a str>,
    pub role: &'a str,
    pub password_hash: &'a str,
    pub my_number_access: bool,
    pub now: OffsetDateTime,
}

#[derive(Debug, Clone)]
pub struct TokenRow {
    pub id: Uuid,
    pub department_id: String,
    pub name: String,
    pub created_at: OffsetDateTime,
    pub revoked_at: Option<OffsetDateTime>,
    pub last_used_at: Option<OffsetDateTime>,
}

const STAFF_COLUMNS: &str = "id, login, display_name, department_id, role, password_hash, my_number_access, failed_logins, locked_until";

macro_rules! staff_row {
    ($r:expr) => {{
        let r = $r;
        Ok::<_, StorageError>(StaffRow {
            id: r.try_get("id")?,
            login: r.try_get("login")?,
            display_name: r.try_get("display_name")?,
            department_id: r.try_get("department_id")?,
            role: r.try_get("role")?,
            password_hash: r.try_get("password_hash")?,
            my_number_access: r.try_get("my_number_access")?,
            failed_logins: r.try_get("failed_logins")?,
            locked_until: r.try_get("locked_until")?,
        })
    }};
}

macro_rules! token_row {
    ($r:expr) => {{
        let r = $r;
        Ok::<_, StorageError>(TokenRow {
            id: r.try_get("id")?,
            department_id: r.try_get("department_id")?,
            name: r.try_get("name")?,
            created_at: r.try_get("created_at")?,
            revoked_at: r.try_get("revoked_at")?,
            last_used_at: r.try_get("last_used_at")?,
        })
    }};
}

impl Store {
    /// Creates an account; `Ok(false)` if the login is taken.
    pub async fn create_staff(
        &self,
        municipality: &str,
        new: &NewStaff<'_>,
    ) -> Result<bool, StorageError> {
        let result = on_pool!(self, |pool| {
            sqlx::query("INSERT INTO staff_users (id, municipality_code, login, display_name, department_id, role, password_hash, my_number_access, failed_logins, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, $9)")
                .bind(new.id)
                .bind(municipality)
                .bind(new.login)
                .bind(new.display_name)
                .bind(new.department_id)
                .bind(new.role)
                .bind(new.password_hash)
                .bind(new.my_number_access)
                .bind(new.now)
                .execute(pool)
                .await
                .map(|_| ())
        });
        match result {
            Ok(_) => Ok(true),
            Err(e)
                if e.as_database_error()
                    .is_some_and(|d| d.is_unique_violation()) =>
            {
                Ok(false)
            }
            Err(e) => Err(e.into()),
        }
    }

    pub async fn staff_by_login(
        &self,
        municipality: &str,
        login: &str,
    ) -> Result<Option<StaffRow>, StorageError> {
        let sql = format!(
            "SELECT {STAFF_COLUMNS} FROM staff_users WHERE municipality_code = $1 AND login = $2"
        );
        on_pool!(self, |pool| {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(municipality)
                .bind(login)
                .fetch_optional(pool)
                .await?;
            row.map(|r| staff_row!(r)).transpose()
        })
    }

    /// Staff of one department (or all, with `None`), by name: the assignment list.
    pub async fn staff_list(
        &self,
        municipality: &str,
        department: Option<&str>,
    ) -> Result<Vec<StaffRow>, StorageError> {
        let sql = format!(
            "SELECT {STAFF_COLUMNS} FROM staff_users WHERE municipality_code = $1 AND ($2 IS NULL OR department_id = $2) ORDER BY display_name, login"
        );
        on_pool!(self, |pool| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(municipality)
                .bind(department)
                .fetch_all(pool)
                .await?;
            rows.iter().map(|r| staff_row!(r)).collect()
        })
    }

    pub async fn staff_by_id(
        &self,
        municipality: &str,
        id: Uuid,
    ) -> Result<Option<StaffRow>, StorageError> {
        let sql = format!(
            "SELECT {STAFF_COLUMNS} FROM staff_users WHERE municipality_code = $1 AND id = $2"
        );
        on_pool!(self, |pool| {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(municipality)
                .bind(id)
                .fetch_optional(pool)
                .await?;
            row.map(|r| staff_row!(r)).transpose()
        })
    }

    /// Counts a wrong password and, at the `max`-th in a row, locks the account until
    /// `lock_until`, in one statement: parallel guesses each count, so the lock cannot be
    /// raced past. Returns when the account is locked until (possibly an earlier lock).
    pub async fn record_login_failure(
        &self,
        id: Uuid,
        max: i32,
        lock_until: OffsetDateTime,
    ) -> Result<Option<OffsetDateTime>, StorageError> {
        let locked = on_pool!(self, |pool| {
            sqlx::query_scalar::<_, Option<OffsetDateTime>>(
                "UPDATE staff_users SET \
                 failed_logins = CASE WHEN failed_logins + 1 >= $1 THEN 0 ELSE failed_logins + 1 END, \
                 locked_until = CASE WHEN failed_logins + 1 >= $1 THEN $2 ELSE locked_until END \
                 WHERE id = $3 RETURNING locked_until",
            )
            .bind(max)
            .bind(lock_until)
            .bind(id)
            .fetch_optional(pool)
            .await
        })?;
        Ok(locked.flatten())
    }

    /// Clears the failure count after a right password, unless the account was locked
    /// meanwhile (by guesses racing this login); `false` then, and the login must fail.
    pub async fn clear_login_failures(
        &self,
        id: Uuid,
        now: OffsetDateTime,
    ) -> Result<bool, StorageError> {
        let n = on_pool!(self, |pool| sqlx::query(
            "UPDATE staff_users SET failed_logins = 0, locked_until = NULL \
             WHERE id = $1 AND (locked_until IS NULL OR locked_until <= $2)"
        )
        .bind(id)
        .bind(now)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    pub async fn create_session(
        &self,
        municipality: &str,
        token_hash: &str,
        user: Uuid,
        now: OffsetDateTime,
        expires_at: OffsetDateTime,
    ) -> Result<(), StorageError> {
        on_pool!(self, |pool| {
            sqlx::query(
            "INSERT INTO staff_sessions (token_hash, municipality_code, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)"
        )
        .bind(token_hash)
        .bind(municipality)
        .bind(user)
        .bind(now)
        .bind(expires_at)
        .execute(pool)
        .await
        .map(|_| ())
        })?;
        Ok(())
    }

    /// The account behind a live session.
    pub async fn session_staff(
        &self,
        municipality: &str,
        token_hash: &str,
        now: OffsetDateTime,
    ) -> Result<Option<StaffRow>, StorageError> {
        let sql = format!(
            "SELECT {} FROM staff_sessions s JOIN staff_users u ON u.id = s.user_id WHERE s.municipality_code = $1 AND s.token_hash = $2 AND s.expires_at > $3",
            STAFF_COLUMNS
                .split(", ")
                .map(|c| format!("u.{c}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        on_pool!(self, |pool| {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(municipality)
                .bind(token_hash)
                .bind(now)
                .fetch_optional(pool)
                .await?;
            row.map(|r| staff_row!(r)).transpose()
        })
    }

    pub async fn delete_session(&self, token_hash: &str) -> Result<(), StorageError> {
        on_pool!(self, |pool| sqlx::query(
            "DELETE FROM staff_sessions WHERE token_hash = $1"
        )
        .bind(token_hash)
        .execute(pool)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    // ---- integration tokens ----

    pub async fn create_token(
        &self,
        municipality: &str,
        id: Uuid,
        department_id: &str,
        name: &str,
        token_hash: &str,
        now: OffsetDateTime,
    ) -> Result<(), StorageError> {
        on_pool!(self, |pool| {
            sqlx::query(
            "INSERT INTO api_tokens (id, municipality_code, department_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6)"
        )
        .bind(id)
        .bind(municipality)
        .bind(department_id)
        .bind(name)
        .bind(token_hash)
        .bind(now)
        .execute(pool)
        .await
        .map(|_| ())
        })?;
        Ok(())
    }

    /// The department a live token serves; records its use.
    pub async fn use_token(
        &self,
        municipality: &str,
        token_hash: &str,
        now: OffsetDateTime,
    ) -> Result<Option<TokenRow>, StorageError> {
        on_pool!(self, |pool| {
            let row = sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE municipality_code = $2 AND token_hash = $3 AND revoked_at IS NULL RETURNING id, department_id, name, created_at, revoked_at, last_used_at")
                .bind(now)
                .bind(municipality)
                .bind(token_hash)
                .fetch_optional(pool)
                .await?;
            row.map(|r| token_row!(r)).transpose()
        })
    }

    pub async fn tokens(
        &self,
        municipality: &str,
        department: Option<&str>,
    ) -> Result<Vec<TokenRow>, StorageError> {
        on_pool!(self, |pool| {
            let rows = sqlx::query("SELECT id, department_id, name, created_at, revoked_at, last_used_at FROM api_tokens WHERE municipality_code = $1 AND ($2 IS NULL OR department_id = $2) ORDER BY created_at")
                .bind(municipality)
                .bind(department)
                .fetch_all(pool)
                .await?;
            rows.iter().map(|r| token_row!(r)).collect()
        })
    }

    /// Revokes a token of the department (any, with `None`); `false` if there is none.
    pub async fn revoke_token(
        &self,
        municipality: &str,
        id: Uuid,
        department: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<bool, StorageError> {
        let n = on_pool!(self, |pool| {
            sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE municipality_code = $2 AND id = $3 AND ($4 IS NULL OR department_id = $4) AND revoked_at IS NULL"
        )
        .bind(now)
        .bind(municipality)
        .bind(id)
        .bind(department)
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
        })?;
        Ok(n > 0)
    }
}
