//! The command line of every example, one behaviour for all: `-h` / `--help` prints the usage
//! and exits 0; an unknown flag, a missing or malformed value, or a stray argument prints what
//! is wrong and the usage and exits 2. Flags are GNU-style (`--epochs 5`, `--epochs=5`), parsed
//! by `lexopt`.
//!
//! An example describes its flags in one `match`, so adding a flag is adding an arm:
//!
//! ```
//! use examples::cli::{Arg, Flags};
//! struct Options { epochs: usize, augment: bool }
//! let parse = |flags: &mut Flags| {
//!     let mut options = Options { epochs: 50, augment: true };
//!     while let Some(arg) = flags.next_arg()? {
//!         match arg {
//!             Arg::Flag(name) if name == "epochs" => options.epochs = flags.value()?,
//!             Arg::Flag(name) if name == "no-augment" => options.augment = false,
//!             _ => return Err(flags.unexpected()),
//!         }
//!     }
//!     Ok(options)
//! };
//! let options = parse(&mut Flags::from_args(["--epochs=3", "--no-augment"])).unwrap();
//! assert_eq!((options.epochs, options.augment), (3, false));
//! // in `main`: `let options = examples::cli::parse_or_exit(USAGE, parse);`
//! ```

use std::ffi::OsString;
use std::fmt::Display;
use std::str::FromStr;

use lexopt::ValueExt;

/// Why the command line was not accepted.
#[derive(Debug, PartialEq, Eq)]
pub enum CliError {
    /// `-h` or `--help`: print the usage and stop, successfully.
    Help,
    /// Something is wrong with the arguments; the message says what.
    Usage(String),
}

impl CliError {
    /// A usage error with this message.
    pub fn usage(message: impl Into<String>) -> Self {
        CliError::Usage(message.into())
    }
}

impl From<lexopt::Error> for CliError {
    fn from(e: lexopt::Error) -> Self {
        CliError::Usage(e.to_string())
    }
}

/// One argument: a flag's name without its dashes (`--epochs` and `-e` give `"epochs"` and
/// `"e"`), or a positional argument.
#[derive(Debug, PartialEq, Eq)]
pub enum Arg {
    /// A flag, by name.
    Flag(String),
    /// An argument that is not a flag.
    Positional(String),
}

/// The arguments of one run, read one at a time.
pub struct Flags {
    parser: lexopt::Parser,
    last: String,
}

impl Flags {
    /// The arguments this process was started with.
    pub fn from_env() -> Self {
        Flags {
            parser: lexopt::Parser::from_env(),
            last: String::new(),
        }
    }

    /// The given arguments (without the program's name).
    pub fn from_args<S: Into<OsString>>(args: impl IntoIterator<Item = S>) -> Self {
        Flags {
            parser: lexopt::Parser::from_args(args),
            last: String::new(),
        }
    }

    /// The next argument, `None` at the end; `-h` and `--help` are [`CliError::Help`].
    /// `--digest`, which every example takes, is consumed here: it makes
    /// [`Digest::print`](crate::Digest::print) print.
    pub fn next_arg(&mut self) -> Result<Option<Arg>, CliError> {
        let mut next = self.parser.next()?;
        while let Some(lexopt::Arg::Long("digest")) = next {
            crate::digest::request();
            next = self.parser.next()?;
        }
        let arg = match next {
            None => return Ok(None),
            Some(lexopt::Arg::Short('h')) | Some(lexopt::Arg::Long("help")) => {
                return Err(CliError::Help);
            }
            Some(lexopt::Arg::Short(c)) => {
                self.last = format!("-{c}");
                Arg::Flag(c.to_string())
            }
            Some(lexopt::Arg::Long(name)) => {
                self.last = format!("--{name}");
                Arg::Flag(name.to_string())
            }
            Some(lexopt::Arg::Value(value)) => {
                let value = value.string()?;
                self.last = value.clone();
                Arg::Positional(value)
            }
        };
        Ok(Some(arg))
    }

    /// The value of the flag just read (`--epochs 5` or `--epochs=5`), parsed.
    pub fn value<T: FromStr>(&mut self) -> Result<T, CliError>
    where
        T::Err: Display,
    {
        let flag = self.last.clone();
        let value = self.parser.value()?.string()?;
        value
            .parse()
            .map_err(|e| CliError::Usage(format!("{flag}: {value:?}: {e}")))
    }

    /// The value of the flag just read, which must be a whole number above zero.
    pub fn positive(&mut self) -> Result<usize, CliError> {
        let flag = self.last.clone();
        match self.value()? {
            0 => Err(CliError::Usage(format!("{flag} must be at least 1"))),
            n => Ok(n),
        }
    }

    /// The error for the argument just read, which the example does not take.
    pub fn unexpected(&self) -> CliError {
        if self.last.starts_with('-') {
            CliError::Usage(format!("unknown option {}", self.last))
        } else {
            CliError::Usage(format!("unexpected argument {:?}", self.last))
        }
    }
}

/// What a run does with a parse result: the exit code and the text for standard output (the
/// usage, after `--help`) or standard error (the problem and the usage).
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome<T> {
    /// Go on with these options.
    Run(T),
    /// Print this to standard output and exit with status 0.
    Help(String),
    /// Print this to standard error and exit with status 2.
    Fail(String),
}

