//! The catalog versions a workstation holds: import (atomic, a malformed file changes nothing),
//! export, and the items of a version. Cases snapshot the version they were filed under.

use ring::digest;
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use crate::case::Role;
use crate::catalog::{CatalogFile, FORMAT, Item, Theme, parse, to_json};
use crate::clock::stamp;
use crate::error::{CoreError, Result};
use crate::events;
use crate::journal::{self, hex};
use crate::staff::Actor;
use crate::workstation::{Workstation, enum_code};

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct CatalogVersion {
    pub version: i64,
    pub label: String,
    pub issuer: String,
    pub imported_at: String,
    pub imported_by: String,
    pub sha256: String,
    pub item_count: i64,
}

impl Workstation {
    /// Imports a catalog file as a new version, atomically: a malformed file changes nothing.
    pub fn import_catalog(&self, by: &Actor, text: &str) -> Result<CatalogVersion> {
        by.require_role(Role::Admin, "导入事项目录")?;
        let file = parse(text)?;
        let sha = hex(digest::digest(&digest::SHA256, text.as_bytes()).as_ref());
        let now = self.now();
        let version = self.store.write(|tx| insert_catalog(tx, by, &file, &sha, now))?;
        self.catalog_versions()?
            .into_iter()
            .find(|v| v.version == version)
            .ok_or_else(|| CoreError::Invalid("导入后找不到目录版本".into()))
    }

