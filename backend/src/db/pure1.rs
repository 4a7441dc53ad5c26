//! The Pure1 settings stored sealed (see [`crate::arrays::secrets`]): one row per setting.

use sqlx::Row;

use super::{Database, DbError};

impl Database {
    /// Stores `name`, replacing what was stored under it.
    pub async fn put_pure1_setting(
        &self,
        name: &str,
        sealed: &str,
        now: i64,
    ) -> Result<(), DbError> {
        let mut transaction = self.pool.begin().await?;
        sqlx::query("DELETE FROM pure1_settings WHERE name = $1")
            .bind(name)
            .execute(&mut *transaction)
            .await?;
        sqlx::query("INSERT INTO pure1_settings (name, sealed, updated_at) VALUES ($1, $2, $3)")
            .bind(name)
            .bind(sealed)
            .bind(now)
            .execute(&mut *transaction)
            .await?;
        transaction.commit().await?;
        Ok(())
    }

    pub async fn pure1_setting(&self, name: &str) -> Result<Option<String>, DbError> {
        let row = sqlx::query("SELECT sealed FROM pure1_settings WHERE name = $1")
            .bind(name)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|row| row.try_get(0)).transpose()?)
    }

    pub async fn delete_pure1_setting(&self, name: &str) -> Result<(), DbError> {
        sqlx::query("DELETE FROM pure1_settings WHERE name = $1")
            .bind(name)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
