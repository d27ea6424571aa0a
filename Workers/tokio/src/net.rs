//! net: each task opens one `tokio::net::TcpStream` to the latency server the sweep started for
//! the cell and sends its requests one after another, checking every response's id. The wire
//! protocol, big-endian: id (u64), payload length (u32), payload. Every request is counted
//! (sent, answered, failed, and why) over every repetition, warm-up included, as the server
//! counts its replies, so that the sweep reconciles them.

use std::io::ErrorKind;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;

use crate::json;
use crate::measure::{now_ns, percentiles, slots, TaskError, Workload};
use crate::spec::Spec;

const HEADER: usize = 12;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The request counts, summed over every task and repetition.
#[derive(Default)]
struct Counts {
    sent: AtomicI64,
    answered: AtomicI64,
    failed: AtomicI64,
    timed_out: AtomicI64,
    reset: AtomicI64,
}

/// Why a request failed, beyond the count of failures.
enum Why {
    TimedOut,
    Reset,
    Other,
}

/// Requests to the latency server, one connection per task.
pub struct Net {
    address: String,
    requests: usize,
    payload: usize,
    request_timeout: Duration,
    counts: Counts,
    /// Each task's last connect time, ns (0: none).
    connects: Vec<AtomicI64>,
    /// Each request's round trip in this repetition, ns (-1: none).
    latency: Vec<AtomicI64>,
    round_trips: Mutex<Vec<i64>>,
}

impl Net {
    pub fn new(spec: &Spec) -> Result<Net, String> {
        let host = spec
            .parameter("serverHost")?
            .as_str()
            .ok_or("the parameter 'serverHost' is not a string")?;
        let requests = spec.int("requests")?.max(0) as usize;
        Ok(Net {
            address: format!("{}:{}", host, spec.int("serverPort")?),
            requests,
            payload: spec.int("payload")?.max(0) as usize,
            request_timeout: Duration::from_nanos(
                spec.int("requestTimeoutNanoseconds")?.max(1) as u64
            ),
            counts: Counts::default(),
            connects: slots(spec.tasks, 0),
            latency: slots(spec.tasks * requests, -1),
            round_trips: Mutex::new(Vec::new()),
        })
    }

    fn failed(&self, why: Why) {
        self.counts.failed.fetch_add(1, Ordering::Relaxed);
        match why {
            Why::TimedOut => self.counts.timed_out.fetch_add(1, Ordering::Relaxed),
            Why::Reset => self.counts.reset.fetch_add(1, Ordering::Relaxed),
            Why::Other => 0,
        };
    }

    /// A connection that could not be made: out of descriptors is a limit.
    fn connect_failure(&self, error: std::io::Error) -> TaskError {
        let text = format!("connect to {}: {}", self.address, error);
        match error.raw_os_error() {
            Some(libc::EMFILE) | Some(libc::ENFILE) => TaskError::Limit(text),
            _ => TaskError::Failed(text),
        }
    }

    pub async fn run(self: Arc<Self>, index: usize) -> Result<(), TaskError> {
        let started = now_ns();
        let mut stream =
            match timeout(CONNECT_TIMEOUT, TcpStream::connect(self.address.as_str())).await {
                Ok(Ok(stream)) => stream,
                Ok(Err(error)) => return Err(self.connect_failure(error)),
                Err(_) => {
                    return Err(TaskError::Failed(format!(
                        "connect to {}: timed out after 10 s",
                        self.address
                    )))
                }
            };
        self.connects[index].store(now_ns() - started, Ordering::Relaxed);
        let _ = stream.set_nodelay(true);
        let mut message = vec![b'a'; HEADER + self.payload];
        let mut header = [0u8; HEADER];
        let mut answer = vec![0u8; self.payload];
        for k in 0..self.requests {
            let ident = (index as u64) << 24 | k as u64;
            message[..8].copy_from_slice(&ident.to_be_bytes());
            message[8..HEADER].copy_from_slice(&(self.payload as u32).to_be_bytes());
            let sent_at = now_ns();
            self.counts.sent.fetch_add(1, Ordering::Relaxed);
            if let Err(why) = self
                .exchange(&mut stream, &message, &mut header, &mut answer)
                .await
            {
                self.failed(why);
                break;
            }
            let got = u64::from_be_bytes(header[..8].try_into().unwrap());
            if got != ident {
                self.failed(Why::Other);
                break;
            }
            self.counts.answered.fetch_add(1, Ordering::Relaxed);
            self.latency[index * self.requests + k].store(now_ns() - sent_at, Ordering::Relaxed);
        }
        Ok(())
    }

