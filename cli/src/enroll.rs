//! `yc enroll` (first-run enrollment with the city platform, training mode until then) and
//! `yc update` (signed offline update bundles). The rules are the core's (yc_core::enrollment,
//! yc_core::provisioning); this is the terminal side. docs/ADMIN.md §2 and §6.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow};
use clap::Subcommand;
use yc_core::enrollment::{FirstRun, FirstRunMade};
use yc_core::provisioning::{Applied, Change, Preview};
use yc_core::{Clock, CoreError, Workstation};

use crate::output::Out;

#[derive(Subcommand)]
pub enum EnrollCmd {
    /// 新建工作站并申请注册：在本机生成工作站密钥，写出签名的注册申请；回执导入前为培训模式
    Start {
        /// 6 位行政区划代码
        #[arg(long)]
        region: String,
        /// 工作站代码（2–4 位大写字母或数字，由县级政务服务中心分配）
        #[arg(long)]
        workstation: String,
        /// 工作站名称
        #[arg(long)]
        name: String,
        /// 本窗口办理的部门，逗号分隔；综合窗口写 *
        #[arg(long, value_delimiter = ',', default_value = "*")]
        departments: Vec<String>,
        /// 市级平台地址（如 https://zwfw.example.gov.cn）
        #[arg(long)]
        city: Option<String>,
        /// 第一个管理员账号 admin 的密码
        #[arg(long, env = "YC_ADMIN_PASSWORD", hide_env_values = true)]
        admin_password: String,
        /// 把注册申请写到这个文件（拷给市级平台）
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// 重新生成注册申请（申请文件丢失时；只接受对最新一份申请的回执）
    Request {
        /// 本窗口办理的部门，逗号分隔；综合窗口写 *（默认 *）
        #[arg(long, value_delimiter = ',', default_value = "*")]
        departments: Vec<String>,
        /// 市级平台地址（如 https://zwfw.example.gov.cn）
        #[arg(long)]
        city: Option<String>,
        /// 把注册申请写到这个文件（拷给市级平台）
        #[arg(long)]
        out: PathBuf,
    },
    /// 通过市级平台适配器在线提交注册申请，并导入平台签发的回执
    Send {
        /// 市级平台地址
        #[arg(long)]
        city: String,
        /// 市级平台签发密钥的指纹（SHA-256，由市级平台书面公布；逐位核对）
        #[arg(long)]
        issuer_fingerprint: String,
        /// 平台的访问令牌
        #[arg(long, env = "YC_CITY_TOKEN", hide_env_values = true)]
        token: Option<String>,
        /// 回执另存一份到这个文件
        #[arg(long)]
        save_reply: Option<PathBuf>,
    },
    /// 导入市级平台签发的注册回执文件（核验签名、签发者、申请和本机密钥）
    Import {
        /// 市级平台签发的注册回执文件
        file: PathBuf,
        /// 市级平台签发密钥的指纹（SHA-256，由市级平台书面公布；逐位核对）
        #[arg(long)]
        issuer_fingerprint: String,
        /// 只显示回执会带来的内容，不导入
        #[arg(long)]
        dry_run: bool,
    },
    /// 注册状态：手工建立 / 培训模式 / 已注册；本机工作站密钥的指纹
    Status,
}

#[derive(Subcommand)]
pub enum UpdateCmd {
    /// 显示升级包会改变什么（不写入）；会被拒绝时说明原因
    Show {
        /// 升级包文件
        bundle: PathBuf,
    },
    /// 导入升级包：核验签名、签发者、编号，整体生效或整体不生效
    Apply {
        /// 升级包文件
        bundle: PathBuf,
    },
    /// 已导入的注册回执和升级包
    List,
}

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| anyhow!(CoreError::Io { path: path.display().to_string(), source: e }))
}

fn changes_text(changes: &[Change]) -> String {
    if changes.is_empty() {
        return "  （无内容）".into();
    }
    changes.iter().map(|c| format!("  - {}", c.zh())).collect::<Vec<_>>().join("\n")
}

fn applied_text(a: &Applied) -> String {
    let what = match a.kind {
        yc_adapter_sdk::provision::PackageKind::Enrollment => "注册回执",
        yc_adapter_sdk::provision::PackageKind::Update => "升级包",
    };
    format!("已导入{what}（{}，编号 {}）：\n{}", a.issuer, a.serial, changes_text(&a.changes))
}

fn write_request(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).with_context(|| format!("写入注册申请 {}", path.display()))
}

