//! Who approves a deployment and answers a paused one: the [`Prompter`] the deploy
//! engine is given, asking on the terminal ([`TerminalPrompter`]), nowhere
//! ([`NoTerminal`]) or from a script ([`ScriptedPrompter`], for tests). The engine never
//! touches the terminal itself.

/// Asks the user questions.
pub trait Prompter: Send + Sync {
    /// `Some(answer)`, or `None` when there is no one to ask (no terminal).
    fn confirm(&self, question: &str) -> Option<bool>;
    /// One of `choices` (its index), or `None` when there is no one to ask. The
    /// default asks no one.
    fn choose(&self, question: &str, choices: &[&str]) -> Option<usize> {
        let _ = (question, choices);
        None
    }
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

    fn choose(&self, question: &str, choices: &[&str]) -> Option<usize> {
        use std::io::{BufRead, IsTerminal, Write};
        if !std::io::stdin().is_terminal() || choices.is_empty() {
            return None;
        }
        let mut err = std::io::stderr();
        loop {
            let _ = write!(err, "{question} ({}) ", choices.join("/"));
            let _ = err.flush();
            let mut line = String::new();
            if std::io::stdin().lock().read_line(&mut line).ok()? == 0 {
                return None;
            }
            let answer = line.trim().to_ascii_lowercase();
            // The whole word or its first letter.
            if let Some(i) = choices
                .iter()
                .position(|c| *c == answer || (answer.len() == 1 && c.starts_with(answer.as_str())))
            {
                return Some(i);
            }
        }
    }
}

/// Answers from a list (for tests).
#[derive(Debug, Default)]
pub struct ScriptedPrompter {
    answers: std::sync::Mutex<std::collections::VecDeque<bool>>,
    choices: std::sync::Mutex<std::collections::VecDeque<String>>,
    /// The questions asked so far.
    pub asked: std::sync::Mutex<Vec<String>>,
}

impl ScriptedPrompter {
    /// Answers these in order, then `None`.
    pub fn new(answers: &[bool]) -> ScriptedPrompter {
        ScriptedPrompter {
            answers: std::sync::Mutex::new(answers.iter().copied().collect()),
            choices: Default::default(),
            asked: Default::default(),
        }
    }

    /// Chooses these (by name) in order, then `None`.
    pub fn choosing(choices: &[&str]) -> ScriptedPrompter {
        ScriptedPrompter {
            choices: std::sync::Mutex::new(choices.iter().map(|c| c.to_string()).collect()),
            ..ScriptedPrompter::default()
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

    fn choose(&self, question: &str, choices: &[&str]) -> Option<usize> {
        self.asked
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(format!("{question} ({})", choices.join("/")));
        let c = self
            .choices
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .pop_front()?;
        choices.iter().position(|x| *x == c)
    }
}
