//! Scalar expressions: arithmetic, literals, names, intrinsics, calls, tuples and `if`.

use quote::{ToTokens, quote};
use syn::spanned::Spanned;
use syn::{BinOp, Expr, UnOp};

use super::Lowering;
use crate::differentiable::intrinsics::{Intrinsic, Prim, lookup};
use crate::differentiable::ir::{Op, VarId};
use crate::differentiable::unsupported::unsupported;

impl Lowering {
    /// Lowers `e` to `arity` scalar variables (1 unless it is a tuple, a call of a multi-output
    /// function or an `if` yielding a tuple).
    pub(super) fn expr(&mut self, e: &Expr, arity: usize) -> syn::Result<Vec<VarId>> {
        match e {
            Expr::Paren(p) => self.expr(&p.expr, arity),
            Expr::Group(g) => self.expr(&g.expr, arity),
            Expr::Tuple(t) if t.elems.len() == arity && arity != 1 => {
                t.elems.iter().map(|e| self.scalar(e)).collect()
            }
            Expr::Call(call) => self.call(call, arity),
            Expr::If(i) => self.if_else(i, arity),
            Expr::Block(b) if b.label.is_none() => self.block_value(&b.block, arity),
            _ if arity != 1 => Err(syn::Error::new(
                e.span(),
                format!("expected {arity} values here (a tuple, a call or an `if`)"),
            )),
            _ => Ok(vec![self.scalar(e)?]),
        }
    }

    /// Lowers a scalar expression to one variable.
    pub(super) fn scalar(&mut self, e: &Expr) -> syn::Result<VarId> {
        match e {
            Expr::Paren(p) => self.scalar(&p.expr),
            Expr::Group(g) => self.scalar(&g.expr),
            Expr::Lit(lit) => self.literal(&lit.lit, false),
            Expr::Unary(u) if matches!(u.op, UnOp::Neg(_)) => match &*u.expr {
                Expr::Lit(lit) => self.literal(&lit.lit, true),
                inner => {
                    let a = self.scalar(inner)?;
                    Ok(self.prim(Prim::Neg, vec![a]))
                }
            },
            Expr::Path(p) => self.name(p),
            Expr::Binary(b) => {
                let prim = match b.op {
                    BinOp::Add(_) => Prim::Add,
                    BinOp::Sub(_) => Prim::Sub,
                    BinOp::Mul(_) => Prim::Mul,
                    BinOp::Div(_) => Prim::Div,
                    _ => return Err(binary_error(b)),
                };
                let (l, r) = (self.scalar(&b.left)?, self.scalar(&b.right)?);
                Ok(self.prim(prim, vec![l, r]))
            }
            Expr::MethodCall(m) => {
                if let Some(turbofish) = &m.turbofish {
                    return Err(unsupported(
                        turbofish.span(),
                        "a turbofish on an intrinsic is",
                    ));
                }
                let args: Vec<&Expr> = std::iter::once(&*m.receiver).chain(&m.args).collect();
                let name = m.method.to_string();
                match lookup(&name) {
                    Some(intrinsic) => self.intrinsic(intrinsic, &args, m.span()),
                    None => Err(unsupported(
                        m.method.span(),
                        &format!("the method `.{name}()` is"),
                    )),
                }
            }
            Expr::Call(_) | Expr::If(_) | Expr::Block(_) | Expr::Tuple(_) => {
                let ids = self.expr(e, 1)?;
                Ok(ids[0])
            }
            other => Err(expression_error(other)
                .unwrap_or_else(|| unsupported(other.span(), "this expression is"))),
        }
    }

    fn prim(&mut self, prim: Prim, args: Vec<VarId>) -> VarId {
        let key = format!("{prim:?}{args:?}");
        self.emit(Some(key), Op::Prim(prim, args), 1, false)[0]
    }

    /// A float or integer literal, negated if `negative`, as an `f64` constant.
    fn literal(&mut self, lit: &syn::Lit, negative: bool) -> syn::Result<VarId> {
        let digits = match lit {
            syn::Lit::Float(f) => f.base10_digits().to_string(),
            syn::Lit::Int(i) => format!("{}.0", i.base10_digits()),
            other => return Err(unsupported(other.span(), "this literal is")),
        };
        let text = if negative {
            format!("-{digits}")
        } else {
            digits
        };
        let value: syn::LitFloat = syn::LitFloat::new(&format!("{text}_f64"), lit.span());
        Ok(self.constant(value.to_token_stream()))
    }

    fn constant(&mut self, value: proc_macro2::TokenStream) -> VarId {
        let key = format!("const {value}");
        self.emit(Some(key), Op::Const(value), 1, false)[0]
    }

