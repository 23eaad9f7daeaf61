//! The demonstration data set (`--demo`, `seed-demo`): the Vĩnh Phúc province of the seed
//! articles — its tree with the districts' People's Committees, the groups of bodies of each
//! year, their heads, supervisors, Organisation Board staff and Standing Committee accounts —
//! and its practice of 2021–2023 entered with their real dates (`practice.rs`). Every demo user
//! account has the password [`DEMO_PASSWORD`].

use std::collections::HashMap;

use anyhow::{Context, Result};
use chrono::{NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::TransactionManager;
use diesel_async::{AnsiTransactionManager, AsyncConnection, AsyncPgConnection, RunQueryDsl};
use scoped_futures::ScopedFutureExt;
use serde::Deserialize;
use uuid::Uuid;

use crate::db::models::*;
use crate::db::schema::*;

mod practice;

/// Password of every demo account (and secret of every demo machine client).
pub const DEMO_PASSWORD: &str = "Demo@2026";

const DATA: &str = include_str!("demo.json");

/// The demo data file.
#[derive(Debug, Deserialize)]
pub struct DemoData {
    /// Level definitions.
    pub levels: Vec<DemoLevel>,
    /// Units, parents first.
    pub units: Vec<DemoUnit>,
    /// Groups of units per year.
    pub groups: Vec<DemoGroup>,
    /// Cadres and their posts.
    pub cadres: Vec<DemoCadre>,
    /// Accounts and their role bindings.
    pub accounts: Vec<DemoAccount>,
}

#[derive(Debug, Deserialize)]
#[allow(missing_docs)]
pub struct DemoLevel {
    pub code: String,
    pub name_vi: String,
    pub name_en: String,
    pub rank: i32,
}

#[derive(Debug, Deserialize)]
#[allow(missing_docs)]
pub struct DemoUnit {
    pub code: String,
    pub name: String,
    pub unit_type: crate::domain::vocab::UnitType,
    pub level: String,
    pub parent: Option<String>,
    pub valid_from: NaiveDate,
}

#[derive(Debug, Deserialize)]
#[allow(missing_docs)]
pub struct DemoGroup {
    pub year: i32,
    pub code: String,
    pub label_vi: String,
    pub label_en: Option<String>,
    pub owner: String,
    pub members: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[allow(missing_docs)]
pub struct DemoCadre {
    pub personnel_code: String,
    pub full_name: String,
    pub gender: Option<crate::domain::vocab::Gender>,
    pub managing_unit: String,
    pub posts: Vec<DemoPost>,
}

#[derive(Debug, Deserialize)]
#[allow(missing_docs)]
pub struct DemoPost {
    pub unit: String,
    pub kind: crate::domain::vocab::PostKind,
    pub title: String,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
}

#[derive(Debug, Deserialize)]
#[allow(missing_docs)]
pub struct DemoAccount {
    pub username: String,
    pub display_name: String,
    pub kind: crate::domain::vocab::AccountKind,
    pub cadre: Option<String>,
    pub home_unit: String,
    pub bindings: Vec<DemoBinding>,
}

#[derive(Debug, Deserialize)]
#[allow(missing_docs)]
pub struct DemoBinding {
    pub role: crate::domain::roles::Role,
    pub unit: String,
    pub include_subtree: bool,
}

/// The parsed demo data.
pub fn data() -> Result<DemoData> {
    serde_json::from_str(DATA).context("parsing the demo data")
}

/// Loads the demo data — the tree, then the practice — unless its top unit is already there.
/// Returns whether it loaded.
pub async fn load(conn: &mut AsyncPgConnection) -> Result<bool> {
    let started = std::time::Instant::now();
    let data = data()?;
    // The tree and the practice in one transaction (each nests in it), so that a failure
    // leaves nothing and the next start loads again. Opened by hand: the use cases' futures
    // are not `Send`, which `AsyncConnection::transaction` asks for.
    AnsiTransactionManager::begin_transaction(conn).await?;
    let loaded = match insert_tree(conn, &data).await {
        Ok(true) => practice::load(conn, &data).await.map(Some),
        Ok(false) => Ok(None),
        Err(e) => Err(e),
    };
    let entered = match loaded {
        Ok(entered) => {
            AnsiTransactionManager::commit_transaction(conn).await?;
            entered
        }
        Err(e) => {
            AnsiTransactionManager::rollback_transaction(conn).await?;
            return Err(e);
        }
    };
    let Some(entered) = entered else {
        return Ok(false);
    };
    tracing::info!(
        rounds = entered.rounds,
        assignments = entered.assignments,
        reports = entered.reports,
        evidence = entered.evidence,
        evaluations = entered.evaluations,
        elapsed_ms = started.elapsed().as_millis() as u64,
        "demo data loaded; every demo account's password is {DEMO_PASSWORD}"
    );
    Ok(true)
}

/// Loads the demo tree alone (units, groups, cadres and posts, accounts and bindings; no
/// rounds) unless its top unit is already there. Returns whether it loaded.
pub async fn load_tree(conn: &mut AsyncPgConnection) -> Result<bool> {
    insert_tree(conn, &data()?).await
}

/// The tree in one transaction, unless its top unit is already there.
async fn insert_tree(conn: &mut AsyncPgConnection, data: &DemoData) -> Result<bool> {
    let top = <[DemoUnit]>::first(&data.units)
        .context("empty demo data")?
        .code
        .clone();
    let exists: i64 = org_units::table
        .filter(org_units::code.eq(&top))
        .count()
        .get_result(conn)
        .await?;
    if exists > 0 {
        tracing::info!("demo data already present");
        return Ok(false);
    }
    let hash = tokio::task::spawn_blocking(|| crate::auth::password::hash(DEMO_PASSWORD)).await??;
    conn.transaction::<_, anyhow::Error, _>(|conn| {
        async move { insert(conn, data, &hash).await }.scope_boxed()
    })
    .await?;
    Ok(true)
}

async fn insert(conn: &mut AsyncPgConnection, data: &DemoData, hash: &str) -> Result<()> {
    let now = Utc::now();
    let mut levels = HashMap::new();
    for l in &data.levels {
        let id = Uuid::now_v7();
        let row = LevelRow {
            id,
            code: l.code.clone(),
            name_vi: l.name_vi.clone(),
            name_en: l.name_en.clone(),
            rank: l.rank,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        diesel::insert_into(org_levels::table)
            .values(&row)
            .on_conflict(org_levels::code)
            .do_nothing()
            .execute(conn)
            .await?;
        let id: Uuid = org_levels::table
            .filter(org_levels::code.eq(&l.code))
            .select(org_levels::id)
            .first(conn)
            .await?;
        levels.insert(l.code.clone(), id);
    }
    let mut units: HashMap<String, Uuid> = HashMap::new();
    for u in &data.units {
        let id = Uuid::now_v7();
        let level_id = *levels
            .get(&u.level)
            .with_context(|| format!("unknown level {}", u.level))?;
        diesel::insert_into(org_units::table)
            .values(&UnitRow {
                id,
                code: u.code.clone(),
                name: u.name.clone(),
                short_name: None,
                unit_type: u.unit_type,
                level_id,
                valid_from: u.valid_from,
                valid_to: None,
                version: 1,
                created_at: now,
                updated_at: now,
            })
            .execute(conn)
            .await?;
        if let Some(parent) = &u.parent {
            let parent_id = *units
                .get(parent)
                .with_context(|| format!("unknown parent {parent}"))?;
            diesel::insert_into(org_unit_parents::table)
                .values(&ParentLinkRow {
                    id: Uuid::now_v7(),
                    unit_id: id,
                    parent_id,
                    valid_from: u.valid_from,
                    valid_to: None,
                })
                .execute(conn)
                .await?;
        }
        units.insert(u.code.clone(), id);
    }
    let unit = |code: &str| {
        units
            .get(code)
            .copied()
            .with_context(|| format!("unknown unit {code}"))
    };
    for g in &data.groups {
        let id = Uuid::now_v7();
        diesel::insert_into(org_groups::table)
            .values(&GroupRow {
                id,
                owner_unit_id: unit(&g.owner)?,
                year: g.year,
                code: g.code.clone(),
                label_vi: g.label_vi.clone(),
                label_en: g.label_en.clone(),
                version: 1,
                created_at: now,
                updated_at: now,
            })
            .execute(conn)
            .await?;
        for m in &g.members {
            diesel::insert_into(org_group_members::table)
                .values((
                    org_group_members::group_id.eq(id),
                    org_group_members::unit_id.eq(unit(m)?),
                ))
                .execute(conn)
                .await?;
        }
    }
    let mut cadres = HashMap::new();
    for c in &data.cadres {
        let id = Uuid::now_v7();
        diesel::insert_into(cadres::table)
            .values(&CadreRow {
                id,
                personnel_code: Some(c.personnel_code.clone()),
                full_name: c.full_name.clone(),
                gender: c.gender,
                date_of_birth: None,
                email: None,
                managing_unit_id: unit(&c.managing_unit)?,
                version: 1,
                created_at: now,
                updated_at: now,
            })
            .execute(conn)
            .await?;
        for p in &c.posts {
            diesel::insert_into(posts::table)
                .values(&PostRow {
                    id: Uuid::now_v7(),
                    cadre_id: id,
                    unit_id: unit(&p.unit)?,
                    kind: p.kind,
                    title: p.title.clone(),
                    acting: false,
                    valid_from: p.valid_from,
                    valid_to: p.valid_to,
                    end_reason: None,
                    version: 1,
                    created_at: now,
                    updated_at: now,
                })
                .execute(conn)
                .await?;
        }
        cadres.insert(c.personnel_code.clone(), id);
    }
    let since = NaiveDate::from_ymd_opt(2021, 1, 1).context("date")?;
    for a in &data.accounts {
        let id = Uuid::now_v7();
        let cadre_id = match &a.cadre {
            Some(code) => Some(
                *cadres
                    .get(code)
                    .with_context(|| format!("unknown cadre {code}"))?,
            ),
            None => None,
        };
        diesel::insert_into(accounts::table)
            .values(&AccountRow {
                id,
                username: a.username.clone(),
                display_name: a.display_name.clone(),
                kind: a.kind,
                secret_hash: Some(hash.to_owned()),
                cadre_id,
                home_unit_id: unit(&a.home_unit)?,
                external_subject: None,
                disabled: false,
                version: 1,
                created_at: now,
                updated_at: now,
                token_epoch: 0,
                sessions_ended_at: None,
            })
            .execute(conn)
            .await?;
        for b in &a.bindings {
            diesel::insert_into(role_bindings::table)
                .values(&BindingRow {
                    id: Uuid::now_v7(),
                    account_id: id,
                    role: b.role,
                    unit_id: unit(&b.unit)?,
                    include_subtree: b.include_subtree,
                    valid_from: since,
                    valid_to: None,
                    created_at: now,
                })
                .execute(conn)
                .await?;
        }
    }
    Ok(())
}
