//! file (and -offload, -sync): each task writes its file in the cell's folder, reads it back,
//! verifies it byte for byte and removes it, with plain blocking std::fs calls in place (they
//! hold the task's runtime thread) or, for the -offload workloads, on tokio's blocking pool
//! through `spawn_blocking` (what tokio::fs does inside). The bytes are file.c's.

use std::ffi::CString;
use std::fs::{self, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

use crate::json;
use crate::measure::{now_ns, percentiles, slots, TaskError, Workload};
use crate::spec::Spec;

const LIMIT_ERRNOS: [i32; 5] = [
    libc::ENOSPC,
    libc::EDQUOT,
    libc::EFBIG,
    libc::EMFILE,
    libc::ENFILE,
];

/// SplitMix64 of the task index: the seed of its file's bytes (as file.c).
fn file_seed(index: u64) -> u64 {
    let mut z = index.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The `size` bytes task files hold: byte i = seed's byte (i mod 8) ^ (i >> 3) mod 256.
fn file_pattern(seed: u64, size: usize) -> Vec<u8> {
    let bytes = seed.to_le_bytes();
    (0..size).map(|i| bytes[i % 8] ^ ((i >> 3) as u8)).collect()
}

/// Each task writes, reads back, verifies and removes one file in the cell's folder.
pub struct File {
    size: usize,
    sync: bool,
    offload: bool,
    directory: String,
    /// Whether the folder is this worker's own (no sweep made one), removed at the end.
    owns: bool,
    times: Vec<AtomicI64>,
    file_times: Mutex<Vec<i64>>,
}

impl File {
    pub fn new(spec: &Spec, offload: bool) -> Result<File, TaskError> {
        let failed = |e: String| TaskError::Failed(e);
        let parameter = |key: &str| {
            spec.parameters
                .get(key)
                .and_then(|v| v.as_str())
                .unwrap_or("")
                .to_string()
        };
        let mut directory = parameter("fileDirectory");
        let owns = directory.is_empty();
        if owns {
            let parent = Some(parameter("fileParent")).filter(|p| !p.is_empty());
            let parent = parent
                .or_else(|| std::env::var("TMPDIR").ok())
                .unwrap_or_else(|| "/tmp".into());
            directory = format!("{}/asyncbench-files-{}-tokio", parent, std::process::id());
            // A new folder only this user can use: one already there (anyone may make that
            // name under /tmp) is refused, never used.
            fs::DirBuilder::new()
                .mode(0o700)
                .create(&directory)
                .map_err(|e| failed(format!("mkdir {}: {}", directory, e)))?;
        }
        let file = File {
            size: spec.int("fileBytes").map_err(failed)?.max(0) as usize,
            sync: spec
                .parameters
                .get("fileSync")
                .and_then(|v| v.as_bool())
                .unwrap_or(false),
            offload,
            directory,
            owns,
            times: slots(spec.tasks, -1),
            file_times: Mutex::new(Vec::new()),
        };
        let available = file.available();
        if (spec.tasks as u128) * (file.size as u128) > (available as u128) * 8 / 10 {
            return Err(TaskError::Limit(format!(
                "{} files of {} bytes need over 80% of the {} bytes free in {}; choose a smaller --file-size or another --file-dir",
                spec.tasks, file.size, available, file.directory
            )));
        }
        Ok(file)
    }

    /// Bytes free to an unprivileged user in the folder (statvfs).
    fn available(&self) -> u64 {
        let path = CString::new(self.directory.clone()).unwrap_or_default();
        // SAFETY: statvfs fills the zeroed struct it is given.
        let mut free: libc::statvfs = unsafe { std::mem::zeroed() };
        if unsafe { libc::statvfs(path.as_ptr(), &mut free) } != 0 {
            return u64::MAX;
        }
        free.f_bavail as u64 * free.f_frsize as u64
    }

    /// Writes, reads back, verifies and removes task `index`'s file; records its time.
    fn run_file(&self, index: usize) -> Result<(), TaskError> {
        let path = format!("{}/f{}", self.directory, index);
        let start = now_ns();
        let result = self.write_and_read(&path, index);
        let elapsed = now_ns() - start;
        let _ = fs::remove_file(&path);
        match result {
            Ok(true) => {
                self.times[index].store(elapsed, Ordering::Relaxed);
                Ok(())
            }
            Ok(false) => Err(TaskError::Failed(format!(
                "{}: the bytes read back differ from those written",
                path
            ))),
            Err(error) => {
                let text = format!("write/read {}: {}", path, error);
                match error.raw_os_error() {
                    Some(code) if LIMIT_ERRNOS.contains(&code) => Err(TaskError::Limit(text)),
                    _ => Err(TaskError::Failed(text)),
                }
            }
        }
    }

    /// Whether the bytes read back are those written.
    fn write_and_read(&self, path: &str, index: usize) -> std::io::Result<bool> {
        let data = file_pattern(file_seed(index as u64), self.size);
        let mut out = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(path)?;
        out.write_all(&data)?;
        if self.sync {
            out.sync_all()?;
        }
        drop(out);
        let mut back = Vec::with_capacity(self.size);
        fs::File::open(path)?.read_to_end(&mut back)?;
        Ok(back == data)
    }

    pub async fn run(self: Arc<Self>, index: usize) -> Result<(), TaskError> {
        if !self.offload {
            return self.run_file(index); // in place: the runtime thread waits on the disk
        }
        let file = self.clone();
        match tokio::task::spawn_blocking(move || file.run_file(index)).await {
            Ok(result) => result,
            Err(error) => Err(TaskError::Failed(format!("spawn_blocking: {}", error))),
        }
    }
}

impl Workload for File {
    fn before_repetition(&self) -> Result<(), TaskError> {
        for slot in &self.times {
            slot.store(-1, Ordering::Relaxed);
        }
        Ok(())
    }

    fn after_repetition(&self, measured: bool) {
        if measured {
            let kept = self
                .times
                .iter()
                .map(|s| s.load(Ordering::Relaxed))
                .filter(|&v| v >= 0);
            self.file_times.lock().unwrap().extend(kept);
        }
    }

    fn figures(&self) -> Vec<(&'static str, String)> {
        let mut times = self.file_times.lock().unwrap();
        if times.is_empty() {
            return Vec::new();
        }
        let found = percentiles(&mut times);
        let ms = |ns: i64| json::float(ns as f64 / 1e6);
        vec![
            ("file_ms_p50", ms(found[0])),
            ("file_ms_p99", ms(found[2])),
            ("file_ms_max", ms(found[3])),
        ]
    }
}

impl Drop for File {
    fn drop(&mut self) {
        if self.owns {
            let _ = fs::remove_dir_all(&self.directory);
        }
    }
}
