//! `session`: the command-line face of session-rs.
//!
//! Each command group lives in its own module under `cmd/`. Errors are printed as one line on
//! stderr (`error: …`) with a non-zero exit code; machine output is JSON with `--json`.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod cmd;

/// Session messenger tools: identities, blinding, SOGS signing and more.
#[derive(Debug, Parser)]
#[command(name = "session", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create or show a Session identity.
    #[command(subcommand)]
    Id(cmd::id::IdCommand),
    /// Derive blinded ids for a community server.
    Blind(cmd::blind::BlindArgs),
    /// Session Open Group Server (community) tools.
    #[command(subcommand)]
    Sogs(cmd::sogs::SogsCommand),
    /// The Session network: onion paths and snodes.
    #[command(subcommand)]
    Net(cmd::net::NetCommand),
    /// Run a local Session network (seed and snodes on loopback) until interrupted.
    Testnet(cmd::testnet::TestnetArgs),
    /// Run the seed's three steps (room info, read, post) against a local or given SOGS.
    Demo(cmd::demo::DemoArgs),
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Id(c) => cmd::id::run(c),
        Command::Blind(a) => cmd::blind::run(a),
        Command::Sogs(c) => cmd::sogs::run(c),
        Command::Net(c) => cmd::net::run(c),
        Command::Testnet(a) => cmd::testnet::run(a),
        Command::Demo(a) => cmd::demo::run(a),
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(
                e.kind(),
                ErrorKind::DisplayHelp
                    | ErrorKind::DisplayVersion
                    | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            ) {
                let _ = e.print();
                return ExitCode::SUCCESS;
            }
            // One line that names the problem, as for every other error.
            let rendered = e.render().to_string();
            let first = rendered.lines().next().unwrap_or("invalid arguments");
            eprintln!("{}", first.trim());
            return ExitCode::from(2);
        }
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", one_line(&e));
            ExitCode::FAILURE
        }
    }
}

/// The cause chain on one line, `outer: cause: root`, leaving out a cause whose text is
/// already in the line (many errors print their source themselves).
fn one_line(e: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if text.is_empty() || line.contains(&text) {
            continue;
        }
        if !line.is_empty() {
            line.push_str(": ");
        }
        line.push_str(&text);
    }
    line.replace('\n', " ")
}

#[cfg(test)]
mod tests {
    use super::one_line;

    /// An error that prints its source in its own message, and also returns it as source.
    #[derive(Debug)]
    struct Connect(std::io::Error);

    impl std::fmt::Display for Connect {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "cannot connect: {}", self.0)
        }
    }

    impl std::error::Error for Connect {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&self.0)
        }
    }

    #[test]
    fn a_cause_already_in_the_message_is_printed_once() {
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        let e = anyhow::Error::new(Connect(io)).context("transport");
        assert_eq!(one_line(&e), "transport: cannot connect: refused");
    }

    #[test]
    fn causes_not_in_the_message_are_all_printed() {
        let e = anyhow::anyhow!("root").context("middle").context("outer");
        assert_eq!(one_line(&e), "outer: middle: root");
    }
}
