//! Metric names interned to small integer ids once, at configuration time,
//! so the hot path compares integers and never allocates.

use std::collections::HashMap;

/// An interned metric name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MetricKey(pub(crate) u32);

/// Name ↔ id table; ids are never reused, so they stay valid across
/// configuration versions.
#[derive(Clone, Debug, Default)]
pub(crate) struct Interner {
    ids: HashMap<Box<str>, u32>,
    names: Vec<Box<str>>,
}

impl Interner {
    pub(crate) fn intern(&mut self, name: &str) -> MetricKey {
        if let Some(&id) = self.ids.get(name) {
            return MetricKey(id);
        }
        let id = u32::try_from(self.names.len()).expect("fewer than 4 billion metric names");
        self.names.push(name.into());
        self.ids.insert(name.into(), id);
        MetricKey(id)
    }

    pub(crate) fn get(&self, name: &str) -> Option<MetricKey> {
        self.ids.get(name).map(|&id| MetricKey(id))
    }

    pub(crate) fn name(&self, key: MetricKey) -> &str {
        &self.names[key.0 as usize]
    }
}