/// The flag every example takes, as the usage lists it.
pub const DIGEST_USAGE: &str =
    "       --digest: also print hashes of the History, final weights and predictions";

/// Decides what a parse result means for the run (see [`parse_or_exit`]); the usage is
/// followed by [`DIGEST_USAGE`].
pub fn outcome<T>(usage: &str, result: Result<T, CliError>) -> Outcome<T> {
    match result {
        Ok(options) => Outcome::Run(options),
        Err(CliError::Help) => Outcome::Help(format!("{usage}\n{DIGEST_USAGE}")),
        Err(CliError::Usage(message)) => {
            Outcome::Fail(format!("error: {message}\n\n{usage}\n{DIGEST_USAGE}"))
        }
    }
}

/// Parses this process's arguments with `parse`; prints the usage and exits 0 on `--help`,
/// prints the problem and the usage and exits 2 on a bad command line.
pub fn parse_or_exit<T>(usage: &str, parse: impl FnOnce(&mut Flags) -> Result<T, CliError>) -> T {
    match outcome(usage, parse(&mut Flags::from_env())) {
        Outcome::Run(options) => options,
        Outcome::Help(text) => {
            println!("{text}");
            std::process::exit(0)
        }
        Outcome::Fail(text) => {
            eprintln!("{text}");
            std::process::exit(2)
        }
    }
}

/// For an example without options: accepts only `-h` / `--help` (see [`parse_or_exit`]).
pub fn no_options(usage: &str) {
    parse_or_exit(usage, nothing)
}

/// Nothing but the end of the arguments.
fn nothing(flags: &mut Flags) -> Result<(), CliError> {
    match flags.next_arg()? {
        None => Ok(()),
        Some(_) => Err(flags.unexpected()),
    }
}

/// For an example whose only option is `--epochs N`: the number of epochs (see
/// [`parse_or_exit`]).
pub fn epochs_or_exit(usage: &str, default: usize) -> usize {
    parse_or_exit(usage, |flags| epochs(flags, default))
}

/// `--epochs N` (at least 1), or `default`.
fn epochs(flags: &mut Flags, default: usize) -> Result<usize, CliError> {
    let mut epochs = default;
    while let Some(arg) = flags.next_arg()? {
        match arg {
            Arg::Flag(name) if name == "epochs" => epochs = flags.positive()?,
            _ => return Err(flags.unexpected()),
        }
    }
    Ok(epochs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Outcome<usize> {
        outcome(
            "usage: x [--epochs N]",
            epochs(&mut Flags::from_args(args), 7),
        )
    }

    #[test]
    fn help_prints_the_usage_and_succeeds() {
        for help in ["-h", "--help"] {
            let usage = format!("usage: x [--epochs N]\n{DIGEST_USAGE}");
            assert_eq!(parse(&[help]), Outcome::Help(usage.clone()));
            assert_eq!(parse(&["--epochs", "3", help]), Outcome::Help(usage));
        }
    }

    #[test]
    fn flags_take_values_either_way() {
        assert_eq!(parse(&[]), Outcome::Run(7));
        assert_eq!(parse(&["--epochs", "3"]), Outcome::Run(3));
        assert_eq!(parse(&["--epochs=4"]), Outcome::Run(4));
    }

    fn failure(args: &[&str]) -> String {
        match parse(args) {
            Outcome::Fail(text) => {
                let usage = format!("\n\nusage: x [--epochs N]\n{DIGEST_USAGE}");
                assert!(text.ends_with(&usage), "{text}");
                text
            }
            other => panic!("{args:?} gave {other:?}"),
        }
    }

    #[test]
    fn bad_command_lines_fail_with_the_problem_and_the_usage() {
        assert!(failure(&["--bogus"]).starts_with("error: unknown option --bogus"));
        assert!(failure(&["-x"]).starts_with("error: unknown option -x"));
        assert!(failure(&["stray"]).starts_with("error: unexpected argument \"stray\""));
        assert!(failure(&["--epochs"]).contains("--epochs"));
        assert!(
            failure(&["--epochs", "two"]).starts_with("error: --epochs: \"two\": invalid digit")
        );
        assert!(failure(&["--epochs", "0"]).starts_with("error: --epochs must be at least 1"));
    }

    #[test]
    fn no_options_takes_nothing_but_help() {
        let only_help = |args: &[&str]| outcome("u", nothing(&mut Flags::from_args(args)));
        assert_eq!(only_help(&[]), Outcome::Run(()));
        assert_eq!(
            only_help(&["--help"]),
            Outcome::Help(format!("u\n{DIGEST_USAGE}"))
        );
        assert_eq!(
            only_help(&["--epochs", "3"]),
            Outcome::Fail(format!(
                "error: unknown option --epochs\n\nu\n{DIGEST_USAGE}"
            ))
        );
    }

    #[test]
    fn every_command_line_takes_digest_anywhere() {
        assert_eq!(parse(&["--digest", "--epochs", "3"]), Outcome::Run(3));
        assert_eq!(parse(&["--epochs", "3", "--digest"]), Outcome::Run(3));
        assert!(crate::digest::requested());
        let only_help = |args: &[&str]| outcome("u", nothing(&mut Flags::from_args(args)));
        assert_eq!(only_help(&["--digest"]), Outcome::Run(()));
    }
}
