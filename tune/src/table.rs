//! The results table: one row per run, typed columns, written as CSV (by
//! hand, so that numbers print the same everywhere: Rust's shortest
//! round-trip form) and Parquet (polars). Merging reads the Parquet files
//! back, which round-trip exactly.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use polars::prelude::*;

use crate::error::{TuneError, io};

/// A column's cells; `None` is a missing value (empty in CSV, null in Parquet).
#[derive(Clone, Debug, PartialEq)]
pub enum Cells {
    /// Whole numbers.
    Int(Vec<Option<i64>>),
    /// Unsigned whole numbers (seeds).
    UInt(Vec<Option<u64>>),
    /// Numbers.
    Float(Vec<Option<f64>>),
    /// Flags.
    Bool(Vec<Option<bool>>),
    /// Text.
    Text(Vec<Option<String>>),
}

/// One cell, for building tables row by row.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    /// A whole number.
    Int(i64),
    /// An unsigned whole number.
    UInt(u64),
    /// A number.
    Float(f64),
    /// A flag.
    Bool(bool),
    /// Text.
    Text(String),
    /// Missing.
    Null,
}

impl Cells {
    /// An empty column of the kind of `cell` (numbers for a missing value).
    pub fn like(cell: &Cell) -> Cells {
        match cell {
            Cell::Int(_) => Cells::Int(Vec::new()),
            Cell::UInt(_) => Cells::UInt(Vec::new()),
            Cell::Float(_) | Cell::Null => Cells::Float(Vec::new()),
            Cell::Bool(_) => Cells::Bool(Vec::new()),
            Cell::Text(_) => Cells::Text(Vec::new()),
        }
    }

    /// Number of cells.
    pub fn len(&self) -> usize {
        match self {
            Cells::Int(v) => v.len(),
            Cells::UInt(v) => v.len(),
            Cells::Float(v) => v.len(),
            Cells::Bool(v) => v.len(),
            Cells::Text(v) => v.len(),
        }
    }

    /// Whether there are no cells.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Appends a cell; a cell of another kind is converted when it can be
    /// (whole numbers into a number column) and is missing otherwise.
    pub fn push(&mut self, cell: Cell) {
        match self {
            Cells::Int(v) => v.push(match cell {
                Cell::Int(x) => Some(x),
                Cell::UInt(x) => i64::try_from(x).ok(),
                _ => None,
            }),
            Cells::UInt(v) => v.push(match cell {
                Cell::UInt(x) => Some(x),
                Cell::Int(x) => u64::try_from(x).ok(),
                _ => None,
            }),
            Cells::Float(v) => v.push(match cell {
                Cell::Float(x) => Some(x),
                Cell::Int(x) => Some(x as f64),
                Cell::UInt(x) => Some(x as f64),
                _ => None,
            }),
            Cells::Bool(v) => v.push(match cell {
                Cell::Bool(x) => Some(x),
                _ => None,
            }),
            Cells::Text(v) => v.push(match cell {
                Cell::Text(x) => Some(x),
                Cell::Null => None,
                other => Some(other.to_csv()),
            }),
        }
    }

    /// Cell `row`.
    pub fn get(&self, row: usize) -> Cell {
        let or_null = |c: Option<Cell>| c.unwrap_or(Cell::Null);
        match self {
            Cells::Int(v) => or_null(v[row].map(Cell::Int)),
            Cells::UInt(v) => or_null(v[row].map(Cell::UInt)),
            Cells::Float(v) => or_null(v[row].map(Cell::Float)),
            Cells::Bool(v) => or_null(v[row].map(Cell::Bool)),
            Cells::Text(v) => or_null(v[row].clone().map(Cell::Text)),
        }
    }

    fn empty_like(&self) -> Cells {
        match self {
            Cells::Int(_) => Cells::Int(Vec::new()),
            Cells::UInt(_) => Cells::UInt(Vec::new()),
            Cells::Float(_) => Cells::Float(Vec::new()),
            Cells::Bool(_) => Cells::Bool(Vec::new()),
            Cells::Text(_) => Cells::Text(Vec::new()),
        }
    }
}

