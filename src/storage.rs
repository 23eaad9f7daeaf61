//! Where evidence files live: any `object_store` back end (a local directory by default, an
//! S3-compatible bucket in production). Files are addressed by the SHA-256 of their content, so
//! the same file is stored once and a stored file can be re-hashed against its key.

use std::path::Path as FsPath;
use std::sync::Arc;

use anyhow::Context;
use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::prefix::PrefixStore;
use object_store::{ObjectStore, WriteMultipart};
use sha2::{Digest, Sha256};

use crate::domain::evidence::{content_key, sniff, SNIFF_BYTES};

/// The evidence store.
#[derive(Clone)]
pub struct EvidenceStore {
    store: Arc<dyn ObjectStore>,
}

impl std::fmt::Debug for EvidenceStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "EvidenceStore({})", self.store)
    }
}

/// A file written under a temporary key, with what was learnt while streaming it.
#[derive(Debug)]
pub struct Staged {
    key: Path,
    /// SHA-256 of the content, lower-case hex.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
    /// Media type recognised from the content.
    pub media_type: &'static str,
}

/// Why an upload was refused; nothing is left in the store.
#[derive(Debug)]
pub enum UploadError {
    /// Larger than the limit.
    TooLarge,
    /// The content's media type (if recognised at all) is not accepted.
    MediaType(Option<&'static str>),
    /// An empty file.
    Empty,
    /// The request body failed while being read.
    Body(String),
    /// The store failed.
    Store(object_store::Error),
}

impl From<object_store::Error> for UploadError {
    fn from(e: object_store::Error) -> Self {
        Self::Store(e)
    }
}

/// The result of re-hashing a stored file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rehash {
    /// SHA-256 of what is stored now, `None` when the file is gone.
    pub sha256: Option<String>,
    /// Its size.
    pub size: Option<u64>,
}

impl EvidenceStore {
    /// Opens the store at `url`: an `s3://bucket/prefix` URL (credentials, region and endpoint
    /// from the `AWS_*` environment variables), a `file://` URL or a plain directory path.
    pub fn open(url: &str) -> anyhow::Result<Self> {
        let store: Arc<dyn ObjectStore> = if url.starts_with("s3://") {
            let parsed = url::Url::parse(url).context("parsing CADRE_EVIDENCE_STORE")?;
            let s3 = AmazonS3Builder::from_env()
                .with_url(url)
                .build()
                .context("configuring the S3 evidence store")?;
            let prefix = parsed.path().trim_matches('/');
            if prefix.is_empty() {
                Arc::new(s3)
            } else {
                Arc::new(PrefixStore::new(s3, prefix))
            }
        } else {
            let dir = url.strip_prefix("file://").unwrap_or(url);
            Self::local_dir(FsPath::new(dir))?
        };
        Ok(Self { store })
    }