    /// Sends one request and reads its response (header into `header`, payload into `answer`).
    async fn exchange(
        &self,
        stream: &mut TcpStream,
        message: &[u8],
        header: &mut [u8; HEADER],
        answer: &mut Vec<u8>,
    ) -> Result<(), Why> {
        let kind = |error: std::io::Error| match error.kind() {
            ErrorKind::UnexpectedEof
            | ErrorKind::ConnectionReset
            | ErrorKind::ConnectionAborted
            | ErrorKind::BrokenPipe => Why::Reset,
            _ => Why::Other,
        };
        stream.write_all(message).await.map_err(kind)?;
        match timeout(self.request_timeout, stream.read_exact(header)).await {
            Err(_) => return Err(Why::TimedOut),
            Ok(result) => result.map_err(kind)?,
        };
        let length = u32::from_be_bytes(header[8..HEADER].try_into().unwrap()) as usize;
        if length != self.payload {
            return Err(Why::Other);
        }
        match timeout(
            self.request_timeout,
            stream.read_exact(&mut answer[..length]),
        )
        .await
        {
            Err(_) => Err(Why::TimedOut),
            Ok(result) => result.map(|_| ()).map_err(kind),
        }
    }
}

impl Workload for Net {
    fn before_repetition(&self) -> Result<(), TaskError> {
        for slot in &self.latency {
            slot.store(-1, Ordering::Relaxed);
        }
        Ok(())
    }

    fn after_repetition(&self, measured: bool) {
        if measured {
            let kept = self
                .latency
                .iter()
                .map(|s| s.load(Ordering::Relaxed))
                .filter(|&v| v >= 0);
            self.round_trips.lock().unwrap().extend(kept);
        }
    }

    fn figures(&self) -> Vec<(&'static str, String)> {
        let count = |value: &AtomicI64| value.load(Ordering::Relaxed).to_string();
        let mut figures = vec![
            ("requests_sent", count(&self.counts.sent)),
            ("requests_answered", count(&self.counts.answered)),
            ("requests_failed", count(&self.counts.failed)),
            ("requests_timed_out", count(&self.counts.timed_out)),
            ("requests_reset", count(&self.counts.reset)),
        ];
        let mut connects: Vec<i64> = self
            .connects
            .iter()
            .map(|c| c.load(Ordering::Relaxed))
            .filter(|&c| c > 0)
            .collect();
        if !connects.is_empty() {
            connects.sort_unstable();
            let middle = connects.len() / 2;
            let median = if connects.len() % 2 == 0 {
                (connects[middle - 1] + connects[middle]) / 2
            } else {
                connects[middle]
            };
            figures.push(("connect_us", json::float(median as f64 / 1e3)));
        }
        let mut trips = self.round_trips.lock().unwrap();
        if !trips.is_empty() {
            let found = percentiles(&mut trips);
            let ms = |ns: i64| json::float(ns as f64 / 1e6);
            figures.push(("request_ms_p50", ms(found[0])));
            figures.push(("request_ms_p90", ms(found[1])));
            figures.push(("request_ms_p99", ms(found[2])));
            figures.push(("request_ms_max", ms(found[3])));
        }
        figures
    }
}
