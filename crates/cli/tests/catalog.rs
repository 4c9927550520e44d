//! `madoguchi catalog check DIR`: no output but a count when the catalog is sound; every
//! problem as file:line:column and a non-zero exit when it is not.

use std::process::Command;

fn check(dir: &std::path::Path) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_madoguchi"))
        .args(["catalog", "check"])
        .arg(dir)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_bundled_catalog_passes() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../catalog");
    let (code, out, err) = check(&dir);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("20 procedures, 3 life events"), "{out}");
}

#[test]
fn a_broken_file_is_reported_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../catalog");
    for name in ["catalog.toml", "inu-toroku.toml"] {
        std::fs::copy(source.join(name), dir.path().join(name)).unwrap();
    }
    let broken = std::fs::read_to_string(source.join("inu-toroku.toml"))
        .unwrap()
        .replace(
            "show_if = { field = \"vaccinated\", equals = true }",
            "show_if = { field = \"vacinated\", equals = true }",
        );
    std::fs::write(dir.path().join("inu-toroku.toml"), &broken).unwrap();
    let line = broken
        .lines()
        .position(|l| l.contains("vacinated"))
        .unwrap()
        + 1;
    let (code, _, err) = check(dir.path());
    assert_eq!(code, 1);
    assert!(err.contains(&format!("inu-toroku.toml:{line}:")), "{err}");
    assert!(err.contains("\"vacinated\""), "{err}");
}
