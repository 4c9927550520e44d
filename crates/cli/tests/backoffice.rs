//! The back office's command line: `user add`, `export`, `audit verify`, on a fresh data folder.

use std::process::Command;

fn madoguchi(data: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_madoguchi"))
        .args(args)
        .arg("--data-dir")
        .arg(data)
        .env("MADOGUCHI_PASSWORD", "correct horse battery staple")
        .env("MADOGUCHI_LOG", "warn")
        .output()
        .unwrap()
}

#[test]
fn accounts_exports_and_the_audit_check_work_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let add = madoguchi(
        data,
        &[
            "user",
            "add",
            "--login",
            "koseki",
            "--name",
            "戸籍 一郎",
            "--department",
            "kosekijumin",
        ],
    );
    assert!(
        add.status.success(),
        "{}",
        String::from_utf8_lossy(&add.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&add.stdout).trim(),
        "created koseki"
    );

    let again = madoguchi(
        data,
        &[
            "user",
            "add",
            "--login",
            "koseki",
            "--name",
            "x",
            "--department",
            "kosekijumin",
        ],
    );
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("すでに使われています"));
    let nowhere = madoguchi(
        data,
        &[
            "user",
            "add",
            "--login",
            "x",
            "--name",
            "x",
            "--department",
            "nowhere",
        ],
    );
    assert!(String::from_utf8_lossy(&nowhere.stderr).contains("その担当課はありません"));

    let export = madoguchi(data, &["export", "--procedure", "juminhyo-yuso"]);
    assert!(
        export.status.success(),
        "{}",
        String::from_utf8_lossy(&export.stderr)
    );
    assert!(
        export
            .stdout
            .starts_with("\u{FEFF}受付番号,申請日時,請求者氏名".as_bytes())
    );
    let unknown = madoguchi(data, &["export", "--procedure", "nothing"]);
    assert!(!unknown.status.success());

    let verify = madoguchi(data, &["audit", "verify"]);
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stderr)
    );
    assert!(String::from_utf8_lossy(&verify.stdout).starts_with("audit log intact: 1 entries"));
}
