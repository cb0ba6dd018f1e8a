//! End to end against moto (see the module docs in `main.rs`).
