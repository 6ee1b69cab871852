//! The intermediate form of a `#[differentiable]` body: straight-line statements in A-normal
//! form (every intermediate bound once to a variable), with `if`/`else` as a statement holding
//! two nested blocks.

use std::collections::BTreeSet;

use proc_macro2::TokenStream;

use super::intrinsics::Prim;

/// An index into [`Function::vars`].
pub(crate) type VarId = usize;

/// One variable: a scalar or a condition.
pub(crate) struct VarInfo {
    /// The name the user gave it with `let`, if any.
    pub hint: Option<String>,
    /// Whether it depends on an input (only those get adjoints).
    pub active: bool,
    /// A `bool` (a condition) rather than a scalar.
    pub is_bool: bool,
}

/// What computes a statement's outputs.
pub(crate) enum Op {
    /// A constant: an `f64` expression (a literal or a named constant).
    Const(TokenStream),
    /// `true` or `false`.
    Bool(bool),
    /// Arithmetic or an intrinsic on scalar operands.
    Prim(Prim, Vec<VarId>),
    /// `x.powi(n)`: the integer exponent is not differentiated.
    Powi(VarId, TokenStream),
    /// A call of another `#[differentiable]` function (through its `_vjp` in reverse).
    Call(syn::Path, Vec<VarId>),
    /// A comparison (`<`, `<=`, `>`, `>=`, `==`, `!=`) of two scalars.
    Compare(syn::BinOp, VarId, VarId),
    /// `&&` or `||` of two conditions.
    Logic(syn::BinOp, VarId, VarId),
    /// `!` of a condition.
    Not(VarId),
    /// `if cond { .. } else { .. }`, each branch yielding the statement's outputs.
    If(VarId, Block, Block),
}

/// A statement: outputs bound once by an operation.
pub(crate) struct Stmt {
    /// The variables it binds (several for a call of a multi-output function or a tuple `if`).
    pub outputs: Vec<VarId>,
    /// How they are computed.
    pub op: Op,
}

/// Statements and the variables a block yields.
pub(crate) struct Block {
    /// In order of evaluation.
    pub stmts: Vec<Stmt>,
    /// The block's value: one variable per output.
    pub results: Vec<VarId>,
}

/// A lowered function body.
pub(crate) struct Function {
    /// Every variable, inputs first.
    pub vars: Vec<VarInfo>,
    /// The input variables, in parameter order.
    pub inputs: Vec<VarId>,
    /// The body.
    pub body: Block,
}

impl Op {
    /// The variables this operation reads directly (not those inside `if` branches).
    pub fn operands(&self) -> Vec<VarId> {
        match self {
            Op::Const(_) | Op::Bool(_) => vec![],
            Op::Prim(_, args) | Op::Call(_, args) => args.clone(),
            Op::Powi(a, _) | Op::Not(a) => vec![*a],
            Op::Compare(_, a, b) | Op::Logic(_, a, b) => vec![*a, *b],
            Op::If(c, _, _) => vec![*c],
        }
    }
}

impl Block {
    /// Variables read in this block (or nested ones) but defined outside it, in order.
    pub fn free_vars(&self) -> BTreeSet<VarId> {
        let mut read = BTreeSet::new();
        let mut defined = BTreeSet::new();
        self.collect(&mut read, &mut defined);
        read.difference(&defined).copied().collect()
    }

    fn collect(&self, read: &mut BTreeSet<VarId>, defined: &mut BTreeSet<VarId>) {
        for stmt in &self.stmts {
            read.extend(stmt.op.operands());
            if let Op::If(_, then, other) = &stmt.op {
                then.collect(read, defined);
                other.collect(read, defined);
            }
            defined.extend(&stmt.outputs);
        }
        read.extend(&self.results);
    }
}
