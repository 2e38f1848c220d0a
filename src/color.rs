//! Colour on a terminal: `--color auto|always|never`, and NO_COLOR (https://no-color.org)
//! respected under `auto`. Colour is added to finished text after control characters from
//! input were escaped, so only our own escape sequences reach the terminal; nothing written
//! to a file (-o) or a pipe is coloured unless `--color always` asks.

use std::io::IsTerminal;
use std::sync::OnceLock;

use crate::cli::ColorChoice;

static CHOICE: OnceLock<ColorChoice> = OnceLock::new();

/// Set once, from the command line, before any output.
pub fn init(choice: ColorChoice) {
    let _ = CHOICE.set(choice);
}

#[derive(Debug, Clone, Copy)]
pub enum Stream {
    Stdout,
    Stderr,
}

/// Whether output to `stream` is coloured.
pub fn enabled(stream: Stream) -> bool {
    match CHOICE.get().copied().unwrap_or(ColorChoice::Auto) {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
            let dumb = std::env::var_os("TERM").is_some_and(|t| t == "dumb");
            let tty = match stream {
                Stream::Stdout => std::io::stdout().is_terminal(),
                Stream::Stderr => std::io::stderr().is_terminal(),
            };
            tty && !no_color && !dumb
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub enum Style {
    Red,
    Yellow,
    Green,
    Bold,
}

/// `s` in `style` (an SGR sequence and a reset).
pub fn paint(s: &str, style: Style) -> String {
    let code = match style {
        Style::Red => "1;31",
        Style::Yellow => "33",
        Style::Green => "32",
        Style::Bold => "1",
    };
    format!("\x1b[{code}m{s}\x1b[0m")
}

/// The words of a verdict listing coloured where a line starts with them: `fail:` /
/// `error:` red, `warn:` / `warning:` yellow, `check passed` green, `check FAILED` red.
/// Used for `check`, `audit` and diagnostics; every other byte is left as it is.
pub fn verdict_lines(text: &str) -> String {
    const WORDS: [(&str, Style); 7] = [
        ("fail:", Style::Red),
        ("warn:", Style::Yellow),
        ("check FAILED", Style::Red),
        ("check passed", Style::Green),
        ("ospo: error:", Style::Red),
        ("ospo: warning:", Style::Yellow),
        ("  fix:", Style::Bold),
    ];
    let mut out = String::with_capacity(text.len() + 64);
    for line in text.split_inclusive('\n') {
        match WORDS.iter().find(|(w, _)| line.starts_with(w)) {
            Some((w, style)) => {
                out.push_str(&paint(w, *style));
                out.push_str(&line[w.len()..]);
            }
            None => out.push_str(line),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_line_starts_are_coloured() {
        let s = verdict_lines("fail: x: warn: y\nok\ncheck passed: 1 component\n");
        assert_eq!(
            s,
            "\x1b[1;31mfail:\x1b[0m x: warn: y\nok\n\x1b[32mcheck passed\x1b[0m: 1 component\n"
        );
    }
}
