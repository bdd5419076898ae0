//! Setting values in a scenario document by path, such as
//! `policies.web.thresholds[0].scale_up_threshold`: used by configuration
//! changes during a run and by parameter sweeps.

use toml::{Table, Value};

/// One step of a path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// A table key.
    Key(String),
    /// An array index.
    Index(usize),
}

/// Splits `a.b[2].c` into steps; errors name the offending part.
pub fn parse_path(path: &str) -> Result<Vec<Step>, String> {
    let mut steps = Vec::new();
    for part in path.split('.') {
        let (key, mut rest) = part.split_once('[').map_or((part, ""), |(k, r)| (k, r));
        if key.is_empty() && steps.is_empty() {
            return Err(format!("{path:?}: a path starts with a key"));
        }
        if !key.is_empty() {
            steps.push(Step::Key(key.to_string()));
        } else if rest.is_empty() {
            return Err(format!("{path:?}: empty key"));
        }
        while !rest.is_empty() {
            let (index, after) = rest
                .split_once(']')
                .ok_or_else(|| format!("{path:?}: missing ']'"))?;
            let index = index
                .parse()
                .map_err(|_| format!("{path:?}: {index:?} is not an array index"))?;
            steps.push(Step::Index(index));
            rest = after.strip_prefix('[').unwrap_or(after);
            if !after.is_empty() && !after.starts_with('[') {
                return Err(format!("{path:?}: unexpected {after:?} after ']'"));
            }
        }
    }
    Ok(steps)
}

/// Sets `value` at `path` in `doc`. The parent of the last step must exist;
/// the last key may be new (it is then added), an index must exist.
pub fn set_path(doc: &mut Table, path: &str, value: Value) -> Result<(), String> {
    let steps = parse_path(path)?;
    let (last, parents) = steps
        .split_last()
        .ok_or_else(|| format!("{path:?}: empty path"))?;
    let mut node: &mut Value = match &parents.first() {
        Some(Step::Key(k)) => doc
            .get_mut(k)
            .ok_or_else(|| format!("{path:?}: no key {k:?}"))?,
        Some(Step::Index(_)) => return Err(format!("{path:?}: a path starts with a key")),
        None => {
            let Step::Key(k) = last else {
                return Err(format!("{path:?}: a path starts with a key"));
            };
            doc.insert(k.clone(), value);
            return Ok(());
        }
    };
    for (i, step) in parents.iter().enumerate().skip(1) {
        let here = describe(&steps[..=i]);
        node = match step {
            Step::Key(k) => node
                .as_table_mut()
                .ok_or_else(|| format!("{path:?}: {} is not a table", describe(&steps[..i])))?
                .get_mut(k)
                .ok_or_else(|| format!("{path:?}: no {here}"))?,
            Step::Index(ix) => node
                .as_array_mut()
                .ok_or_else(|| format!("{path:?}: {} is not an array", describe(&steps[..i])))?
                .get_mut(*ix)
                .ok_or_else(|| format!("{path:?}: no {here}"))?,
        };
    }
    match last {
        Step::Key(k) => {
            node.as_table_mut()
                .ok_or_else(|| format!("{path:?}: {} is not a table", describe(parents)))?
                .insert(k.clone(), value);
        }
        Step::Index(ix) => {
            let slot = node
                .as_array_mut()
                .ok_or_else(|| format!("{path:?}: {} is not an array", describe(parents)))?
                .get_mut(*ix)
                .ok_or_else(|| format!("{path:?}: no element {ix}"))?;
            *slot = value;
        }
    }
    Ok(())
}

/// Reads the value at `path`, if any.
pub fn get_path<'a>(doc: &'a Table, path: &str) -> Option<&'a Value> {
    let steps = parse_path(path).ok()?;
    let (first, rest) = steps.split_first()?;
    let Step::Key(k) = first else { return None };
    let mut node = doc.get(k)?;
    for step in rest {
        node = match step {
            Step::Key(k) => node.as_table()?.get(k)?,
            Step::Index(i) => node.as_array()?.get(*i)?,
        };
    }
    Some(node)
}

fn describe(steps: &[Step]) -> String {
    let mut out = String::new();
    for step in steps {
        match step {
            Step::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Step::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> Table {
        toml::from_str(
            r#"
            [policies.web]
            min_capacity = 2
            [[policies.web.thresholds]]
            metric_name = "cpu_percent"
            scale_up_threshold = 80.0
            "#,
        )
        .unwrap()
    }

    #[test]
    fn sets_nested_values_through_tables_and_arrays() {
        let mut d = doc();
        set_path(
            &mut d,
            "policies.web.thresholds[0].scale_up_threshold",
            Value::Float(70.0),
        )
        .unwrap();
        assert_eq!(
            get_path(&d, "policies.web.thresholds[0].scale_up_threshold"),
            Some(&Value::Float(70.0))
        );
        set_path(&mut d, "policies.web.max_capacity", Value::Integer(9)).unwrap();
        assert_eq!(
            get_path(&d, "policies.web.max_capacity"),
            Some(&Value::Integer(9))
        );
    }

    #[test]
    fn missing_parents_and_bad_indices_are_named() {
        let mut d = doc();
        let e = set_path(&mut d, "policies.api.min_capacity", Value::Integer(3)).unwrap_err();
        assert!(e.contains("no policies.api"), "{e}");
        let e = set_path(
            &mut d,
            "policies.web.thresholds[3].scale_up_threshold",
            Value::Float(1.0),
        )
        .unwrap_err();
        assert!(e.contains("thresholds[3]"), "{e}");
        assert!(
            parse_path("a[x]")
                .unwrap_err()
                .contains("not an array index")
        );
        assert!(parse_path("a[1").unwrap_err().contains("missing ']'"));
    }
}
