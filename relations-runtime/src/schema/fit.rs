//! Whether a value fits its column, checked before any statement is sent: a text longer than
//! its `VARCHAR(n)`, an integer beyond its `INTEGER` or `SMALLINT`, a number past its
//! `NUMERIC(p, s)`, a NUL character in text. SQLite would store each of them and PostgreSQL
//! refuse it; checked here, both databases refuse alike, with [`Error::ValueDoesNotFit`]
//! naming the column, its limit and the value's size.

use rust_decimal::Decimal;

use crate::schema::error::{Error, Result};
use crate::schema::value::Value;
use crate::schema::{ColumnDef, SqlType, Table};

/// Checks a row's column values (in the table's column order) against the columns.
pub(crate) fn check_row(t: &'static Table, values: &[Value<'_>]) -> Result<()> {
    for (column, value) in t.columns.iter().zip(values) {
        // most values plainly fit and most columns have no validator: decided here, inline
        if column.validate.is_some() || !plainly_fits(column.sql_type, value) {
            check(t.name, column, value)?;
        }
    }
    Ok(())
}

/// Whether `value` fits a column of type `ty`, decided without building the message of a
/// misfit (that is [`problem`]'s): `false` sends it to [`check`], which finds the limit.
#[inline]
fn plainly_fits(ty: SqlType, value: &Value<'_>) -> bool {
    match value {
        Value::Null | Value::Blob(_) | Value::List(_) => true,
        Value::Integer(i) => match ty {
            SqlType::Integer => i32::try_from(*i).is_ok(),
            SqlType::SmallInteger => i16::try_from(*i).is_ok(),
            _ => true,
        },
        Value::Text(t) => {
            let short = match ty {
                SqlType::Varchar(Some(n)) => t.len() <= n as usize,
                _ => true,
            };
            short && !has_nul(t.as_bytes())
        }
        Value::Real(_) | Value::Decimal(_) => !matches!(ty, SqlType::Numeric(Some(_))),
    }
}

/// Whether `bytes` hold a NUL, eight bytes at a time: `(w - 0x0101..) & !w & 0x8080..` is
/// non-zero exactly when a byte of the word `w` is zero (the lowest zero byte becomes `0xff`
/// and had its top bit clear). The text of a row is short, and `memchr`'s set-up costs more
/// than this loop over it.
#[inline]
fn has_nul(bytes: &[u8]) -> bool {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const TOPS: u64 = u64::from_ne_bytes([0x80; 8]);
    let mut words = bytes.chunks_exact(8);
    let mut zero = 0;
    for chunk in &mut words {
        let mut word = [0; 8];
        word.copy_from_slice(chunk);
        let w = u64::from_ne_bytes(word);
        zero |= w.wrapping_sub(ONES) & !w & TOPS;
    }
    zero != 0 || words.remainder().contains(&0)
}

/// Checks one value against its column: that it fits, then the field's validator, if any.
pub(crate) fn check(table: &'static str, column: &'static ColumnDef, value: &Value<'_>) -> Result<()> {
    if let Some((limit, found)) = problem(column.sql_type, value) {
        return Err(Error::ValueDoesNotFit { table, column: column.name, limit, found });
    }
    match column.validate {
        Some(v) => validate(table, column, v, value),
        None => Ok(()),
    }
}

/// Runs the column's validator on `value`: kept out of line, so that [`check`] of a column
/// without one stays as small as it was.
#[inline(never)]
fn validate(
    table: &'static str,
    column: &'static ColumnDef,
    v: crate::schema::Validator,
    value: &Value<'_>,
) -> Result<()> {
    (v.check)(value.as_value_ref(), column).map_err(|message| Error::Validation {
        table,
        column: column.name,
        validator: v.name,
        message,
    })
}

/// The column's limit and what the value is, when it does not fit.
fn problem(ty: SqlType, value: &Value<'_>) -> Option<(String, String)> {
    match (ty, value) {
        (SqlType::Integer, Value::Integer(i)) if i32::try_from(*i).is_err() => Some((
            format!("INTEGER holds {} to {} (declare the column `#[column(bigint)]` for 64 bits)", i32::MIN, i32::MAX),
            format!("is {i}"),
        )),
        (SqlType::SmallInteger, Value::Integer(i)) if i16::try_from(*i).is_err() => {
            Some((format!("SMALLINT holds {} to {}", i16::MIN, i16::MAX), format!("is {i}")))
        }
        (SqlType::Varchar(Some(n)), Value::Text(t)) if t.len() > n as usize && t.chars().count() > n as usize => {
            Some((format!("VARCHAR({n}) holds {n} characters"), format!("is {} characters long", t.chars().count())))
        }
        (SqlType::Numeric(Some((p, s))), Value::Decimal(d)) => numeric(p, s, d.trunc().abs()),
        (SqlType::Numeric(Some((p, s))), Value::Real(f)) => {
            Decimal::try_from(f.trunc().abs()).ok().and_then(|d| numeric(p, s, d)).or_else(|| {
                (!f.is_finite() || f.abs() >= 1e28)
                    .then(|| (format!("NUMERIC({p}, {s}) holds finite numbers of {p} digits"), format!("is {f}")))
            })
        }
        (_, Value::Text(t)) => t.as_bytes().iter().position(|&b| b == 0).map(|at| {
            (
                "text holds no NUL character (U+0000) on every database; store such values as bytes".to_string(),
                format!("has a NUL at character {}", t[..at].chars().count() + 1),
            )
        }),
        _ => None,
    }
}

/// `NUMERIC(p, s)` holds integer parts of at most `p - s` digits: whether `int` (an absolute
/// integer part) has more.
fn numeric(p: u8, s: u8, int: Decimal) -> Option<(String, String)> {
    let digits = if int.is_zero() { 0 } else { int.to_string().len() };
    let room = usize::from(p.saturating_sub(s));
    (digits > room).then(|| {
        (
            format!("NUMERIC({p}, {s}) holds {room} digit(s) before the decimal point"),
            format!("has {digits} digits before it"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::has_nul;

    #[test]
    fn has_nul_finds_a_nul_at_every_place_and_nothing_else() {
        // bytes around the ones the word trick borrows across: 0x01, 0x80, 0xff
        for fill in [b'a', 0x01, 0x7f, 0x80, 0xff] {
            for len in 0..40 {
                let clean = vec![fill; len];
                assert!(!has_nul(&clean), "no NUL in {len} bytes of {fill:#x}");
                for at in 0..len {
                    let mut bytes = clean.clone();
                    bytes[at] = 0;
                    assert!(has_nul(&bytes), "a NUL at {at} of {len} bytes of {fill:#x}");
                }
            }
        }
    }
}
