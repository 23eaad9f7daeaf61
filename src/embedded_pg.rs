//! A private PostgreSQL server run from the machine's PostgreSQL binaries, with its data kept
//! under a directory and reused on the next start.
//!
//! Written here rather than taken from `postgresql_embedded` (which downloads server archives
//! from GitHub and cannot drop root privileges) or `pgtemp` (which throws its data away).
//! PostgreSQL refuses to run as root, so when started as root the cluster is owned and run by
//! the `postgres` user (or `nobody`).

use std::fs;
use std::io::Write;
use std::net::TcpListener;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{bail, Context, Result};
use nix::unistd::{Gid, Uid, User};

/// A running server this process may have started.
#[derive(Debug)]
pub struct EmbeddedPostgres {
    bin_dir: PathBuf,
    cluster_dir: PathBuf,
    port: u16,
    run_as: Option<(Uid, Gid)>,
    started_here: bool,
}

impl EmbeddedPostgres {
    /// Starts (or joins, if already running) the cluster under `root/postgres`, with the server
    /// programs of `bin_dir` (`CADRE_PG_BIN_DIR`) or, when `None`, the ones installed.
    pub fn start(root: &Path, bin_dir: Option<&Path>) -> Result<Self> {
        let bin_dir = match bin_dir {
            Some(dir) => dir.to_path_buf(),
            None => find_bin_dir()?,
        };
        fs::create_dir_all(root).with_context(|| format!("creating {}", root.display()))?;
        let root = root.canonicalize()?;
        let home = root.join("postgres");
        let cluster_dir = home.join("data");
        let run_as = unprivileged_user()?;
        fs::create_dir_all(&home)?;
        fs::set_permissions(&home, fs::Permissions::from_mode(0o700))?;
        if let Some((uid, gid)) = run_as {
            check_traversable(&home)?;
            if fs::metadata(&home)?.uid() != uid.as_raw() {
                chown_tree(&home, uid, gid)?;
            }
        }
        let lock = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(root.join("postgres.lock"))?;
        let _guard = nix::fcntl::Flock::lock(lock, nix::fcntl::FlockArg::LockExclusive)
            .map_err(|(_, e)| anyhow::anyhow!("locking the data directory: {e}"))?;

        let mut pg = Self {
            bin_dir,
            cluster_dir,
            port: 0,
            run_as,
            started_here: false,
        };
        if !pg.cluster_dir.join("PG_VERSION").exists() {
            pg.initdb()?;
        }
        if let Some(port) = pg.running_port() {
            tracing::info!(port, "joining the embedded PostgreSQL already running");
            pg.port = port;
            return Ok(pg);
        }
        pg.port = free_port()?;
        let log = home.join("server.log");
        let opts = format!(
            "-p {} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''",
            pg.port
        );
        let cluster = pg.cluster_dir.clone();
        pg.run(
            "pg_ctl",
            &[
                "start",
                "-w",
                "-t",
                "120",
                "-D",
                path_str(&cluster)?,
                "-l",
                path_str(&log)?,
                "-o",
                &opts,
            ],
        )
        .with_context(|| format!("starting PostgreSQL (log: {})", log.display()))?;
        pg.started_here = true;
        tracing::info!(port = pg.port, dir = %pg.cluster_dir.display(), "embedded PostgreSQL started");
        Ok(pg)
    }

    /// URL of database `db` on this server.
    pub fn url(&self, db: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{db}", self.port)
    }

    /// Stops the server if this process started it.
    pub fn stop(&self) {
        if !self.started_here {
            return;
        }
        let cluster = self.cluster_dir.to_string_lossy().into_owned();
        match self.run("pg_ctl", &["stop", "-w", "-m", "fast", "-D", &cluster]) {
            Ok(()) => tracing::info!("embedded PostgreSQL stopped"),
            Err(e) => tracing::warn!(error = %e, "could not stop the embedded PostgreSQL"),
        }
    }

    fn initdb(&self) -> Result<()> {
        let cluster = path_str(&self.cluster_dir)?.to_owned();
        self.run(
            "initdb",
            &[
                "-D",
                &cluster,
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-locale",
            ],
        )
        .context("initialising the embedded PostgreSQL cluster")?;
        let mut conf = fs::OpenOptions::new()
            .append(true)
            .open(self.cluster_dir.join("postgresql.conf"))?;
        writeln!(conf, "\n# cadre-api embedded defaults\nmax_connections = 200\nfsync = on\nshared_buffers = 128MB")?;
        Ok(())
    }

