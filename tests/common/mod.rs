//! The examples, as functions, for the tests that synthesize all of them.
#![allow(dead_code)]

use berth::constructs::App;

#[path = "../../examples/hello/main.rs"]
mod hello;

/// Every example: its name (as in `cargo run --example NAME`) and how to build it.
pub fn examples() -> Vec<(&'static str, App)> {
    vec![("hello", hello::app().expect("hello builds"))]
}

/// Synthesizes an example into `dir`.
pub fn synth_to(mut app: App, dir: &std::path::Path) -> berth::synth::synthesize::SynthOutput {
    app.synth_to(dir, berth::synth::assembly::TemplateFormat::Json)
        .unwrap_or_else(|e| panic!("synthesis failed:\n{e}"))
}