    /// A variable in scope, or else a named `f64` constant (`SELU_ALPHA`, `std::f64::consts::PI`).
    fn name(&mut self, path: &syn::ExprPath) -> syn::Result<VarId> {
        if let Some(ident) = path.path.get_ident()
            && let Some(id) = self.lookup(&ident.to_string())
        {
            return Ok(id);
        }
        Ok(self.constant(path.to_token_stream()))
    }

    fn intrinsic(
        &mut self,
        intrinsic: Intrinsic,
        args: &[&Expr],
        span: proc_macro2::Span,
    ) -> syn::Result<VarId> {
        let wanted = match intrinsic {
            Intrinsic::Prim(_, n) => n,
            Intrinsic::Powi => 2,
        };
        if args.len() != wanted {
            return Err(syn::Error::new(
                span,
                format!(
                    "this intrinsic takes {wanted} argument(s), got {}",
                    args.len()
                ),
            ));
        }
        match intrinsic {
            Intrinsic::Prim(prim, _) => {
                let ids = args
                    .iter()
                    .map(|a| self.scalar(a))
                    .collect::<syn::Result<_>>()?;
                Ok(self.prim(prim, ids))
            }
            Intrinsic::Powi => {
                let base = self.scalar(args[0])?;
                let n = args[1].to_token_stream();
                let key = format!("powi {base} {n}");
                Ok(self.emit(Some(key), Op::Powi(base, n), 1, false)[0])
            }
        }
    }

    /// `f(args)`: an intrinsic, or another `#[differentiable]` function of `arity` outputs.
    fn call(&mut self, call: &syn::ExprCall, arity: usize) -> syn::Result<Vec<VarId>> {
        let Expr::Path(func) = &*call.func else {
            return Err(unsupported(call.func.span(), "calling this is"));
        };
        let args: Vec<&Expr> = call.args.iter().collect();
        if let Some(ident) = func.path.get_ident()
            && let Some(intrinsic) = lookup(&ident.to_string())
        {
            if arity != 1 {
                return Err(syn::Error::new(
                    call.span(),
                    "an intrinsic returns one value",
                ));
            }
            return Ok(vec![self.intrinsic(intrinsic, &args, call.span())?]);
        }
        let ids: Vec<VarId> = args
            .iter()
            .map(|a| self.scalar(a))
            .collect::<syn::Result<_>>()?;
        let path = func.path.clone();
        let key = format!("call {} {ids:?} {arity}", quote!(#path));
        Ok(self.emit(Some(key), Op::Call(path, ids), arity, false))
    }

    /// `if cond { .. } else { .. }` yielding `arity` values; both branches are differentiated.
    fn if_else(&mut self, i: &syn::ExprIf, arity: usize) -> syn::Result<Vec<VarId>> {
        let Some((_, other)) = &i.else_branch else {
            return Err(unsupported(i.span(), "`if` without `else` is"));
        };
        let cond = self.cond(&i.cond)?;
        let then = self.branch(&i.then_branch, arity)?;
        let other = match &**other {
            Expr::Block(b) => self.branch(&b.block, arity)?,
            nested => {
                let block = syn::parse_quote!({ #nested });
                self.branch(&block, arity)?
            }
        };
        Ok(self.emit(None, Op::If(cond, then, other), arity, false))
    }
}

fn binary_error(b: &syn::ExprBinary) -> syn::Error {
    let op = b.op.to_token_stream().to_string();
    if op.ends_with('=') && !matches!(op.as_str(), "==" | "!=" | "<=" | ">=") {
        unsupported(b.op.span(), &format!("mutation (`{op}`) is"))
    } else {
        unsupported(b.op.span(), &format!("`{op}` outside an `if` condition is"))
    }
}

/// A specific message for syntax that is known to be unsupported, if `e` is such syntax.
pub(super) fn expression_error(e: &Expr) -> Option<syn::Error> {
    let what = match e {
        Expr::ForLoop(_) | Expr::While(_) | Expr::Loop(_) => "loops are",
        Expr::Assign(_) => "mutation (assignment) is",
        Expr::Binary(b) => return Some(binary_error(b)),
        Expr::Reference(_) => "references are",
        Expr::Unary(u) if matches!(u.op, UnOp::Deref(_)) => "dereferencing is",
        Expr::Unary(u) if matches!(u.op, UnOp::Not(_)) => "`!` outside an `if` condition is",
        Expr::Macro(_) => "a macro is",
        Expr::Return(_) => "`return` is",
        Expr::Closure(_) => "a closure is",
        Expr::Match(_) => "`match` is",
        Expr::Index(_) => "indexing is",
        Expr::Field(_) => "field access is",
        Expr::Cast(_) => "a cast (`as`) is",
        Expr::Unsafe(_) => "`unsafe` is",
        Expr::Let(_) => "`if let` is",
        _ => return None,
    };
    Some(unsupported(e.span(), what))
}
