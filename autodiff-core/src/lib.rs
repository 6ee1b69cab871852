//! Tensors and a reverse-mode tape (Wengert list) with `Copy` variables.
