//! Small helpers to move between polars columns and plain vectors.

use polars::prelude::*;

/// A float column as a vector; nulls become NaN. A column without nulls
/// (every column, once the loader has checked a file) is copied chunk by
/// chunk.
pub(crate) fn f64s(df: &DataFrame, name: &str) -> PolarsResult<Vec<f64>> {
    let c = df.column(name)?.cast(&DataType::Float64)?;
    let ca = c.f64()?;
    if ca.null_count() > 0 {
        return Ok(ca.iter().map(|v| v.unwrap_or(f64::NAN)).collect());
    }
    let mut out = Vec::with_capacity(ca.len());
    for arr in ca.downcast_iter() {
        out.extend_from_slice(arr.values());
    }
    Ok(out)
}

/// An integer column as a vector (nulls, which the loader refuses, become 0).
pub(crate) fn i64s(df: &DataFrame, name: &str) -> PolarsResult<Vec<i64>> {
    let c = df.column(name)?.cast(&DataType::Int64)?;
    Ok(c.i64()?.iter().map(|v| v.unwrap_or(0)).collect())
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
