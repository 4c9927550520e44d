//! `madoguchi jp …` as staff use it: JSON on success (exit 0), the reason on stderr (exit 1).

use std::process::Command;

fn jp(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_madoguchi"))
        .arg("jp")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn valid_data_prints_json_and_exits_zero() {
    let (code, out, _) = jp(&["wareki", "R7.4.1"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        (v["date"].as_str(), v["wareki"].as_str()),
        (Some("2025-04-01"), Some("令和7年4月1日"))
    );
    let (code, out, _) = jp(&["postal", "144-0052"]);
    assert_eq!(code, 0);
    assert!(out.contains("蒲田"));
    let (code, out, _) = jp(&["address", "東京都大田区蒲田５丁目１３番１４号"]);
    assert_eq!(code, 0);
    assert!(out.contains("蒲田五丁目13-14"));
}

#[test]
fn invalid_data_exits_one_with_the_reason() {
    let (code, _, err) = jp(&["wareki", "平成32年1月1日"]);
    assert_eq!(code, 1);
    assert!(err.contains("令和2年1月1日のことですか"), "{err}");
    let (code, out, err) = jp(&["mynumber", "123456789012"]);
    assert_eq!(code, 1);
    assert!(
        !out.contains("123456789012") && !err.contains("123456789012"),
        "a My Number is never echoed"
    );
    let (code, _, err) = jp(&["charset", "𠮷野家"]);
    assert_eq!(code, 1);
    assert!(err.contains("U+20BB7"), "{err}");
}
