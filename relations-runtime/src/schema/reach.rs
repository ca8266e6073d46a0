//! Which models a statement reaches, checked by the compiler: a column used in a query's
//! `filter`, `order_by` or `select`, or in a loader option's `filter` or `order_by`, must be a
//! column of a model the statement has in its `FROM` — the query's model, a model it joins, a
//! many-to-many's association model, the loaded relationship's target. Anything else would be
//! a statement the database refuses; here it does not compile:
//!
//! ```text
//! error[E0277]: `Author` is not a model this statement reaches
//!    |     Loan::query(&db).order_by(Author::name)
//!    |                               ^^^^^^^^^^^^ a column of `Author`
//! ```
//!
//! How: every condition, order and term carries, as a type, the models its columns belong to
//! (a tree of [`One`]s joined by [`Both`]; [`Nil`] for none); a query carries the models it
//! reaches as a list ([`Cons`]), grown by each `join`; taking a condition asks the compiler
//! that every model of the tree is in the list ([`Within`], [`Reaches`]). A condition whose
//! models were erased ([`Dyn`], from `.erase()`, to build conditions dynamically) is checked
//! when the statement runs instead, as an aliased table's columns are: a column of a table the
//! statement does not have is then [`Error::InvalidQuery`](crate::schema::error::Error::InvalidQuery).
//!
//! These types appear in signatures and in compiler messages; nothing of them exists at run
//! time.

use std::marker::PhantomData;

/// No model: a bound value, `count(*)`, an uncorrelated subquery.
#[derive(Debug, Clone, Copy, Default)]
pub struct Nil;

/// The columns of model `M`.
#[derive(Debug)]
pub struct One<M>(PhantomData<fn() -> M>);

/// The models of `A` and those of `B` (a comparison of two columns, an `and`...).
#[derive(Debug)]
pub struct Both<A, B>(PhantomData<fn() -> (A, B)>);

/// Models no longer known to the compiler (an erased condition, an alias's column): checked
/// when the statement runs.
#[derive(Debug, Clone, Copy, Default)]
pub struct Dyn;

/// A list of the models a statement reaches: `H`, then those of `T`.
#[derive(Debug)]
pub struct Cons<H, T>(PhantomData<fn() -> (H, T)>);

/// The link model of a relationship without an association model (a has-many, a belongs-to,
/// a many-to-many through a plain table): no columns of its own to name.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoLink;

/// Where in a [`Cons`] list a model is: first.
#[derive(Debug)]
pub struct Here;

/// Where in a [`Cons`] list a model is: in its tail, at `I`.
#[derive(Debug)]
pub struct There<I>(PhantomData<fn() -> I>);

/// The list `Self` holds model `M` (at position `I`, which the compiler works out).
#[diagnostic::on_unimplemented(
    message = "`{M}` is not a model this statement reaches",
    label = "a column of `{M}`",
    note = "a query reaches its own model and the models it joins (`.join(..)`, a many-to-many's association model with it); a loader option, and an aggregate or `any` over a relationship, reach the relationship's target and its association model"
)]
pub trait Reaches<M, I> {}

impl<M, T> Reaches<M, Here> for Cons<M, T> {}
impl<M, H, T: Reaches<M, I>, I> Reaches<M, There<I>> for Cons<H, T> {}

/// Every model named by `Self` (a condition's, an order's, a selection's) is in the list `R`.
pub trait Within<R, I> {}

impl<R> Within<R, Nil> for Nil {}
impl<R> Within<R, Dyn> for Dyn {}
impl<R: Reaches<M, I>, M, I> Within<R, One<I>> for One<M> {}
impl<R, A: Within<R, I>, B: Within<R, J>, I, J> Within<R, Both<I, J>> for Both<A, B> {}