pub fn run_enroll(
    cmd: &EnrollCmd,
    dir: &Path,
    out: &Out,
    open: impl FnOnce() -> Result<Workstation>,
    actor: impl FnOnce(&Workstation) -> Result<yc_core::staff::Actor>,
) -> Result<()> {
    match cmd {
        EnrollCmd::Start { region, workstation, name, departments, city, admin_password, out: file } => {
            let setup = FirstRun {
                region: region.clone(),
                workstation: workstation.clone(),
                name: name.clone(),
                departments: departments.clone(),
                city_url: city.clone(),
                admin_password: admin_password.clone(),
            };
            let FirstRunMade { workstation: ws, recovery, request: req } =
                Workstation::first_run(dir, &setup, Clock::System)?;
            if let Some(f) = file {
                write_request(f, &req.to_bytes())?;
            }
            let st = ws.enrollment_status()?;
            out.value(
                &serde_json::json!({ "status": st, "request_sha256": req.body_sha256(), "recovery_key": recovery.as_str() }),
                || {
                    format!(
                        "工作站 {} 已建立，处于培训模式（文书带「样本」水印，不上传）。\n工作站密钥指纹：{}\n注册申请：{}\n下一步：{}\n\n{}",
                        ws.label(),
                        st.workstation_key_fingerprint,
                        file.as_ref().map_or_else(|| "（未写出；yc enroll send 在线提交）".into(), |f| f.display().to_string()),
                        "把申请交市级平台（或 yc enroll send），拿到回执后 yc enroll import 回执文件 --issuer-fingerprint 平台公布的指纹",
                        crate::recovery_text(&recovery)
                    )
                },
            );
        }
        EnrollCmd::Request { departments, city, out: file } => {
            let ws = open()?;
            let by = actor(&ws)?;
            let req = ws.request_enrollment(&by, departments, city.as_deref())?;
            write_request(file, &req.to_bytes())?;
            out.value(&serde_json::json!({ "request_sha256": req.body_sha256(), "file": file }), || {
                format!("注册申请已写到 {}（SHA-256 {}）；培训模式", file.display(), req.body_sha256())
            });
        }
        EnrollCmd::Send { city, issuer_fingerprint, token, save_reply } => {
            let ws = open()?;
            let by = actor(&ws)?;
            let request = ws.enrollment_request()?.ok_or_else(|| {
                anyhow!(CoreError::Invalid("没有待提交的注册申请：先运行 yc enroll start 或 yc enroll request".into()))
            })?;
            let mut settings = serde_json::json!({ "base_url": city, "source": ws.label() });
            if let Some(t) = token {
                settings["token"] = serde_json::Value::String(t.clone());
            }
            let adapter = yc_adapters::city_extranet::CityExtranet::from_settings(&settings)
                .map_err(|e| anyhow!(CoreError::Invalid(format!("{}（{}）", e.message, e.detail))))?;
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().context("启动异步运行时")?;
            let reply = rt
                .block_on(adapter.enroll(&request))
                .map_err(|e| anyhow!(CoreError::Invalid(format!("{}（{}）", e.message, e.detail))))?;
            if let Some(f) = save_reply {
                std::fs::write(f, &reply).with_context(|| format!("保存回执 {}", f.display()))?;
            }
            let applied = ws.import_enrollment(&by, &reply, issuer_fingerprint)?;
            out.value(&applied, || applied_text(&applied));
        }
        EnrollCmd::Import { file, issuer_fingerprint, dry_run } => {
            let ws = open()?;
            let bytes = read(file)?;
            if *dry_run {
                let changes = ws.show_enrollment_reply(&bytes, issuer_fingerprint)?;
                out.value(&changes, || format!("回执核验通过，导入后将：\n{}", changes_text(&changes)));
                return Ok(());
            }
            let by = actor(&ws)?;
            let applied = ws.import_enrollment(&by, &bytes, issuer_fingerprint)?;
            out.value(&applied, || applied_text(&applied));
        }
        EnrollCmd::Status => {
            let ws = open()?;
            let st = ws.enrollment_status()?;
            out.value(&st, || {
                use yc_core::enrollment::EnrollmentState as S;
                let state = match st.state {
                    S::Manual => "手工建立（yc init），未向市级平台注册".to_owned(),
                    S::Training => format!(
                        "培训模式：已申请注册（申请 {}），等待回执；文书带「样本」水印，不上传",
                        st.pending_request.clone().unwrap_or_default()
                    ),
                    S::Enrolled => format!(
                        "已注册：{}，{}；签发密钥指纹 {}；已导入 {} 个包（最高编号 {}）",
                        st.issuer.clone().unwrap_or_default(),
                        st.enrolled_at.clone().unwrap_or_default(),
                        st.issuer_fingerprint.clone().unwrap_or_default(),
                        st.packages,
                        st.serial.unwrap_or(0)
                    ),
                };
                format!(
                    "工作站 {}：{state}\n工作站密钥：{}\n工作站密钥指纹：{}",
                    ws.label(),
                    st.workstation_key,
                    st.workstation_key_fingerprint
                )
            });
        }
    }
    Ok(())
}

fn preview_text(p: &Preview) -> String {
    let head = format!(
        "升级包：{}，编号 {}，发给 {}，签发于 {}\n签发密钥指纹：{}\nSHA-256：{}",
        p.issuer, p.serial, p.to, p.issued_at, p.issuer_fingerprint, p.sha256
    );
    match &p.refusal {
        Some(why) => format!("{head}\n\n不能导入：{why}"),
        None => format!("{head}\n\n导入后将：\n{}", changes_text(&p.changes)),
    }
}

/// Returns whether the command succeeded (`show` of a bundle that would be refused fails).
pub fn run_update(
    cmd: &UpdateCmd,
    out: &Out,
    open: impl FnOnce() -> Result<Workstation>,
    actor: impl FnOnce(&Workstation) -> Result<yc_core::staff::Actor>,
) -> Result<bool> {
    match cmd {
        UpdateCmd::Show { bundle } => {
            let ws = open()?;
            let p = ws.show_update(&read(bundle)?, bundle.parent())?;
            out.value(&p, || preview_text(&p));
            Ok(p.refusal.is_none())
        }
        UpdateCmd::Apply { bundle } => {
            let ws = open()?;
            let by = actor(&ws)?;
            let a = ws.apply_update(&by, &read(bundle)?, bundle.parent())?;
            out.value(&a, || applied_text(&a));
            Ok(true)
        }
        UpdateCmd::List => {
            let ws = open()?;
            let list = ws.applied_packages()?;
            out.value(&list, || {
                if list.is_empty() {
                    "尚未导入注册回执或升级包".into()
                } else {
                    list.iter().map(applied_text).collect::<Vec<_>>().join("\n\n")
                }
            });
            Ok(true)
        }
    }
}
