//! Where the bot's structured log lines go. A module of its own, below both the liquidation pass
//! (`bot.rs`) and the settlement cranks (`settle.rs`), so that neither imports the other for it.

use serde_json::{json, Value};

/// Where the bot's structured log lines go.
pub trait Log {
    fn log(&mut self, event: &str, fields: Value);
}

/// JSON lines on stderr.
pub struct StderrLog;

impl Log for StderrLog {
    fn log(&mut self, event: &str, fields: Value) {
        eprintln!("{}", json!({ "event": event, "fields": fields }));
    }
}

/// Collected in memory (tests, the simulator).
#[derive(Default)]
pub struct MemoryLog(pub Vec<(String, Value)>);

impl Log for MemoryLog {
    fn log(&mut self, event: &str, fields: Value) {
        self.0.push((event.to_string(), fields));
    }
}
