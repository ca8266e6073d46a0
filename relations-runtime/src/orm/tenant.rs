//! Multi-tenancy on top of the rules: a connection's tenant ([`Db::set_tenant`]) filters every
//! read of the models that declare a tenant column (`#[model(tenant = org_id)]`) to its rows,
//! fills the column of every row it inserts, and refuses with [`Error::CrossTenant`] a write
//! of a row that says it is another tenant's. Updates and deletes by key are also conditional
//! on the tenant, so that a row built by hand with another tenant's key changes nothing.

use crate::orm::db::Db;
use crate::orm::model::Model;
use crate::schema::error::{Error, Result};
use crate::schema::value::{SqlValue, Value};
use crate::schema::Table;
use crate::sql::write::{Col, Cond};

impl Db {
    /// Makes this connection `tenant`'s: from now on every read of a model with a tenant
    /// column sees only the rows whose column holds `tenant` (as a rule does: queries, `get`,
    /// every load, `any`/`has`, aggregates, bulk writes), every insert writes it into the
    /// column (a row that holds another tenant's is refused), and every update or delete of a
    /// row of another tenant is [`Error::CrossTenant`]. [`Db::without_rules`] lifts the filter
    /// on reads, not the check on writes; [`Db::clear_tenant`] ends both. A pool's connection
    /// starts every checkout without a tenant.
    pub fn set_tenant(&self, tenant: impl SqlValue) {
        self.rules.borrow_mut().tenant = Some(tenant.to_value().into_owned());
    }

    /// Ends the connection's tenant ([`Db::set_tenant`]): it reads and writes every tenant's rows.
    pub fn clear_tenant(&self) {
        self.rules.borrow_mut().tenant = None;
    }

    /// The connection's tenant, if it has one.
    pub fn tenant(&self) -> Option<Value<'static>> {
        self.rules.borrow().tenant.clone()
    }

    /// Before an insert: the row gets the connection's tenant, or is refused if it holds
    /// another's. A column still at its type's zero value (`0`, `""`) or `NULL` is filled.
    pub(crate) fn claim_for_tenant<M: Model>(&self, model: &mut M) -> Result<()> {
        let Some((column, tenant)) = self.tenant_of(M::TABLE) else { return Ok(()) };
        let held = model.column_value(column).into_owned();
        if held == tenant {
            return Ok(());
        }
        if matches!(&held, Value::Null | Value::Integer(0)) || matches!(&held, Value::Text(t) if t.is_empty()) {
            model.set_column(M::TABLE.columns[column].name, tenant.as_value_ref())?;
            return Ok(());
        }
        Err(cross(M::TABLE, column, &tenant, &held, "insert"))
    }

    /// Before an update or a delete of a row of `t` whose column `i` holds `held(i)`: refused
    /// if the row is another tenant's; otherwise the condition that keeps the statement to the
    /// tenant's rows. Nothing is read of the row when `t` has no tenant column or the
    /// connection no tenant.
    pub(crate) fn tenant_guard<'v>(
        &self,
        t: &'static Table,
        held: &dyn Fn(usize) -> Value<'v>,
        action: &'static str,
    ) -> Result<Option<Cond<'static>>> {
        let Some((column, tenant)) = self.tenant_of(t) else { return Ok(None) };
        let held = held(column);
        if held != tenant {
            return Err(cross(t, column, &tenant, &held, action));
        }
        Ok(Some(Cond::Eq(Col::of(t.name, t.columns[column].name), tenant)))
    }

    /// A bulk update setting `t`'s tenant column: refused unless to the tenant's own value.
    pub(crate) fn tenant_set(&self, t: &'static Table, column: &str, value: Option<&Value<'_>>) -> Result<()> {
        let Some((i, tenant)) = self.tenant_of(t) else { return Ok(()) };
        if t.columns[i].name != column || value == Some(&tenant) {
            return Ok(());
        }
        let row = value.map_or_else(|| "an expression".to_string(), ToString::to_string);
        Err(cross(t, i, &tenant, &row, "bulk update"))
    }

    /// The tenant column of `t` and the connection's tenant, when both are there.
    fn tenant_of(&self, t: &'static Table) -> Option<(usize, Value<'static>)> {
        let column = t.tenant?;
        Some((column, self.rules.borrow().tenant.clone()?))
    }
}

fn cross(
    t: &'static Table,
    column: usize,
    tenant: &Value<'_>,
    row: &dyn std::fmt::Display,
    action: &'static str,
) -> Error {
    Error::CrossTenant {
        table: t.name,
        column: t.columns[column].name,
        tenant: tenant.to_string(),
        row: row.to_string(),
        action,
    }
}
