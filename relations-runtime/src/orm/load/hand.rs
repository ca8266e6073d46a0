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

/// Which owners a [`Handout`] was worked out for, in its order.
#[derive(Clone, Copy)]
pub(super) enum Owners<'o, O> {
    /// All of them.
    All(&'o [O]),
    /// Those at these indexes.
    Some(&'o [O], &'o [usize]),
}

impl<'o, O> Owners<'o, O> {
    fn each(self) -> impl Iterator<Item = &'o O> {
        let (owners, picked) = match self {
            Owners::All(owners) => (owners, None),
            Owners::Some(owners, picked) => (owners, Some(picked)),
        };
        let n = picked.map_or(owners.len(), <[usize]>::len);
        (0..n).map(move |i| &owners[picked.map_or(i, |p| p[i])])
    }
}

/// Fills each owner's field with its rows, as `plan` says.
pub(super) fn hand_out<O, F: Slot>(
    rel: Rel<O, F>,
    owners: Owners<'_, O>,
    rows: Vec<F::Target>,
    plan: Handout,
) -> Result<()> {
    match plan {
        Handout::One(parent) => {
            let rows: Vec<Arc<F::Target>> = rows.into_iter().map(Arc::new).collect();
            for (o, p) in owners.each().zip(parent) {
                (rel.field)(o).fill(rel.def, Fill::One(p.map(|r| Arc::clone(&rows[r]))))?;
            }
        }
        Handout::Many { runs, groups, owner_groups } => {
            let mut collected = split_runs(rows, &runs, groups);
            for (o, g) in owners.each().zip(owner_groups) {
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

/// `rows` cut into `groups` vectors by `runs` ((group, length), in row order), each group's
/// runs in row order. Taken from the end, and the rows' vector shrunk in place as it empties,
/// so that the rows are held about once, not twice, while they move. A group of one run is
/// split off whole; one of several (rows in an order that interleaves their owners) is sized
/// once and filled from its last run back, then turned round: every row moves a fixed number
/// of times however many runs its group has.
fn split_runs<T>(mut rows: Vec<T>, runs: &[(usize, usize)], groups: usize) -> Vec<Vec<T>> {
    let mut collected: Vec<Vec<T>> = (0..groups).map(|_| Vec::new()).collect();
    // each group's rows and runs, where some group has more than one
    let mut sizes = Vec::new();
    if runs.len() > groups {
        sizes = vec![(0usize, 0usize); groups];
        for &(group, len) in runs {
            sizes[group].0 += len;
            sizes[group].1 += 1;
        }
    }
    for &(group, len) in runs.iter().rev() {
        let at = rows.len().saturating_sub(len);
        let (size, count) = sizes.get(group).copied().unwrap_or((len, 1));
        let g = &mut collected[group];
        if count == 1 {
            *g = rows.split_off(at);
        } else {
            if g.capacity() == 0 {
                g.reserve_exact(size);
            }
            // backwards: the group's later runs were taken first
            g.extend(rows.drain(at..).rev());
        }
        // a shrink gives the tail back without moving the rows left (`realloc` in place)
        if rows.len() < rows.capacity() - rows.capacity() / 8 {
            rows.shrink_to_fit();
        }
    }
    for (g, &(_, count)) in collected.iter_mut().zip(&sizes) {
        if count > 1 {
            g.reverse();
        }
    }
    collected
}

#[cfg(test)]
mod tests {
    use super::split_runs;

    #[test]
    fn runs_go_to_their_groups_in_row_order() {
        let runs = [(0, 2), (1, 1), (0, 2), (2, 0), (1, 3)];
        let groups = split_runs((1..=8).collect(), &runs, 3);
        assert_eq!(groups, [vec![1, 2, 4, 5], vec![3, 6, 7, 8], vec![]]);
    }

    #[test]
    fn interleaved_owners_get_their_rows_in_order() {
        // rows in their own order, their owners taking turns: a run of one row each
        let runs: Vec<(usize, usize)> = (0..3000).map(|i| (i % 3, 1)).collect();
        let groups = split_runs((0..3000).collect(), &runs, 3);
        for (g, rows) in groups.iter().enumerate() {
            assert_eq!(rows.len(), 1000);
            assert!(rows.iter().enumerate().all(|(i, &r)| r == i * 3 + g), "group {g}: {:?}", &rows[..5]);
        }
    }
}