impl Cell {
    /// The CSV text of the cell (empty when missing).
    pub fn to_csv(&self) -> String {
        match self {
            Cell::Int(x) => x.to_string(),
            Cell::UInt(x) => x.to_string(),
            Cell::Float(x) => x.to_string(),
            Cell::Bool(x) => x.to_string(),
            Cell::Text(x) => quote(x),
            Cell::Null => String::new(),
        }
    }

    /// The cell as a number, if it is one.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Cell::Int(x) => Some(*x as f64),
            Cell::UInt(x) => Some(*x as f64),
            Cell::Float(x) => Some(*x),
            _ => None,
        }
    }
}

fn quote(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// A named column.
#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    /// Its name.
    pub name: String,
    /// Its cells.
    pub cells: Cells,
}

/// The results table.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ResultTable {
    /// The columns, all of one length.
    pub columns: Vec<Column>,
}

impl ResultTable {
    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.columns.first().map_or(0, |c| c.cells.len())
    }

    /// The column named `name`.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// Cell (`name`, `row`), missing when there is no such column.
    pub fn cell(&self, name: &str, row: usize) -> Cell {
        self.column(name).map_or(Cell::Null, |c| c.cells.get(row))
    }

    /// Builds a table from rows of (name, cell); a column's kind is that of
    /// its first present cell, and a name missing from a row is missing
    /// there. Columns come in order of first appearance.
    pub fn from_rows(rows: &[Vec<(String, Cell)>]) -> ResultTable {
        let mut names: Vec<String> = Vec::new();
        let mut kinds: std::collections::HashMap<String, Cell> = std::collections::HashMap::new();
        for row in rows {
            for (name, cell) in row {
                if !kinds.contains_key(name) {
                    names.push(name.clone());
                    kinds.insert(name.clone(), Cell::Null);
                }
                if kinds[name] == Cell::Null && *cell != Cell::Null {
                    kinds.insert(name.clone(), cell.clone());
                }
            }
        }
        let mut columns: Vec<Column> = names
            .iter()
            .map(|n| Column {
                name: n.clone(),
                cells: Cells::like(&kinds[n]),
            })
            .collect();
        let index: std::collections::HashMap<&str, usize> = names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.as_str(), i))
            .collect();
        for row in rows {
            let mut filled = vec![false; columns.len()];
            for (name, cell) in row {
                let i = index[name.as_str()];
                if !filled[i] {
                    columns[i].cells.push(cell.clone());
                    filled[i] = true;
                }
            }
            for (i, f) in filled.iter().enumerate() {
                if !f {
                    columns[i].cells.push(Cell::Null);
                }
            }
        }
        ResultTable { columns }
    }

    /// Sets (or adds, at the end) a column.
    pub fn set_column(&mut self, name: &str, cells: Cells) {
        match self.columns.iter_mut().find(|c| c.name == name) {
            Some(c) => c.cells = cells,
            None => self.columns.push(Column {
                name: name.to_string(),
                cells,
            }),
        }
    }

    /// Rows of several tables one after another; columns are the union
    /// (in order of first appearance), missing cells where a table lacks one.
    pub fn concat(tables: &[ResultTable]) -> ResultTable {
        let mut columns: Vec<Column> = Vec::new();
        for t in tables {
            for c in &t.columns {
                if !columns.iter().any(|k| k.name == c.name) {
                    columns.push(Column {
                        name: c.name.clone(),
                        cells: c.cells.empty_like(),
                    });
                }
            }
        }
        for t in tables {
            for col in &mut columns {
                for row in 0..t.rows() {
                    col.cells.push(t.cell(&col.name, row));
                }
            }
        }
        ResultTable { columns }
    }

    /// The rows in the order `order` gives (row indices).
    pub fn reorder_rows(&self, order: &[usize]) -> ResultTable {
        let columns = self
            .columns
            .iter()
            .map(|c| {
                let mut cells = c.cells.empty_like();
                for &r in order {
                    cells.push(c.cells.get(r));
                }
                Column {
                    name: c.name.clone(),
                    cells,
                }
            })
            .collect();
        ResultTable { columns }
    }

    /// The columns in the order `names` gives first, the others after.
    pub fn reorder_columns(&mut self, first: &[String]) {
        let mut rest = std::mem::take(&mut self.columns);
        for name in first {
            if let Some(i) = rest.iter().position(|c| &c.name == name) {
                self.columns.push(rest.remove(i));
            }
        }
        self.columns.extend(rest);
    }

    /// The CSV text: a header line, then one line per row.
    pub fn to_csv(&self) -> String {
        let mut out = String::new();
        let header: Vec<String> = self.columns.iter().map(|c| quote(&c.name)).collect();
        out.push_str(&header.join(","));
        out.push('\n');
        for row in 0..self.rows() {
            let line: Vec<String> = self
                .columns
                .iter()
                .map(|c| c.cells.get(row).to_csv())
                .collect();
            out.push_str(&line.join(","));
            out.push('\n');
        }
        out
    }

    /// Writes the CSV file.
    pub fn write_csv(&self, path: &Path) -> Result<(), TuneError> {
        std::fs::write(path, self.to_csv()).map_err(io(path))
    }

    /// Writes the Parquet file (zstd, statistics).
    pub fn write_parquet(&self, path: &Path) -> Result<(), TuneError> {
        let columns: Vec<polars::prelude::Column> = self
            .columns
            .iter()
            .map(|c| {
                let name = c.name.as_str().into();
                match &c.cells {
                    Cells::Int(v) => Series::new(name, v.as_slice()),
                    Cells::UInt(v) => Series::new(name, v.as_slice()),
                    Cells::Float(v) => Series::new(name, v.as_slice()),
                    Cells::Bool(v) => Series::new(name, v.as_slice()),
                    Cells::Text(v) => Series::new(name, v.as_slice()),
                }
                .into_column()
            })
            .collect();
        let mut df = DataFrame::new(self.rows(), columns).map_err(io(path))?;
        let file = File::create(path).map_err(io(path))?;
        let mut out = BufWriter::new(file);
        ParquetWriter::new(&mut out)
            .with_compression(ParquetCompression::Zstd(None))
            .with_statistics(StatisticsOptions::default())
            .finish(&mut df)
            .map_err(io(path))?;
        out.flush().map_err(io(path))
    }

    /// Reads a Parquet file written by [`ResultTable::write_parquet`].
    pub fn read_parquet(path: &Path) -> Result<ResultTable, TuneError> {
        let file = File::open(path).map_err(io(path))?;
        let df = ParquetReader::new(file).finish().map_err(io(path))?;
        let mut columns = Vec::new();
        for c in df.columns() {
            let name = c.name().to_string();
            let bad = |e: PolarsError| TuneError::Io {
                path: path.to_path_buf(),
                message: format!("column {name:?}: {e}"),
            };
            let cells = match c.dtype() {
                DataType::Int64 => Cells::Int(c.i64().map_err(bad)?.iter().collect()),
                DataType::UInt64 => Cells::UInt(c.u64().map_err(bad)?.iter().collect()),
                DataType::Float64 => Cells::Float(c.f64().map_err(bad)?.iter().collect()),
                DataType::Boolean => Cells::Bool(c.bool().map_err(bad)?.iter().collect()),
                DataType::String => Cells::Text(
                    c.str()
                        .map_err(bad)?
                        .iter()
                        .map(|s| s.map(str::to_string))
                        .collect(),
                ),
                other => {
                    return Err(TuneError::Io {
                        path: path.to_path_buf(),
                        message: format!(
                            "column {name:?} has type {other}, not one a sweep writes"
                        ),
                    });
                }
            };
            columns.push(Column { name, cells });
        }
        Ok(ResultTable { columns })
    }
}
