//! Who approves a deployment: the [`Prompter`] the deploy engine is given, asking on
//! the terminal ([`TerminalPrompter`]), nowhere ([`NoTerminal`]) or from a script
//! ([`ScriptedPrompter`], for tests). The engine never touches the terminal itself.

/// Asks the user yes/no questions.
pub trait Prompter: Send + Sync {
    /// `Some(answer)`, or `None` when there is no one to ask (no terminal).
    fn confirm(&self, question: &str) -> Option<bool>;
}

/// Never asks: there is no terminal.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoTerminal;

impl Prompter for NoTerminal {
    fn confirm(&self, _question: &str) -> Option<bool> {
        None
    }
}

/// Asks on the terminal (stdin) when stdin is one.
#[derive(Debug, Clone, Copy, Default)]
pub struct TerminalPrompter;

impl Prompter for TerminalPrompter {
    fn confirm(&self, question: &str) -> Option<bool> {
        use std::io::{BufRead, IsTerminal, Write};
        if !std::io::stdin().is_terminal() {
            return None;
        }
        let mut err = std::io::stderr();
        let _ = write!(err, "{question} (y/n) ");
        let _ = err.flush();
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).ok()?;
        Some(matches!(line.trim(), "y" | "Y" | "yes" | "YES" | "Yes"))
    }
}

/// Answers from a list (for tests).
#[derive(Debug, Default)]
pub struct ScriptedPrompter {
    answers: std::sync::Mutex<std::collections::VecDeque<bool>>,
    /// The questions asked so far.
    pub asked: std::sync::Mutex<Vec<String>>,
}

impl ScriptedPrompter {
    /// Answers these in order, then `None`.
    pub fn new(answers: &[bool]) -> ScriptedPrompter {
        ScriptedPrompter {
            answers: std::sync::Mutex::new(answers.iter().copied().collect()),
            asked: Default::default(),
        }
    }
}

impl Prompter for ScriptedPrompter {
    fn confirm(&self, question: &str) -> Option<bool> {
        self.asked
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(question.to_string());
        self.answers
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .pop_front()
    }
}
