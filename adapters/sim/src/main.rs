//! `yc-sim`: run a far-system TEST DOUBLE on loopback.
//!
//! ```text
//! yc-sim city --port 8080 --fail-rate 0.1 --seed 7
//! yc-sim dept --port 8081 --latency-ms 200
//! yc-sim dept --port 8082 --profile registry     # a differently shaped department service
//! yc-sim witness-files --heads STICK/out/heads --answers STICK/in/heads --state-file city.json
//! ```

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use yc_sim::{FaultConfig, SimConfig};

#[derive(Parser)]
#[command(name = "yc-sim", about = "一窗对端系统模拟器（仅供测试，不是生产服务）")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Simulate the city e-government extranet platform (docs/city-extranet.openapi.yaml).
    City(CityArgs),
    /// Make a signed offline update bundle for one workstation (the city's side of `yc update`).
    Bundle(BundleArgs),
    /// Simulate a vertically managed department's SOAP service.
    Dept(DeptArgs),
    /// Once: witness the journal heads a workstation left as files (file-drop), answer beside
    /// them, and exit — what the county front-end does when the stick arrives.
    WitnessFiles(WitnessFilesArgs),
}

#[derive(Args)]
struct WitnessFilesArgs {
    /// Where the workstation's `head-*.json` files are (its file-drop outbox_dir/heads).
    #[arg(long)]
    heads: PathBuf,
    /// Where to write the answers (the workstation's file-drop inbox_dir/heads).
    #[arg(long)]
    answers: PathBuf,
    /// The platform's memory of heads and its key (the same file `yc-sim city --state-file` uses).
    #[arg(long)]
    state_file: PathBuf,
}

#[derive(Args)]
struct Desk {
    /// Answer enrollment requests with the contents of this folder (catalog.json, calendar-*.json,
    /// staff.json, adapters.json, trust-roots/*.der, trust-bundle.json).
    #[arg(long)]
    enroll_contents: Option<PathBuf>,
    /// The issuer's Ed25519 key (PKCS#8), made on first use.
    #[arg(long, default_value = "city-issuer.key")]
    issuer_key: PathBuf,
    #[arg(long, default_value = "某市政务服务数据管理局（模拟）")]
    issuer: String,
}

#[derive(Args)]
struct CityArgs {
    #[command(flatten)]
    desk: Desk,
    #[command(flatten)]
    common: Common,
}

#[derive(Args)]
struct BundleArgs {
    /// Folder with the bundle's contents (as for --enroll-contents; app.json names a package in it).
    #[arg(long)]
    contents: PathBuf,
    #[arg(long, default_value = "city-issuer.key")]
    issuer_key: PathBuf,
    #[arg(long, default_value = "某市政务服务数据管理局（模拟）")]
    issuer: String,
    /// The workstation, `region-code` (e.g. 440305-W01).
    #[arg(long)]
    to: String,
    /// Its public key (hex), as `yc enroll status` shows it.
    #[arg(long)]
    workstation_key: String,
    /// Above every package the workstation has applied (its enrollment reply is 1).
    #[arg(long)]
    serial: u64,
    /// Where to write the bundle (put it in the contents folder when it carries an app package).
    #[arg(long)]
    out: PathBuf,
}

#[derive(Args)]
struct DeptArgs {
    /// Service shape: `exchange` (the project's own SubmitItems/FetchItems service) or `registry`
    /// (a real-estate registry style ReportCase service: one record per call, Chinese element
    /// names, numeric ReturnCode, no pull). See docs/vertical-xml.md.
    #[arg(long, default_value = "exchange")]
    profile: yc_sim::dept::Profile,
    #[command(flatten)]
    common: Common,
}

#[derive(Args)]
struct Common {
    /// Port on 127.0.0.1 (0 = any free port).
    #[arg(long, default_value_t = 0)]
    port: u16,
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Share of requests answered 500 / SOAP Server fault.
    #[arg(long, default_value_t = 0.0)]
    fail_rate: f64,
    /// Share of requests whose connection is dropped mid-answer.
    #[arg(long, default_value_t = 0.0)]
    drop_rate: f64,
    /// Share of answers with every result row duplicated.
    #[arg(long, default_value_t = 0.0)]
    dup_ack_rate: f64,
    /// Share of answers cut short.
    #[arg(long, default_value_t = 0.0)]
    malformed_rate: f64,
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Keep received rows in this JSON file across restarts.
    #[arg(long)]
    state_file: Option<PathBuf>,
    /// Require this bearer token / SOAP AuthToken.
    #[arg(long, env = "YC_SIM_TOKEN")]
    token: Option<String>,
    #[arg(long)]
    max_body_bytes: Option<usize>,
}

