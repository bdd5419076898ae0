//! Small helpers to move between polars columns and plain vectors.

use polars::prelude::*;

/// A float column as a vector; nulls become NaN.
pub(crate) fn f64s(df: &DataFrame, name: &str) -> PolarsResult<Vec<f64>> {
    let c = df.column(name)?.cast(&DataType::Float64)?;
    Ok(c.f64()?.iter().map(|v| v.unwrap_or(f64::NAN)).collect())
}

/// A nullable float column as a vector of options.
pub(crate) fn opt_f64s(df: &DataFrame, name: &str) -> PolarsResult<Vec<Option<f64>>> {
    let c = df.column(name)?.cast(&DataType::Float64)?;
    Ok(c.f64()?.iter().collect())
}

/// An unsigned index column as a vector (nulls, which the loader refuses, become 0).
pub(crate) fn u32s(df: &DataFrame, name: &str) -> PolarsResult<Vec<u32>> {
    let c = df.column(name)?.cast(&DataType::UInt32)?;
    Ok(c.u32()?.iter().map(|v| v.unwrap_or(0)).collect())
}

/// A text column as owned strings (nulls become empty).
pub(crate) fn strings(df: &DataFrame, name: &str) -> PolarsResult<Vec<String>> {
    let c = df.column(name)?;
    Ok(c.str()?
        .iter()
        .map(|v| v.unwrap_or("").to_owned())
        .collect())
}

/// `when(cond).then(value).otherwise(0.0)`.
pub(crate) fn if_else_zero(cond: Expr, value: Expr) -> Expr {
    when(cond).then(value).otherwise(lit(0.0))
}

/// The sign of `x` as -1, 0 or 1 (i32); null stays null.
pub(crate) fn sign(x: Expr) -> Expr {
    when(x.clone().gt(lit(0.0)))
        .then(lit(1i32))
        .when(x.clone().lt(lit(0.0)))
        .then(lit(-1i32))
        .when(x.is_not_null())
        .then(lit(0i32))
        .otherwise(lit(NULL).cast(DataType::Int32))
}