    fn local_dir(dir: &FsPath) -> anyhow::Result<Arc<dyn ObjectStore>> {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("creating the evidence directory {}", dir.display()))?;
        Ok(Arc::new(
            LocalFileSystem::new_with_prefix(dir)?.with_automatic_cleanup(true),
        ))
    }

    /// Streams `body` to a temporary key while hashing it. The media type is decided from the
    /// first bytes before anything is written; a refused type, an empty file or a file over
    /// `max_bytes` leaves nothing behind.
    pub async fn stage<S, E>(
        &self,
        mut body: S,
        max_bytes: u64,
        accepted: &[String],
    ) -> Result<Staged, UploadError>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin,
        E: std::fmt::Display,
    {
        let mut head = Vec::new();
        let mut ended = false;
        while head.len() < SNIFF_BYTES {
            match body.next().await {
                Some(chunk) => {
                    head.extend_from_slice(&chunk.map_err(|e| UploadError::Body(e.to_string()))?)
                }
                None => {
                    ended = true;
                    break;
                }
            }
            if head.len() as u64 > max_bytes {
                return Err(UploadError::TooLarge);
            }
        }
        if head.is_empty() {
            return Err(UploadError::Empty);
        }
        let media_type = sniff(&head[..head.len().min(SNIFF_BYTES)]);
        match media_type {
            Some(t) if accepted.iter().any(|a| a == t) => {}
            other => return Err(UploadError::MediaType(other)),
        }
        let key = Path::from(format!("staging/{}", uuid::Uuid::now_v7()));
        let mut writer = WriteMultipart::new(self.store.put_multipart(&key).await?);
        let mut hasher = Sha256::new();
        let mut size = head.len() as u64;
        hasher.update(&head);
        writer.write(&head);
        drop(head);
        let streamed: Result<(), UploadError> = async {
            if ended {
                return Ok(());
            }
            while let Some(chunk) = body.next().await {
                let chunk = chunk.map_err(|e| UploadError::Body(e.to_string()))?;
                size += chunk.len() as u64;
                if size > max_bytes {
                    return Err(UploadError::TooLarge);
                }
                hasher.update(&chunk);
                writer.wait_for_capacity(4).await?;
                writer.write(&chunk);
            }
            Ok(())
        }
        .await;
        if let Err(e) = streamed {
            writer.abort().await.ok();
            return Err(e);
        }
        writer.finish().await?;
        Ok(Staged {
            key,
            sha256: hex::encode(hasher.finalize()),
            size,
            media_type: media_type.unwrap_or_default(),
        })
    }

    /// Moves a staged file to its content key; when that content is already stored, the
    /// staged copy is dropped instead.
    pub async fn commit(&self, staged: &Staged) -> Result<(), object_store::Error> {
        let key = Path::from(content_key(&staged.sha256));
        match self.store.head(&key).await {
            Ok(_) => self.store.delete(&staged.key).await,
            Err(object_store::Error::NotFound { .. }) => self.store.rename(&staged.key, &key).await,
            Err(e) => Err(e),
        }
    }

    /// Removes a staged file that was not committed (nothing to do if it was).
    pub async fn discard(&self, staged: &Staged) {
        match self.store.delete(&staged.key).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
            Err(e) => tracing::warn!(error = %e, "could not remove a staged evidence file"),
        }
    }

    /// The stored content of `sha256`, as a stream of chunks.
    pub async fn read(
        &self,
        sha256: &str,
    ) -> Result<
        impl Stream<Item = Result<Bytes, object_store::Error>> + Send + 'static,
        object_store::Error,
    > {
        let got = self.store.get(&Path::from(content_key(sha256))).await?;
        Ok(got.into_stream())
    }

    /// Re-reads the content stored under `sha256` and hashes it again.
    pub async fn rehash(&self, sha256: &str) -> Result<Rehash, object_store::Error> {
        let mut stream = match self.read(sha256).await {
            Ok(s) => s,
            Err(object_store::Error::NotFound { .. }) => {
                return Ok(Rehash {
                    sha256: None,
                    size: None,
                })
            }
            Err(e) => return Err(e),
        };
        let mut hasher = Sha256::new();
        let mut size = 0u64;
        while let Some(chunk) = stream.next().await {
            let chunk = chunk?;
            size += chunk.len() as u64;
            hasher.update(&chunk);
        }
        Ok(Rehash {
            sha256: Some(hex::encode(hasher.finalize())),
            size: Some(size),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(parts: &[&[u8]]) -> impl Stream<Item = Result<Bytes, String>> + Unpin {
        futures_util::stream::iter(
            parts
                .iter()
                .map(|p| Ok(Bytes::copy_from_slice(p)))
                .collect::<Vec<_>>(),
        )
    }

    fn files_under(dir: &FsPath) -> Vec<std::path::PathBuf> {
        let mut out = Vec::new();
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            if e.path().is_dir() {
                out.extend(files_under(&e.path()));
            } else {
                out.push(e.path());
            }
        }
        out
    }

    #[tokio::test]
    async fn same_content_is_stored_once_and_rehashes_to_its_key() {
        let dir = std::env::temp_dir().join(format!("cadre-store-{}", uuid::Uuid::now_v7()));
        let store = EvidenceStore::open(dir.to_str().unwrap()).unwrap();
        let accepted = vec!["text/plain".to_string()];
        let a = store
            .stage(body(&[b"hello ", b"world"]), 100, &accepted)
            .await
            .unwrap();
        store.commit(&a).await.unwrap();
        let b = store
            .stage(body(&[b"hello world"]), 100, &accepted)
            .await
            .unwrap();
        store.commit(&b).await.unwrap();
        assert_eq!(a.sha256, b.sha256);
        assert_eq!(a.size, 11);
        assert_eq!(files_under(&dir).len(), 1);
        let again = store.rehash(&a.sha256).await.unwrap();
        assert_eq!(again.sha256.as_deref(), Some(a.sha256.as_str()));
        assert_eq!(
            store.rehash(&"0".repeat(64)).await.unwrap(),
            Rehash {
                sha256: None,
                size: None
            }
        );
        std::fs::remove_dir_all(dir).ok();
    }

    #[tokio::test]
    async fn refused_uploads_leave_nothing() {
        let dir = std::env::temp_dir().join(format!("cadre-store-{}", uuid::Uuid::now_v7()));
        let store = EvidenceStore::open(dir.to_str().unwrap()).unwrap();
        let accepted = vec!["text/plain".to_string()];
        let big = vec![b'a'; SNIFF_BYTES];
        let too_large = store
            .stage(
                body(&[&big, &big, b"more"]),
                SNIFF_BYTES as u64 + 10,
                &accepted,
            )
            .await;
        assert!(matches!(too_large, Err(UploadError::TooLarge)));
        let wrong = store.stage(body(&[b"%PDF-1.7\n"]), 100, &accepted).await;
        assert!(matches!(
            wrong,
            Err(UploadError::MediaType(Some("application/pdf")))
        ));
        let empty = store.stage(body(&[]), 100, &accepted).await;
        assert!(matches!(empty, Err(UploadError::Empty)));
        assert!(files_under(&dir).is_empty(), "{:?}", files_under(&dir));
        std::fs::remove_dir_all(dir).ok();
    }
}
