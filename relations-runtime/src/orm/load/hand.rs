//! Handing loaded rows to their owners' fields, for every strategy: where each row goes is
//! worked out by shared code ([`Handout`]); only the moves are generic.

use std::sync::Arc;

use super::eager::Rel;
use crate::orm::model::Model;
use crate::orm::relation::{Fill, Slot};
use crate::schema::error::Result;

/// Where the loaded rows go.
pub(super) enum Handout {
    /// A to-one relationship: each owner's row, by index (rows may be shared).
    One(Vec<Option<usize>>),
    /// A collection: the runs of consecutive rows of one group, as (group, length), in row
    /// order; the number of groups; and each owner's group, with whether it takes the rows (the
    /// last owner of a shared group) or gets copies.
    Many { runs: Vec<(usize, usize)>, groups: usize, owner_groups: Vec<Option<(usize, bool)>> },
}

impl Handout {
    /// A collection whose rows each belong to one owner (`owner_of`, by row; a row of no owner
    /// goes nowhere).
    pub(super) fn by_owner(owners: usize, owner_of: &[Option<usize>]) -> Handout {
        let mut runs: Vec<(usize, usize)> = Vec::new();
        for o in owner_of {
            let g = o.unwrap_or(owners);
            match runs.last_mut() {
                Some((last, n)) if *last == g => *n += 1,
                _ => runs.push((g, 1)),
            }
        }
        Handout::Many { runs, groups: owners + 1, owner_groups: (0..owners).map(|o| Some((o, true))).collect() }
    }
}

/// Fills each owner's field with its rows, as `plan` says.
pub(super) fn hand_out<O, F: Slot>(rel: Rel<O, F>, owners: &[O], rows: Vec<F::Target>, plan: Handout) -> Result<()> {
    match plan {
        Handout::One(parent) => {
            let rows: Vec<Arc<F::Target>> = rows.into_iter().map(Arc::new).collect();
            for (o, p) in owners.iter().zip(parent) {
                (rel.field)(o).fill(rel.def, Fill::One(p.map(|r| Arc::clone(&rows[r]))))?;
            }
        }
        Handout::Many { runs, groups, owner_groups } => {
            let mut collected: Vec<Vec<F::Target>> = (0..groups).map(|_| Vec::new()).collect();
            let mut rows = rows.into_iter();
            for (group, len) in runs {
                let g = &mut collected[group];
                if g.is_empty() {
                    *g = rows.by_ref().take(len).collect();
                } else {
                    g.extend(rows.by_ref().take(len));
                }
            }
            for (o, g) in owners.iter().zip(owner_groups) {
                let rows = match g {
                    None => Vec::new(),
                    Some((g, true)) => std::mem::take(&mut collected[g]),
                    Some((g, false)) => collected[g].iter().map(Model::duplicate).collect(),
                };
                (rel.field)(o).fill(rel.def, Fill::Many(rows))?;
            }
        }
    }
    Ok(())
}
