//! Records the compiler's and the tokio crate's exact versions in the binary, for `--describe`
//! (and through it run.json and the report): `$RUSTC --version`, and tokio's version in the
//! Cargo.lock this build resolved.

use std::process::Command;

fn main() {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let version = Command::new(&rustc)
        .arg("--version")
        .output()
        .ok()
        .and_then(|out| String::from_utf8(out.stdout).ok())
        .map(|text| text.trim().to_string())
        .unwrap_or_else(|| format!("{} (version unknown)", rustc));
    println!("cargo:rustc-env=ASYNCBENCH_RUSTC_VERSION={}", version);
    let manifest = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into());
    let lock = std::fs::read_to_string(format!("{}/Cargo.lock", manifest)).unwrap_or_default();
    println!(
        "cargo:rustc-env=ASYNCBENCH_TOKIO_VERSION={}",
        locked_version(&lock, "tokio")
    );
    println!("cargo:rerun-if-changed=Cargo.lock");
    println!("cargo:rerun-if-env-changed=RUSTC");
}

/// The version of package `name` in a Cargo.lock's text, or "unknown".
fn locked_version(lock: &str, name: &str) -> String {
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == format!("name = \"{}\"", name) {
            if let Some(next) = lines.next() {
                if let Some(version) = next.trim().strip_prefix("version = \"") {
                    return version.trim_end_matches('"').to_string();
                }
            }
        }
    }
    "unknown".into()
}
