//! Arrays registered in the portal, stored sealed (see [`crate::arrays::secrets`]).

use sqlx::Row;

use super::{Database, DbError};

impl Database {
    /// Stores a registration; `false` if an array of that name is already stored.
    pub async fn insert_registered_array(
        &self,
        name: &str,
        sealed: &str,
        now: i64,
    ) -> Result<bool, DbError> {
        let inserted = sqlx::query(
            "INSERT INTO registered_arrays (name, sealed, created_at) VALUES ($1, $2, $3)",
        )
        .bind(name)
        .bind(sealed)
        .bind(now)
        .execute(&self.pool)
        .await;
        match inserted {
            Ok(_) => Ok(true),
            Err(sqlx::Error::Database(error)) if error.is_unique_violation() => Ok(false),
            Err(error) => Err(error.into()),
        }
    }

    /// Every stored registration: its name and its sealed contents, oldest first.
    pub async fn registered_arrays(&self) -> Result<Vec<(String, String)>, DbError> {
        let rows =
            sqlx::query("SELECT name, sealed FROM registered_arrays ORDER BY created_at, name")
                .fetch_all(&self.pool)
                .await?;
        rows.iter()
            .map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
            .collect()
    }

    pub async fn delete_registered_array(&self, name: &str) -> Result<bool, DbError> {
        Ok(sqlx::query("DELETE FROM registered_arrays WHERE name = $1")
            .bind(name)
            .execute(&self.pool)
            .await?
            .rows_affected()
            > 0)
    }
}
