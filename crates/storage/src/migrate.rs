//! A small migration runner: numbered SQL files per backend, embedded at compile time, applied
//! in order inside one transaction each and recorded in `schema_migrations`. On PostgreSQL an
//! advisory lock keeps several instances starting at once from applying a migration twice.

use crate::{Backend, StorageError, Store};

struct Migration {
    version: i64,
    sqlite: &'static str,
    postgres: &'static str,
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        sqlite: include_str!("../migrations/sqlite/0001_init.sql"),
        postgres: include_str!("../migrations/postgres/0001_init.sql"),
    },
    Migration {
        version: 2,
        sqlite: include_str!("../migrations/sqlite/0002_back_office.sql"),
        postgres: include_str!("../migrations/postgres/0002_back_office.sql"),
    },
    Migration {
        version: 3,
        sqlite: include_str!("../migrations/sqlite/0003_hardening.sql"),
        postgres: include_str!("../migrations/postgres/0003_hardening.sql"),
    },
    Migration {
        version: 4,
        sqlite: include_str!("../migrations/sqlite/0004_eligibility_stops.sql"),
        postgres: include_str!("../migrations/postgres/0004_eligibility_stops.sql"),
    },
    Migration {
        version: 5,
        sqlite: include_str!("../migrations/sqlite/0005_decided_fee.sql"),
        postgres: include_str!("../migrations/postgres/0005_decided_fee.sql"),
    },
    Migration {
        version: 6,
        sqlite: include_str!("../migrations/sqlite/0006_life_event_plans.sql"),
        postgres: include_str!("../migrations/postgres/0006_life_event_plans.sql"),
    },
    Migration {
        version: 7,
        sqlite: include_str!("../migrations/sqlite/0007_bundles.sql"),
        postgres: include_str!("../migrations/postgres/0007_bundles.sql"),
    },
    Migration {
        version: 8,
        sqlite: include_str!("../migrations/sqlite/0008_counter.sql"),
        postgres: include_str!("../migrations/postgres/0008_counter.sql"),
    },
    Migration {
        version: 9,
        sqlite: include_str!("../migrations/sqlite/0009_counter_applications.sql"),
        postgres: include_str!("../migrations/postgres/0009_counter_applications.sql"),
    },
    Migration {
        version: 10,
        sqlite: include_str!("../migrations/sqlite/0010_year_indexes.sql"),
        postgres: include_str!("../migrations/postgres/0010_year_indexes.sql"),
    },
];

/// Arbitrary constant naming madoguchi's migration lock.
const PG_LOCK_KEY: i64 = 0x6d61_646f_6775_6368;

/// Applies one migration inside the caller's transaction unless it is recorded already.
macro_rules! apply {
    ($tx:ident, $version:expr, $sql:expr) => {{
        let done: Option<i64> =
            sqlx::query_scalar("SELECT version FROM schema_migrations WHERE version = $1")
                .bind($version)
                .fetch_optional(&mut *$tx)
                .await?;
        if done.is_none() {
            sqlx::raw_sql($sql).execute(&mut *$tx).await?;
            sqlx::query("INSERT INTO schema_migrations (version) VALUES ($1)")
                .bind($version)
                .execute(&mut *$tx)
                .await?;
            tracing::info!(version = $version, "applied migration");
        }
        $tx.commit().await?;
    }};
}

pub(crate) async fn run(store: &Store) -> Result<(), StorageError> {
    match &store.backend {
        Backend::Sqlite(pool) => {
            sqlx::raw_sql("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)")
                .execute(pool)
                .await?;
            for m in MIGRATIONS {
                let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
                apply!(tx, m.version, m.sqlite);
            }
        }
        Backend::Postgres(pool) => {
            sqlx::raw_sql("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())")
                .execute(pool)
                .await?;
            for m in MIGRATIONS {
                let mut tx = pool.begin().await?;
                sqlx::query("SELECT pg_advisory_xact_lock($1)")
                    .bind(PG_LOCK_KEY)
                    .execute(&mut *tx)
                    .await?;
                apply!(tx, m.version, m.postgres);
            }
        }
    }
    Ok(())
}
