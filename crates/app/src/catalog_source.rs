//! Where the catalog comes from: the starter catalog compiled into the binary, or a folder
//! given with `--catalog` (read once at start).

use madoguchi_domain::catalog::{self, Catalog, CatalogError};
use std::path::Path;

/// The bundled starter catalog, embedded so that the binary runs with no files beside it.
const BUNDLED: &[(&str, &str)] = &[
    (
        "catalog.toml",
        include_str!("../../../catalog/catalog.toml"),
    ),
    (
        "hikkoshi.event.toml",
        include_str!("../../../catalog/hikkoshi.event.toml"),
    ),
    (
        "hoiku-moshikomi.toml",
        include_str!("../../../catalog/hoiku-moshikomi.toml"),
    ),
    (
        "inkan-toroku.toml",
        include_str!("../../../catalog/inkan-toroku.toml"),
    ),
    (
        "inu-toroku.toml",
        include_str!("../../../catalog/inu-toroku.toml"),
    ),
    (
        "jido-teate.toml",
        include_str!("../../../catalog/jido-teate.toml"),
    ),
    (
        "juminhyo-yuso.toml",
        include_str!("../../../catalog/juminhyo-yuso.toml"),
    ),
    (
        "kaigo-soshitsu.toml",
        include_str!("../../../catalog/kaigo-soshitsu.toml"),
    ),
    (
        "kobunsho-kaiji.toml",
        include_str!("../../../catalog/kobunsho-kaiji.toml"),
    ),
    (
        "kodomo-iryo.toml",
        include_str!("../../../catalog/kodomo-iryo.toml"),
    ),
    (
        "kokuho-kanyu.toml",
        include_str!("../../../catalog/kokuho-kanyu.toml"),
    ),
    (
        "kokuho-soshitsu.toml",
        include_str!("../../../catalog/kokuho-soshitsu.toml"),
    ),
    (
        "okuyami.event.toml",
        include_str!("../../../catalog/okuyami.event.toml"),
    ),
    (
        "setainushi-henko.toml",
        include_str!("../../../catalog/setainushi-henko.toml"),
    ),
    (
        "shibo-todoke.toml",
        include_str!("../../../catalog/shibo-todoke.toml"),
    ),
    (
        "shisetsu-shiyo.toml",
        include_str!("../../../catalog/shisetsu-shiyo.toml"),
    ),
    (
        "shussei-todoke.toml",
        include_str!("../../../catalog/shussei-todoke.toml"),
    ),
    (
        "shussei.event.toml",
        include_str!("../../../catalog/shussei.event.toml"),
    ),
    (
        "sodai-gomi.toml",
        include_str!("../../../catalog/sodai-gomi.toml"),
    ),
    (
        "sodan-moshikomi.toml",
        include_str!("../../../catalog/sodan-moshikomi.toml"),
    ),
    (
        "sosaihi.toml",
        include_str!("../../../catalog/sosaihi.toml"),
    ),
    (
        "tenkyo-todoke.toml",
        include_str!("../../../catalog/tenkyo-todoke.toml"),
    ),
    (
        "tennyu-todoke.toml",
        include_str!("../../../catalog/tennyu-todoke.toml"),
    ),
    (
        "tenshutsu.toml",
        include_str!("../../../catalog/tenshutsu.toml"),
    ),
];

pub fn bundled() -> Result<Catalog, Vec<CatalogError>> {
    let files: Vec<(String, String)> = BUNDLED
        .iter()
        .map(|(n, s)| ((*n).to_owned(), (*s).to_owned()))
        .collect();
    catalog::load(&files)
}

/// Reads every `*.toml` file of a folder (not recursive) and checks the catalog.
pub fn from_dir(dir: &Path) -> Result<Catalog, Vec<CatalogError>> {
    let io_error = |message: String| {
        vec![CatalogError {
            file: dir.display().to_string(),
            line: 1,
            column: 1,
            message,
        }]
    };
    let entries = std::fs::read_dir(dir).map_err(|e| io_error(e.to_string()))?;
    let mut files = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| io_error(e.to_string()))?.path();
        if path.extension().is_some_and(|e| e == "toml") {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| io_error(format!("{}: {e}", path.display())))?;
            files.push((
                path.file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned(),
                text,
            ));
        }
    }
    catalog::load(&files)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_embedded_catalog_matches_the_folder() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../catalog");
        let from_disk = super::from_dir(std::path::Path::new(dir)).unwrap();
        assert_eq!(
            super::bundled().unwrap(),
            from_disk,
            "a catalog file was added without listing it in BUNDLED"
        );
    }
}
