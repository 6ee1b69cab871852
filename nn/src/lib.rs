//! Neural-network building blocks on top of `autodiff-core`.