    pub fn catalog_versions(&self) -> Result<Vec<CatalogVersion>> {
        let conn = self.store.reader()?;
        let mut st = conn.prepare(
            "SELECT version, label, issuer, imported_at, imported_by, sha256, item_count FROM catalog_versions ORDER BY version",
        )?;
        let rows = st.query_map([], |r| {
            Ok(CatalogVersion {
                version: r.get(0)?,
                label: r.get(1)?,
                issuer: r.get(2)?,
                imported_at: r.get(3)?,
                imported_by: r.get(4)?,
                sha256: r.get(5)?,
                item_count: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn current_catalog_version(&self) -> Result<Option<i64>> {
        let conn = self.store.reader()?;
        Ok(conn.query_row("SELECT MAX(version) FROM catalog_versions", [], |r| r.get(0))?)
    }

    /// Items of `version` (default: current), in code order.
    pub fn catalog_items(&self, version: Option<i64>) -> Result<Vec<Item>> {
        let Some(v) = version.map_or_else(|| self.current_catalog_version(), |v| Ok(Some(v)))? else {
            return Ok(Vec::new());
        };
        let conn = self.store.reader()?;
        let mut st = conn.prepare("SELECT body FROM catalog_items WHERE version = ?1 ORDER BY department, code")?;
        let bodies: Vec<String> = st.query_map([v], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        bodies.iter().map(|b| serde_json::from_str(b).map_err(|e| CoreError::Invalid(e.to_string()))).collect()
    }

    pub fn catalog_item(&self, code: &str, version: Option<i64>) -> Result<(i64, Item)> {
        let conn = self.store.reader()?;
        item_on(&conn, code, version)
    }

    /// Themes (主题/套餐) of `version` (default: current), in the catalog file's order.
    pub fn catalog_themes(&self, version: Option<i64>) -> Result<Vec<Theme>> {
        let Some(v) = version.map_or_else(|| self.current_catalog_version(), |v| Ok(Some(v)))? else {
            return Ok(Vec::new());
        };
        let conn = self.store.reader()?;
        let mut st = conn.prepare("SELECT body FROM catalog_themes WHERE version = ?1 ORDER BY rowid")?;
        let bodies: Vec<String> = st.query_map([v], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        bodies.iter().map(|b| serde_json::from_str(b).map_err(|e| CoreError::Invalid(e.to_string()))).collect()
    }

    /// A theme of the current catalog version, with that version.
    pub fn catalog_theme(&self, code: &str) -> Result<(i64, Theme)> {
        let conn = self.store.reader()?;
        let row: Option<(i64, String)> = conn
            .query_row(
                "SELECT version, body FROM catalog_themes WHERE code = ?1 AND version = (SELECT MAX(version) FROM catalog_versions)",
                [code],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let (v, body) = row.ok_or_else(|| CoreError::UnknownItem(format!("主题 {code}")))?;
        Ok((v, serde_json::from_str(&body).map_err(|e| CoreError::Invalid(e.to_string()))?))
    }

    pub fn export_catalog(&self, version: Option<i64>) -> Result<String> {
        let versions = self.catalog_versions()?;
        let v = match version {
            Some(v) => versions.into_iter().find(|x| x.version == v),
            None => versions.into_iter().last(),
        }
        .ok_or_else(|| CoreError::Invalid("没有可导出的事项目录版本".into()))?;
        let items = self.catalog_items(Some(v.version))?;
        let file = CatalogFile {
            format: FORMAT.to_owned(),
            version: v.label,
            published: None,
            issuer: v.issuer,
            items,
            themes: self.catalog_themes(Some(v.version))?,
        };
        Ok(to_json(&file))
    }
}

/// A parsed catalog file as the next version, journaled, inside the caller's transaction (a file
/// import, or one part of a city package applied atomically with the rest: crate::provisioning).
pub(crate) fn insert_catalog(
    tx: &rusqlite::Transaction<'_>,
    by: &Actor,
    file: &CatalogFile,
    sha: &str,
    now: chrono::DateTime<chrono::FixedOffset>,
) -> Result<i64> {
    let version: i64 = tx.query_row("SELECT COALESCE(MAX(version), 0) + 1 FROM catalog_versions", [], |r| r.get(0))?;
    tx.execute(
        "INSERT INTO catalog_versions (version, label, issuer, imported_at, imported_by, sha256, item_count)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![version, file.version, file.issuer, stamp(&now), by.id, sha, file.items.len()],
    )?;
    let mut st = tx.prepare(
            "INSERT INTO catalog_items (version, code, name, department, item_type, kind, statutory_days, promised_days, body)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?;
    for item in &file.items {
        let body = serde_json::to_string(item).map_err(|e| CoreError::Invalid(e.to_string()))?;
        st.execute(params![
            version,
            item.code,
            item.name,
            item.department,
            enum_code(&item.item_type),
            enum_code(&item.kind),
            item.statutory_limit_days,
            item.promised_limit_days,
            body
        ])?;
    }
    let mut st = tx.prepare(
        "INSERT INTO catalog_themes (version, code, name, lead_department, body) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for theme in &file.themes {
        let body = serde_json::to_string(theme).map_err(|e| CoreError::Invalid(e.to_string()))?;
        st.execute(params![version, theme.code, theme.name, theme.lead_department, body])?;
    }
    journal::append_admin(
        tx,
        by,
        events::CATALOG_IMPORT,
        now,
        serde_json::json!({ "version": version, "label": file.version, "sha256": sha, "items": file.items.len() }),
        None,
    )?;
    Ok(version)
}

/// The item `code` of `version` (default: current) read on `conn`. Filing reads it on the writer's
/// connection inside its transaction: a pooled reader's page cache is emptied by every commit, and
/// on an encrypted store each page it re-reads is decrypted and its HMAC checked again.
pub(crate) fn item_on(conn: &rusqlite::Connection, code: &str, version: Option<i64>) -> Result<(i64, Item)> {
    let row: Option<(i64, String)> = conn
        .prepare_cached(
            "SELECT version, body FROM catalog_items WHERE code = ?1 AND version = COALESCE(?2, (SELECT MAX(version) FROM catalog_versions))",
        )?
        .query_row(params![code, version], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let (v, body) = row.ok_or_else(|| CoreError::UnknownItem(code.into()))?;
    Ok((v, serde_json::from_str(&body).map_err(|e| CoreError::Invalid(e.to_string()))?))
}
