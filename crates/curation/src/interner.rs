//! String interning for the low-cardinality columns of raw data (asset, sensor, unit).
//!
//! A raw object repeats a few dozen ids millions of times. Interning turns each into a `u32` once, so
//! rows carry no per-row allocation, sorting compares integers, and each distinct string is looked up
//! in the unit table or written to Parquet's dictionary from one place.

use std::borrow::Cow;
use std::collections::HashMap;

/// Distinct strings in first-seen order, borrowed from the raw text unless they contained escapes.
#[derive(Debug, Clone, Default)]
pub(crate) struct Interner<'a> {
    ids: HashMap<Cow<'a, str>, u32, foldhash::fast::RandomState>,
    values: Vec<Cow<'a, str>>,
}

impl<'a> Interner<'a> {
    /// The id of `value`, adding it if new. Ids are dense and in first-seen order.
    pub(crate) fn intern(&mut self, value: Cow<'a, str>) -> u32 {
        if let Some(&id) = self.ids.get(value.as_ref()) {
            return id;
        }
        let id =
            u32::try_from(self.values.len()).expect("fewer distinct strings than rows, and rows fit u32");
        self.values.push(value.clone());
        self.ids.insert(value, id);
        id
    }

    /// The string with id `id`.
    pub(crate) fn get(&self, id: u32) -> &str {
        &self.values[id as usize]
    }

    /// All strings, indexed by id.
    pub(crate) fn values(&self) -> &[Cow<'a, str>] {
        &self.values
    }

    /// For each id, its position in byte-wise sorted order, so rows sort by string without comparing strings.
    pub(crate) fn sort_ranks(&self) -> Vec<u32> {
        let mut by_value: Vec<u32> = (0..self.values.len() as u32).collect();
        by_value.sort_unstable_by(|&a, &b| self.get(a).cmp(self.get(b)));
        let mut rank = vec![0u32; self.values.len()];
        for (position, id) in by_value.into_iter().enumerate() {
            rank[id as usize] = position as u32;
        }
        rank
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_dense_and_ranks_follow_string_order() {
        let mut i = Interner::default();
        let ids: Vec<u32> =
            ["pump-2", "pump-10", "pump-2", "pump-1"].into_iter().map(|s| i.intern(s.into())).collect();
        assert_eq!(ids, [0, 1, 0, 2]);
        assert_eq!(i.get(1), "pump-10");
        // Byte-wise order: "pump-1" < "pump-10" < "pump-2".
        assert_eq!(i.sort_ranks(), [2, 1, 0]);
    }
}
