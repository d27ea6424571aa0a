//! The cell spec (docs/worker-protocol.md): the fields this worker reads.

use crate::json::{self, Value};

/// One cell: its workload, its tasks and repetitions, the workload's own parameters.
#[derive(Clone)]
pub struct Spec {
    pub workload: String,
    pub tasks: usize,
    pub warmup: usize,
    pub reps: usize,
    pub min_reps: usize,
    /// Stop once `min_reps` ran and their wall time reached this (0: never), ns.
    pub rep_budget: i64,
    /// The wait each task makes, ns (0 for workloads without one).
    pub latency: i64,
    pub parameters: Value,
}

impl Spec {
    /// Reads the spec line; the error names the field that is missing or wrong.
    pub fn parse(line: &str) -> Result<Spec, String> {
        let value =
            json::parse(line.trim()).map_err(|e| format!("the cell spec is not JSON: {}", e))?;
        let count = |key: &str| -> Result<usize, String> {
            match value.get(key).and_then(Value::as_i64) {
                Some(n) if n >= 0 => Ok(n as usize),
                _ => Err(format!("the cell spec has no count '{}'", key)),
            }
        };
        let reps = count("reps")?;
        let workload = value
            .get("workload")
            .and_then(Value::as_str)
            .ok_or("the cell spec has no 'workload'")?
            .to_string();
        Ok(Spec {
            workload,
            tasks: count("tasks")?,
            warmup: count("warmup")?,
            reps,
            min_reps: count("minReps").unwrap_or(reps),
            rep_budget: value
                .get("repBudgetNanoseconds")
                .and_then(Value::as_i64)
                .unwrap_or(0),
            latency: value
                .get("latencyNanoseconds")
                .and_then(Value::as_i64)
                .unwrap_or(0),
            parameters: value
                .get("parameters")
                .cloned()
                .unwrap_or(Value::Object(Vec::new())),
        })
    }

    /// The parameter `key` of the workload, or an error naming it.
    pub fn parameter(&self, key: &str) -> Result<&Value, String> {
        self.parameters.get(key).ok_or_else(|| {
            format!(
                "the {} workload's parameters have no '{}'",
                self.workload, key
            )
        })
    }

    /// An integer parameter.
    pub fn int(&self, key: &str) -> Result<i64, String> {
        let value = self.parameter(key)?;
        value
            .as_i64()
            .ok_or_else(|| format!("the parameter '{}' is not an integer: {:?}", key, value))
    }

    /// A number parameter.
    pub fn float(&self, key: &str) -> Result<f64, String> {
        let value = self.parameter(key)?;
        value
            .as_f64()
            .ok_or_else(|| format!("the parameter '{}' is not a number: {:?}", key, value))
    }
}
