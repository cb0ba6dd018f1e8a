//! Color detection and the palette.

use super::*;

/// The only test in this binary that touches these variables, so no other test races it.
#[test]
fn no_color_wins_then_force_then_dumb_terminal() {
    let term = std::env::var_os("TERM");
    std::env::set_var("NO_COLOR", "1");
    std::env::set_var("CLICOLOR_FORCE", "1");
    assert!(
        !color_enabled(),
        "NO_COLOR turns colors off even when forced"
    );
    std::env::remove_var("NO_COLOR");
    assert!(
        color_enabled(),
        "CLICOLOR_FORCE turns colors on without a terminal"
    );
    std::env::set_var("CLICOLOR_FORCE", "0");
    std::env::set_var("TERM", "dumb");
    assert!(!color_enabled(), "TERM=dumb has no colors");
    std::env::remove_var("CLICOLOR_FORCE");
    match term {
        Some(t) => std::env::set_var("TERM", t),
        None => std::env::remove_var("TERM"),
    }
}

#[test]
fn plain_palette_adds_nothing() {
    let p = Palette::plain();
    assert_eq!(
        p.bold("x") + &p.path("y") + &p.expected("z") + &p.found("w") + &p.dim("v"),
        "xyzwv"
    );
    assert_eq!(Palette::new(true).found("w"), "\x1b[31mw\x1b[0m");
}
