//! Rate-limit counters in the database, so that a limit holds across every instance of a
//! deployment: one statement counts a request and returns the count of its window.

use crate::{StorageError, Store, on_pool};
use time::OffsetDateTime;

impl Store {
    /// Counts one request in `bucket` for the window starting at `window_start`; returns how
    /// many the window now holds.
    pub async fn count_request(
        &self,
        bucket: &str,
        window_start: OffsetDateTime,
    ) -> Result<i64, StorageError> {
        let n = on_pool!(self, |pool| {
            sqlx::query_scalar::<_, i64>(
                "INSERT INTO rate_counters (bucket, window_start, count) VALUES ($1, $2, 1) \
                 ON CONFLICT (bucket, window_start) DO UPDATE SET count = rate_counters.count + 1 \
                 RETURNING count",
            )
            .bind(bucket)
            .bind(window_start)
            .fetch_one(pool)
            .await
        })?;
        Ok(n)
    }
}