impl Common {
    fn config(&self) -> anyhow::Result<SimConfig> {
        for (name, rate) in [
            ("fail-rate", self.fail_rate),
            ("drop-rate", self.drop_rate),
            ("dup-ack-rate", self.dup_ack_rate),
            ("malformed-rate", self.malformed_rate),
        ] {
            anyhow::ensure!((0.0..=1.0).contains(&rate), "--{name} 应在 0 到 1 之间，实为 {rate}");
        }
        anyhow::ensure!(
            self.fail_rate + self.drop_rate + self.dup_ack_rate + self.malformed_rate <= 1.0,
            "各故障比例之和不能超过 1"
        );
        Ok(SimConfig {
            port: self.port,
            faults: FaultConfig {
                latency_ms: self.latency_ms,
                fail_rate: self.fail_rate,
                drop_rate: self.drop_rate,
                dup_ack_rate: self.dup_ack_rate,
                malformed_rate: self.malformed_rate,
                seed: self.seed,
            },
            state_file: self.state_file.clone(),
            token: self.token.clone(),
            max_body_bytes: self.max_body_bytes,
            enrollment: None,
        })
    }
}

fn bundle(b: &BundleArgs) -> anyhow::Result<()> {
    use yc_adapter_sdk::provision::{FORMAT, Package, PackageKind};
    let key = yc_sim::enrollment::load_or_make_key(&b.issuer_key)?;
    let package = Package {
        format: FORMAT,
        kind: PackageKind::Update,
        issuer: b.issuer.clone(),
        serial: b.serial,
        to: b.to.clone(),
        workstation_key: b.workstation_key.clone(),
        issued_at: yc_sim::beijing_now(),
        request_sha256: None,
        contents: yc_sim::enrollment::contents_from_dir(&b.contents, PackageKind::Update)?,
    };
    let signed = yc_sim::enrollment::sign_package(&key, &package);
    std::fs::write(&b.out, signed.to_bytes())?;
    eprintln!(
        "yc-sim: update bundle {} → {}, serial {}, issuer key {}",
        b.out.display(),
        b.to,
        b.serial,
        yc_sim::enrollment::fingerprint(&key)
    );
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let (what, (addr, handle)) = match cli.command {
        Command::WitnessFiles(a) => {
            let mut store = yc_sim::Store::load(yc_sim::FaultConfig::default(), Some(&a.state_file))?;
            let run = yc_sim::files::witness_dir(&mut store, &a.heads, &a.answers, &yc_sim::beijing_now())?;
            store.save(&a.state_file)?;
            println!("{}", serde_json::to_string(&run)?);
            return Ok(());
        }
        Command::Bundle(b) => return bundle(&b),
        Command::City(c) => {
            let mut config = c.common.config()?;
            if let Some(contents) = c.desk.enroll_contents {
                let key = yc_sim::enrollment::load_or_make_key(&c.desk.issuer_key)?;
                eprintln!(
                    "yc-sim: enrollment desk of 「{}」, issuer key fingerprint (SHA-256) {}",
                    c.desk.issuer,
                    yc_sim::enrollment::fingerprint(&key)
                );
                config.enrollment = Some(yc_sim::enrollment::EnrollmentDesk {
                    issuer: c.desk.issuer,
                    key_file: c.desk.issuer_key,
                    contents,
                });
            }
            ("city platform", yc_sim::city::spawn(config).await?)
        }
        Command::Dept(d) => {
            let (addr, dept) = yc_sim::dept::spawn_profile(d.common.config()?, d.profile).await?;
            let what = match d.profile {
                yc_sim::dept::Profile::Exchange => "department SOAP service, profile exchange (POST /ws/exchange)",
                yc_sim::dept::Profile::Registry => "department SOAP service, profile registry (POST /ws/exchange)",
            };
            (what, (addr, dept.sim))
        }
    };
    eprintln!("yc-sim: TEST DOUBLE of the {what} listening on http://{addr} (stats: /_sim/stats)");
    // Machine-readable line for scripts that started us with --port 0.
    println!("{addr}");
    tokio::signal::ctrl_c().await?;
    handle.stop();
    Ok(())
}
