//! Notifications appended to a local NDJSON file: the local stand-in for an SNS topic.

use std::io::Write;
use std::path::PathBuf;

use async_trait::async_trait;
use twinpipe_ports::{Notification, Notifier, NotifyError};

/// Appends each notification as one JSON line to a file.
pub struct FileNotifier {
    path: PathBuf,
}

impl FileNotifier {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        FileNotifier { path: path.into() }
    }
}

#[async_trait]
impl Notifier for FileNotifier {
    async fn notify(&self, notifications: Vec<Notification>) -> Result<(), NotifyError> {
        let write = || -> std::io::Result<()> {
            if let Some(parent) = self.path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            let mut file = std::fs::OpenOptions::new().create(true).append(true).open(&self.path)?;
            for n in &notifications {
                writeln!(file, "{}", serde_json::to_string(n).map_err(std::io::Error::other)?)?;
            }
            Ok(())
        };
        write().map_err(|e| NotifyError::Unavailable { source: Box::new(e) })
    }
}
