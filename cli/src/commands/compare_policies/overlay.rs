//! Policy files for `compare-policies`: TOML fragments laid over a
//! scenario.
//!
//! ```toml
//! name = "predictive"          # run name and label (default: the file's stem)
//! description = "..."          # shown in the printed table (optional)
//!
//! [policies.web]               # replaces the scenario's policy `web` whole
//! min_capacity = 3             # (or adds it); other policies are kept
//! ...
//!
//! [[forecasts]]                # when the file has `forecasts` (even
//! app = "web"                  # `forecasts = []`), they replace the
//! ...                          # scenario's; otherwise the scenario's stay
//! ```
//!
//! Nothing else may be set: a comparison changes the policies and the
//! forecasts, never the fleet, the load or the seed.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

/// Keys a policy file may hold.
const KEYS: [&str; 4] = ["name", "description", "policies", "forecasts"];

/// A policy file, read.
#[derive(Clone, Debug)]
pub struct PolicyFile {
    /// Where it came from.
    pub path: PathBuf,
    /// Run name: `name`, else the file's stem.
    pub name: String,
    /// `description`, or empty.
    pub description: String,
    /// `[policies.*]` tables, by name.
    pub policies: toml::Table,
    /// `forecasts`, when the file has the key.
    pub forecasts: Option<toml::Value>,
}

impl PolicyFile {
    /// Reads and checks a policy file.
    pub fn load(path: &Path) -> anyhow::Result<PolicyFile> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading policy file {}", path.display()))?;
        Self::parse(&text, path)
    }

    /// Parses a policy file's text; `path` names it in messages.
    pub fn parse(text: &str, path: &Path) -> anyhow::Result<PolicyFile> {
        let file = path.display();
        let mut table: toml::Table = toml::from_str(text)
            .map_err(|e| anyhow::anyhow!("{file}: {}", e.to_string().trim()))?;
        for key in table.keys() {
            if !KEYS.contains(&key.as_str()) {
                bail!(
                    "{file}: {key} = ...: a policy file may set only {} (the fleet, load and seed come from the scenario)",
                    KEYS.join(", ")
                );
            }
        }
        let text_of = |v: Option<toml::Value>, key: &str| -> anyhow::Result<Option<String>> {
            match v {
                None => Ok(None),
                Some(toml::Value::String(s)) => Ok(Some(s)),
                Some(other) => bail!("{file}: {key} = {other}: expected a string"),
            }
        };
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let name = text_of(table.remove("name"), "name")?.unwrap_or(stem);
        if name.is_empty() || name.contains(['/', '\\']) || name.starts_with('.') {
            bail!("{file}: name = {name:?}: expected a non-empty name usable as a directory name");
        }
        let description = text_of(table.remove("description"), "description")?.unwrap_or_default();
        let policies = match table.remove("policies") {
            None => toml::Table::new(),
            Some(toml::Value::Table(t)) => t,
            Some(other) => bail!("{file}: policies = {other}: expected [policies.NAME] tables"),
        };
        for (k, v) in &policies {
            if !v.is_table() {
                bail!("{file}: policies.{k} = {v}: expected a table");
            }
        }
        let forecasts = table.remove("forecasts");
        if let Some(f) = &forecasts
            && !f.is_array()
        {
            bail!("{file}: forecasts = {f}: expected [[forecasts]] tables");
        }
        if policies.is_empty() && forecasts.is_none() {
            bail!("{file}: sets no [policies.*] and no [[forecasts]]: nothing to compare");
        }
        Ok(PolicyFile {
            path: path.to_path_buf(),
            name,
            description,
            policies,
            forecasts,
        })
    }

    /// The scenario document with this file's policies and forecasts.
    pub fn apply(&self, scenario: &toml::Table) -> toml::Table {
        let mut doc = scenario.clone();
        let policies = doc
            .entry("policies")
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        if let Some(p) = policies.as_table_mut() {
            for (k, v) in &self.policies {
                p.insert(k.clone(), v.clone());
            }
        }
        match &self.forecasts {
            Some(f) if f.as_array().is_some_and(Vec::is_empty) => {
                doc.remove("forecasts");
            }
            Some(f) => {
                doc.insert("forecasts".to_string(), f.clone());
            }
            None => {}
        }
        doc
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> anyhow::Result<PolicyFile> {
        PolicyFile::parse(text, Path::new("policies/p.toml"))
    }

    #[test]
    fn policies_replace_whole_and_forecasts_replace_the_list() {
        let scenario: toml::Table = toml::from_str(
            "[policies.web]\nmin_capacity = 1\nmax_capacity = 5\n[policies.cluster]\nmin_capacity = 2\n[[forecasts]]\napp = \"web\"\n",
        )
        .unwrap();
        let f = parse("[policies.web]\nmax_capacity = 9\n").unwrap();
        assert_eq!(f.name, "p");
        let doc = f.apply(&scenario);
        let web = doc["policies"]["web"].as_table().unwrap();
        assert_eq!(web.get("min_capacity"), None, "replaced whole, not merged");
        assert_eq!(web["max_capacity"].as_integer(), Some(9));
        assert!(doc["policies"].get("cluster").is_some());
        assert!(
            doc.get("forecasts").is_some(),
            "kept when the file has none"
        );
        let f = parse("name = \"reactive\"\nforecasts = []\n").unwrap();
        assert_eq!(f.name, "reactive");
        assert!(f.apply(&scenario).get("forecasts").is_none());
    }

    #[test]
    fn bad_files_name_the_key() {
        let e = parse("[workers]\ninitial = 3\n").unwrap_err().to_string();
        assert!(
            e.contains("policies/p.toml: workers") && e.contains("may set only"),
            "{e}"
        );
        let e = parse("name = \"a/b\"\n[policies.web]\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("name = \"a/b\""), "{e}");
        let e = parse("description = \"x\"\n").unwrap_err().to_string();
        assert!(e.contains("nothing to compare"), "{e}");
        let e = parse("forecasts = 3\n").unwrap_err().to_string();
        assert!(e.contains("forecasts = 3"), "{e}");
        assert!(parse("[policies.web\n").is_err());
    }
}