    /// The port of a live postmaster for this cluster, read from `postmaster.pid`.
    fn running_port(&self) -> Option<u16> {
        let pid_file = fs::read_to_string(self.cluster_dir.join("postmaster.pid")).ok()?;
        let mut lines = pid_file.lines();
        let pid: i32 = lines.next()?.trim().parse().ok()?;
        let port: u16 = lines.nth(2)?.trim().parse().ok()?;
        let alive = nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), None).is_ok();
        (alive && std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()).then_some(port)
    }

    fn run(&self, program: &str, args: &[&str]) -> Result<()> {
        let mut cmd = Command::new(self.bin_dir.join(program));
        cmd.args(args)
            .stdin(Stdio::null())
            .current_dir(self.cluster_dir.parent().unwrap_or(Path::new("/")));
        cmd.env_remove("PGDATA").env("LC_ALL", "C");
        if let Some((uid, gid)) = self.run_as {
            cmd.uid(uid.as_raw()).gid(gid.as_raw());
        }
        let out = cmd.output().with_context(|| format!("running {program}"))?;
        if !out.status.success() {
            bail!(
                "{program} failed ({}): {}{}",
                out.status,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Ok(())
    }
}

impl Drop for EmbeddedPostgres {
    fn drop(&mut self) {
        self.stop();
        self.started_here = false;
    }
}

fn path_str(p: &Path) -> Result<&str> {
    p.to_str()
        .context("the data directory path is not valid UTF-8")
}

/// The directory of `pg_ctl` on PATH, else the newest `/usr/lib/postgresql/*/bin`.
fn find_bin_dir() -> Result<PathBuf> {
    let on_path = std::env::var_os("PATH")
        .map(|p| {
            std::env::split_paths(&p)
                .map(|d| d.join("pg_ctl"))
                .filter(|p| p.exists())
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    for candidate in on_path {
        let real = candidate.canonicalize()?;
        if let Some(dir) = real.parent() {
            if dir.join("initdb").exists() && dir.join("postgres").exists() {
                return Ok(dir.to_path_buf());
            }
        }
    }
    let mut versions: Vec<(u32, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| Some((e.file_name().to_str()?.parse().ok()?, e.path().join("bin"))))
        .filter(|(_, bin)| bin.join("initdb").exists())
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin).context(
        "no PostgreSQL server binaries found (initdb, pg_ctl, postgres): install the `postgresql` \
         package, set CADRE_PG_BIN_DIR, or set DATABASE_URL to use an existing server",
    )
}

/// When running as root, the user that will own and run the cluster.
fn unprivileged_user() -> Result<Option<(Uid, Gid)>> {
    if !nix::unistd::geteuid().is_root() {
        return Ok(None);
    }
    for name in ["postgres", "nobody"] {
        if let Some(user) = User::from_name(name)? {
            return Ok(Some((user.uid, user.gid)));
        }
    }
    bail!("running as root and no `postgres` or `nobody` user exists to run PostgreSQL")
}

/// Every ancestor of `dir` must let other users through, or the unprivileged server can't reach it.
fn check_traversable(dir: &Path) -> Result<()> {
    for ancestor in dir.ancestors().skip(1) {
        let mode = fs::metadata(ancestor)?.permissions().mode();
        if mode & 0o001 == 0 {
            bail!(
                "{} is not searchable by other users, so the unprivileged PostgreSQL user cannot \
                 reach the data directory; choose another --data-dir (e.g. under /var/lib or /tmp)",
                ancestor.display()
            );
        }
    }
    Ok(())
}

fn chown_tree(dir: &Path, uid: Uid, gid: Gid) -> Result<()> {
    nix::unistd::chown(dir, Some(uid), Some(gid))?;
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let meta = fs::symlink_metadata(entry.path())?;
        if meta.is_dir() {
            chown_tree(&entry.path(), uid, gid)?;
        } else {
            nix::unistd::chown(&entry.path(), Some(uid), Some(gid))?;
        }
    }
    Ok(())
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind(("127.0.0.1", 0))?.local_addr()?.port())
}
