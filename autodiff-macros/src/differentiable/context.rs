//! What code generation needs throughout: the lowered function, a unique name for every
//! variable and adjoint, the core crate's path and the scalar type.

use std::collections::{BTreeSet, HashMap, HashSet};

use proc_macro2::{Ident, Span, TokenStream, TokenTree};
use quote::quote;

use super::ir::{Block, Function, Op, VarId};

/// The generation context of one `#[differentiable]` function.
pub(crate) struct Cx<'f> {
    /// The lowered body.
    pub f: &'f Function,
    /// `::autodiff_core` or its renamed path.
    pub core: TokenStream,
    /// The scalar type (`T`, `f32` or `f64`).
    pub ty: TokenStream,
    primal: Vec<Ident>,
    adjoint: HashMap<VarId, Ident>,
    by_name: HashMap<String, VarId>,
    used: HashSet<String>,
}

impl<'f> Cx<'f> {
    /// Names every variable: inputs keep theirs, `let`-bound values the user's (numbered when
    /// shadowed), other intermediates `t1, t2, ...`, constants `c1, ...`, conditions `cond1, ...`.
    /// Every name is hygienic (`Span::mixed_site`), so it cannot clash with the user's items.
    pub fn new(f: &'f Function, core: TokenStream, ty: TokenStream) -> Self {
        let mut consts = HashSet::new();
        collect_consts(&f.body, &mut consts);
        let mut cx = Cx {
            f,
            core,
            ty,
            primal: Vec::with_capacity(f.vars.len()),
            adjoint: HashMap::new(),
            by_name: HashMap::new(),
            used: HashSet::new(),
        };
        for (id, var) in f.vars.iter().enumerate() {
            let ident = match (&var.hint, var.is_bool, consts.contains(&id)) {
                (Some(hint), _, _) => cx.fresh_named(hint),
                (None, true, _) => cx.fresh_numbered("cond"),
                (None, false, true) => cx.fresh_numbered("c"),
                (None, false, false) => cx.fresh_numbered("t"),
            };
            cx.by_name.insert(ident.to_string(), id);
            cx.primal.push(ident);
        }
        cx
    }

    /// `base`, or `base_2`, `base_3`, ... if taken.
    pub fn fresh_named(&mut self, base: &str) -> Ident {
        let mut name = base.to_string();
        let mut k = 1;
        while self.used.contains(&name) {
            k += 1;
            name = format!("{base}_{k}");
        }
        self.take(name)
    }

    /// The first free `base1`, `base2`, ...
    pub fn fresh_numbered(&mut self, base: &str) -> Ident {
        let mut k = 1;
        while self.used.contains(&format!("{base}{k}")) {
            k += 1;
        }
        self.take(format!("{base}{k}"))
    }

    fn take(&mut self, name: String) -> Ident {
        let ident = Ident::new(&name, Span::mixed_site());
        self.used.insert(name);
        ident
    }

    /// The name of a variable's value.
    pub fn var(&self, id: VarId) -> &Ident {
        &self.primal[id]
    }

    /// The name of a variable's adjoint (`d_NAME`), made on first use.
    pub fn adjoint(&mut self, id: VarId) -> Ident {
        if let Some(d) = self.adjoint.get(&id) {
            return d.clone();
        }
        let d = self.fresh_named(&format!("d_{}", self.primal[id]));
        self.adjoint.insert(id, d.clone());
        d
    }

    /// Whether a variable depends on an input.
    pub fn active(&self, id: VarId) -> bool {
        self.f.vars[id].active
    }

    /// Zero of the scalar type.
    pub fn zero(&self) -> TokenStream {
        let (core, ty) = (&self.core, &self.ty);
        quote!(#core::scalar::lit::<#ty>(0.0))
    }

    /// Adds to `reads` every variable whose name occurs in `tokens`.
    pub fn note_reads(&self, tokens: &TokenStream, reads: &mut BTreeSet<VarId>) {
        for tree in tokens.clone() {
            match tree {
                TokenTree::Ident(ident) => {
                    if let Some(&id) = self.by_name.get(&ident.to_string()) {
                        reads.insert(id);
                    }
                }
                TokenTree::Group(group) => self.note_reads(&group.stream(), reads),
                _ => {}
            }
        }
    }
}

fn collect_consts(block: &Block, out: &mut HashSet<VarId>) {
    for stmt in &block.stmts {
        match &stmt.op {
            Op::Const(_) => out.extend(&stmt.outputs),
            Op::If(_, then, other) => {
                collect_consts(then, out);
                collect_consts(other, out);
            }
            _ => {}
        }
    }
}
