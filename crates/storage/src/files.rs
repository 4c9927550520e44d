//! The attachment store: file bytes named by their SHA-256, behind [`BlobStore`] so that an
//! S3-compatible store can replace local disk without touching callers.
//!
//! Content addressing makes uploads idempotent (the same file twice is stored once) and makes
//! a stored file impossible to change in place.

use data_encoding::HEXLOWER;
use sha2::{Digest, Sha256};
use std::future::Future;
use std::io;
use std::path::{Path, PathBuf};
use std::pin::Pin;

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Where attachment bytes live.
pub trait BlobStore: Send + Sync + std::fmt::Debug {
    /// Stores the bytes durably and returns their SHA-256 (lower-case hex).
    fn put<'a>(&'a self, bytes: &'a [u8]) -> BoxFuture<'a, io::Result<String>>;
    /// The bytes stored under `sha256`, or `None`.
    fn get<'a>(&'a self, sha256: &'a str) -> BoxFuture<'a, io::Result<Option<Vec<u8>>>>;
    /// Removes the bytes stored under `sha256`; `false` if there were none.
    fn delete<'a>(&'a self, sha256: &'a str) -> BoxFuture<'a, io::Result<bool>>;
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    HEXLOWER.encode(&Sha256::digest(bytes))
}

/// Files under a folder, fanned out by the first two hex digits: `ab/abcdef…`.
#[derive(Debug, Clone)]
pub struct LocalFiles {
    root: PathBuf,
}

impl LocalFiles {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    fn path_of(&self, sha256: &str) -> Option<PathBuf> {
        let valid = sha256.len() == 64
            && sha256
                .bytes()
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        valid.then(|| self.root.join(&sha256[..2]).join(sha256))
    }
}

impl BlobStore for LocalFiles {
    fn put<'a>(&'a self, bytes: &'a [u8]) -> BoxFuture<'a, io::Result<String>> {
        Box::pin(async move {
            let sha = sha256_hex(bytes);
            let path = self
                .path_of(&sha)
                .ok_or_else(|| io::Error::other("bad hash"))?;
            if tokio::fs::try_exists(&path).await? {
                return Ok(sha);
            }
            let dir = path.parent().unwrap_or(Path::new("."));
            tokio::fs::create_dir_all(dir).await?;
            // Write aside, flush to disk, then rename: a crash never leaves a partial file
            // under a name that claims a hash.
            let tmp = dir.join(format!(".{sha}.{}.tmp", uuid::Uuid::new_v4()));
            let data = bytes.to_vec();
            let tmp_clone = tmp.clone();
            tokio::task::spawn_blocking(move || -> io::Result<()> {
                use std::io::Write;
                let mut f = std::fs::File::create(&tmp_clone)?;
                f.write_all(&data)?;
                f.sync_all()
            })
            .await
            .map_err(io::Error::other)??;
            tokio::fs::rename(&tmp, &path).await?;
            if let Ok(d) = std::fs::File::open(dir) {
                let _ = d.sync_all();
            }
            Ok(sha)
        })
    }

    fn delete<'a>(&'a self, sha256: &'a str) -> BoxFuture<'a, io::Result<bool>> {
        Box::pin(self.remove(sha256))
    }

    fn get<'a>(&'a self, sha256: &'a str) -> BoxFuture<'a, io::Result<Option<Vec<u8>>>> {
        Box::pin(async move {
            let Some(path) = self.path_of(sha256) else {
                return Ok(None);
            };
            match tokio::fs::read(path).await {
                Ok(bytes) => Ok(Some(bytes)),
                Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(e),
            }
        })
    }
}

impl LocalFiles {
    async fn remove(&self, sha256: &str) -> io::Result<bool> {
        let Some(path) = self.path_of(sha256) else {
            return Ok(false);
        };
        match tokio::fs::remove_file(path).await {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn files_are_stored_once_by_content() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalFiles::new(dir.path());
        let a = store.put(b"%PDF-1.7 hello").await.unwrap();
        let b = store.put(b"%PDF-1.7 hello").await.unwrap();
        assert_eq!(a, b);
        assert_eq!(
            store.get(&a).await.unwrap().as_deref(),
            Some(&b"%PDF-1.7 hello"[..])
        );
        assert_eq!(store.get(&"0".repeat(64)).await.unwrap(), None);
        assert_eq!(store.get("../../etc/passwd").await.unwrap(), None);
        assert!(store.delete(&a).await.unwrap());
        assert!(!store.delete(&a).await.unwrap());
        assert_eq!(store.get(&a).await.unwrap(), None);
    }
}
