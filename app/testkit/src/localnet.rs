//! A `greekhouse-localnet` process started and stopped by this one: the RPC tests' and the CLI's
//! over-RPC tests' validator. The manifest it writes and the key files it leaves are the SDK's
//! ([`greekhouse_sdk::localnet`]); where the binary is found is
//! [`greekhouse_sdk::localnet::localnet_binary`] (the `greekhouse localnet` command uses it too).

use std::path::{Path, PathBuf};

use greekhouse_sdk::localnet::{localnet_binary, Manifest};

/// A `greekhouse-localnet` process started by this one (the RPC tests, the CLI's over-RPC tests):
/// stopped (killed) when dropped.
pub struct LocalnetProcess {
    child: std::process::Child,
    pub manifest: Manifest,
    pub dir: PathBuf,
}

impl LocalnetProcess {
    /// Start a local validator in `dir` on a free RPC port and wait (up to `timeout`) until it
    /// has written its manifest and printed `ready`.
    pub fn spawn(dir: &Path, timeout: std::time::Duration) -> Result<Self, String> {
        use std::io::BufRead;
        let binary = localnet_binary();
        if !binary.is_file() {
            return Err(format!(
                "{} not found: build it with `./scripts/localnet.sh build` (the test script \
                 does), or set GREEKHOUSE_LOCALNET_BIN",
                binary.display()
            ));
        }
        let mut child = std::process::Command::new(&binary)
            .arg("--dir")
            .arg(dir)
            .args(["--rpc-port", "0"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(path) = line.strip_prefix("ready ") {
                    let _ = tx.send(PathBuf::from(path));
                }
            }
        });
        let manifest_path = match rx.recv_timeout(timeout) {
            Ok(p) => p,
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "the local validator was not ready within {timeout:?}"
                ));
            }
        };
        let manifest = Manifest::load(&manifest_path).map_err(|e| e.to_string())?;
        Ok(Self {
            child,
            manifest,
            dir: dir.to_path_buf(),
        })
    }

    /// Stop the validator now (as a crash would: no clean shutdown).
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for LocalnetProcess {
    fn drop(&mut self) {
        self.kill();
    }
}
