//! From the function's syntax to the straight-line form of [`ir`](super::ir): statements and
//! `let`s, with scopes for names and for sharing repeated subexpressions.

mod cond;
mod expr;

use std::collections::HashMap;

use syn::spanned::Spanned;

use super::ir::{Block, Function, Op, Stmt, VarId, VarInfo};
use super::unsupported::unsupported;

/// The lowering state: every variable so far, and the open blocks.
pub(crate) struct Lowering {
    vars: Vec<VarInfo>,
    /// The statements of each open block, innermost last.
    blocks: Vec<Vec<Stmt>>,
    /// User names in scope, innermost last.
    names: Vec<HashMap<String, VarId>>,
    /// Already computed expressions (by a key naming the operation and operands), per block, so
    /// a repeated subexpression is computed once.
    shared: Vec<HashMap<String, Vec<VarId>>>,
}

/// Lowers a function of the given input names returning `outputs` values.
pub(crate) fn lower(
    inputs: &[syn::Ident],
    body: &syn::Block,
    outputs: usize,
) -> syn::Result<Function> {
    let mut cx = Lowering {
        vars: Vec::new(),
        blocks: vec![Vec::new()],
        names: vec![HashMap::new()],
        shared: vec![HashMap::new()],
    };
    let mut input_ids = Vec::new();
    for ident in inputs {
        let id = cx.new_var(Some(ident.to_string()), true, false);
        cx.names[0].insert(ident.to_string(), id);
        input_ids.push(id);
    }
    let results = cx.block_value(body, outputs)?;
    let stmts = cx.blocks.pop().unwrap_or_default();
    Ok(Function {
        vars: cx.vars,
        inputs: input_ids,
        body: Block { stmts, results },
    })
}

impl Lowering {
    fn new_var(&mut self, hint: Option<String>, active: bool, is_bool: bool) -> VarId {
        self.vars.push(VarInfo {
            hint,
            active,
            is_bool,
        });
        self.vars.len() - 1
    }

    /// Appends a statement computing `outputs` fresh variables with `op`, or reuses an earlier
    /// identical one (same `key`) in this or an enclosing block.
    fn emit(&mut self, key: Option<String>, op: Op, outputs: usize, is_bool: bool) -> Vec<VarId> {
        if let Some(key) = &key
            && let Some(found) = self.shared.iter().rev().find_map(|m| m.get(key))
        {
            return found.clone();
        }
        let active = match &op {
            Op::If(_, then, other) => (0..outputs)
                .map(|k| self.vars[then.results[k]].active || self.vars[other.results[k]].active)
                .collect(),
            _ => vec![!is_bool && op.operands().iter().any(|&v| self.vars[v].active); outputs],
        };
        let ids: Vec<VarId> = active
            .into_iter()
            .map(|a| self.new_var(None, a, is_bool))
            .collect();
        if let Some(key) = key {
            self.shared
                .last_mut()
                .expect("a block is open")
                .insert(key, ids.clone());
        }
        self.blocks.last_mut().expect("a block is open").push(Stmt {
            outputs: ids.clone(),
            op,
        });
        ids
    }

    fn lookup(&self, name: &str) -> Option<VarId> {
        self.names.iter().rev().find_map(|m| m.get(name)).copied()
    }

    /// Lowers a `{ ... }` in a scope of its own (names and sharing), into the current block.
    fn block_value(&mut self, block: &syn::Block, arity: usize) -> syn::Result<Vec<VarId>> {
        self.names.push(HashMap::new());
        let result = self.stmts_value(block, arity);
        self.names.pop();
        result
    }

    fn stmts_value(&mut self, block: &syn::Block, arity: usize) -> syn::Result<Vec<VarId>> {
        let Some((last, init)) = block.stmts.split_last() else {
            return Err(unsupported(block.span(), "an empty block is"));
        };
        for stmt in init {
            match stmt {
                syn::Stmt::Local(local) => self.local(local)?,
                other => return Err(statement_error(other)),
            }
        }
        match last {
            syn::Stmt::Expr(value, None) => self.expr(value, arity),
            syn::Stmt::Local(local) => Err(unsupported(
                local.span(),
                "a block that ends with `let` (it must end with its value) is",
            )),
            other => Err(statement_error(other)),
        }
    }

    /// Lowers a branch of an `if` into a block of its own.
    fn branch(&mut self, block: &syn::Block, arity: usize) -> syn::Result<Block> {
        self.blocks.push(Vec::new());
        self.shared.push(HashMap::new());
        let results = self.block_value(block, arity);
        self.shared.pop();
        let stmts = self.blocks.pop().unwrap_or_default();
        Ok(Block {
            stmts,
            results: results?,
        })
    }

    /// `let name = expr;` or `let (a, b) = expr;`, optionally with a type.
    fn local(&mut self, local: &syn::Local) -> syn::Result<()> {
        let Some(init) = &local.init else {
            return Err(unsupported(local.span(), "`let` without a value is"));
        };
        if let Some((_, diverge)) = &init.diverge {
            return Err(unsupported(diverge.span(), "`let ... else` is"));
        }
        let names = pattern_names(&local.pat)?;
        let first_new = self.vars.len();
        let values = self.expr(&init.expr, names.len())?;
        for (name, id) in names.into_iter().zip(values) {
            let Some(name) = name else { continue };
            if id >= first_new && self.vars[id].hint.is_none() {
                self.vars[id].hint = Some(name.to_string());
            }
            self.names
                .last_mut()
                .expect("a scope is open")
                .insert(name.to_string(), id);
        }
        Ok(())
    }
}

/// The names a `let` pattern binds, `None` for `_`: a name, `_`, or a tuple of those.
fn pattern_names(pat: &syn::Pat) -> syn::Result<Vec<Option<syn::Ident>>> {
    match pat {
        syn::Pat::Type(typed) => pattern_names(&typed.pat),
        syn::Pat::Tuple(tuple) => tuple
            .elems
            .iter()
            .map(|p| match single_name(p)? {
                Some(name) => Ok(name),
                None => Err(unsupported(p.span(), "this pattern is")),
            })
            .collect(),
        other => match single_name(other)? {
            Some(name) => Ok(vec![name]),
            None => Err(unsupported(other.span(), "this pattern is")),
        },
    }
}

/// `Some(Some(name))` for a plain name, `Some(None)` for `_`, `None` for another pattern.
fn single_name(pat: &syn::Pat) -> syn::Result<Option<Option<syn::Ident>>> {
    match pat {
        syn::Pat::Ident(p) if p.mutability.is_some() => {
            Err(unsupported(p.mutability.span(), "mutation (`let mut`) is"))
        }
        syn::Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => {
            Ok(Some(Some(p.ident.clone())))
        }
        syn::Pat::Wild(_) => Ok(Some(None)),
        syn::Pat::Type(typed) => single_name(&typed.pat),
        _ => Ok(None),
    }
}

fn statement_error(stmt: &syn::Stmt) -> syn::Error {
    match stmt {
        syn::Stmt::Item(item) => unsupported(item.span(), "a nested item is"),
        syn::Stmt::Macro(m) => unsupported(m.span(), "a macro is"),
        syn::Stmt::Expr(e, _) => expr::expression_error(e).unwrap_or_else(|| {
            unsupported(
                e.span(),
                "a statement other than `let` (the body is `let`s then its value) is",
            )
        }),
        syn::Stmt::Local(l) => unsupported(l.span(), "this `let` is"),
    }
}
