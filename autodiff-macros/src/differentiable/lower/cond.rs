//! Conditions of `if`: comparisons of scalars joined by `&&`, `||` and `!`. They choose a branch
//! and are never differentiated.

use syn::spanned::Spanned;
use syn::{BinOp, Expr, UnOp};

use super::Lowering;
use crate::differentiable::ir::{Op, VarId};
use crate::differentiable::unsupported::unsupported;

impl Lowering {
    /// Lowers a condition to a `bool` variable.
    pub(super) fn cond(&mut self, e: &Expr) -> syn::Result<VarId> {
        let op = match e {
            Expr::Paren(p) => return self.cond(&p.expr),
            Expr::Group(g) => return self.cond(&g.expr),
            Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Bool(b),
                ..
            }) => Op::Bool(b.value),
            Expr::Unary(u) if matches!(u.op, UnOp::Not(_)) => Op::Not(self.cond(&u.expr)?),
            Expr::Binary(b) => match b.op {
                BinOp::Lt(_)
                | BinOp::Le(_)
                | BinOp::Gt(_)
                | BinOp::Ge(_)
                | BinOp::Eq(_)
                | BinOp::Ne(_) => Op::Compare(b.op, self.scalar(&b.left)?, self.scalar(&b.right)?),
                BinOp::And(_) | BinOp::Or(_) => {
                    Op::Logic(b.op, self.cond(&b.left)?, self.cond(&b.right)?)
                }
                _ => return Err(condition_error(e)),
            },
            _ => return Err(condition_error(e)),
        };
        Ok(self.emit(None, op, 1, true)[0])
    }
}

fn condition_error(e: &Expr) -> syn::Error {
    unsupported(
        e.span(),
        "as a condition, only comparisons (`<`, `<=`, `>`, `>=`, `==`, `!=`) joined by `&&`, `||` \
         and `!` are; this is",
    )
}
