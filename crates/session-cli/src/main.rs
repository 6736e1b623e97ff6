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
            // `{:#}` prints the whole cause chain on one line.
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
