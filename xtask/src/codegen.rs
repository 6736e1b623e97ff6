//! `cargo xtask codegen`: compiles `proto/` into `crates/session-schema/src/generated/`.

/// Regenerates the protobuf code; with `check`, fails if the committed code differs.
pub(crate) fn run(check: bool) -> anyhow::Result<()> {
    let _ = check;
    eprintln!("xtask: codegen: no protobuf sources yet");
    Ok(())
}
