//! `yc seal …`, `yc doc …`, `yc verify FILE`: the seal registry, sealing a case's documents,
//! exporting them, and checking any sealed PDF or QR payload.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, anyhow};
use clap::Subcommand;
use yc_core::seal::DocKind;
use yc_core::{CoreError, Workstation};
use yc_seal::{KeyStoreOptions, SealType, Verdict, Verification};

use crate::output::Out;

#[derive(Subcommand)]
pub enum SealCmd {
    /// 在本数据目录中建立印章机构（演示、试点用），并固定其根证书为信任根
    Authority {
        /// 印章制作机构的名称
        #[arg(long)]
        name: String,
        /// 保护印章机构根密钥的 PIN 码
        #[arg(long, env = "YC_AUTHORITY_PIN", hide_env_values = true)]
        pin: String,
    },
    /// 为部门签发印章（密钥对、证书、印章数据、加密的密钥文件）
    Issue {
        /// 使用这枚印章的部门
        #[arg(long)]
        department: String,
        /// 行政许可专用章 | 公章 | 业务专用章 | 证照专用章
        #[arg(long, default_value = "行政许可专用章")]
        r#type: String,
        /// 这枚印章自己的 PIN 码，每次盖章都要输入
        #[arg(long, env = "YC_SEAL_PIN", hide_env_values = true)]
        pin: String,
        /// 印章机构根密钥的 PIN 码（签发印章证书用）
        #[arg(long, env = "YC_AUTHORITY_PIN", hide_env_values = true)]
        authority_pin: String,
    },
    /// 吊销印章，自现在起生效（发布新的信任包）
    Revoke {
        /// 印章编号（见 yc seal list）
        seal_id: String,
        /// 吊销的理由（写入信任包，记入日志）
        #[arg(long)]
        reason: String,
        /// 印章机构根密钥的 PIN 码（新的信任包由它签署）
        #[arg(long, env = "YC_AUTHORITY_PIN", hide_env_values = true)]
        authority_pin: String,
    },
    /// 解锁因 PIN 码输错而锁定的印章（管理员；须印章机构的 PIN 码和理由；记入日志）
    Unlock {
        /// 印章编号（见 yc seal list）
        seal_id: String,
        /// 解锁的理由（记入日志）
        #[arg(long)]
        reason: String,
        /// 印章机构根密钥的 PIN 码
        #[arg(long, env = "YC_AUTHORITY_PIN", hide_env_values = true)]
        authority_pin: String,
    },
    /// 列出印章、在信任包中的状态和密钥锁定状态
    List,
    /// 导入信任包文件（按已固定的信任根核验签名；只接受更新的版本）
    Bundle {
        /// 信任包文件（trust-bundle.json）
        file: PathBuf,
    },
    /// 信任根：导出根证书和当前已签名的信任包、从导出的目录固定信任根、纳入时间戳机构根证书
    #[command(subcommand)]
    Trust(TrustCmd),
    /// 重新核验用印登记的哈希链
    Log,
}

#[derive(Subcommand)]
pub enum TrustCmd {
    /// 把 root-*.pem/.der、trust-bundle.json 和 FINGERPRINTS.txt 写到 --out 目录（供任何人核验）
    Export {
        /// 导出到这个目录
        #[arg(long)]
        out: PathBuf,
    },
    /// 固定导出的信任目录中的根证书为信任根，再导入其中的信任包（管理员）。不加 --fingerprint
    /// 时只打印 SHA-256 指纹，供与印章机构公布的指纹逐位核对
    Import {
        /// yc seal trust export 导出的信任目录
        dir: PathBuf,
        /// 印章机构公布的根证书 SHA-256 指纹（手工输入，不要从 DIR 中复制）
        #[arg(long)]
        fingerprint: Option<String>,
    },
    /// 把时间戳机构的根证书纳入信任包（管理员；须印章机构的 PIN 码）：取自 FILE（PEM 或 DER），或通过 --adapter
    /// NAME 从市级平台获取。不加 --fingerprint
    /// 时只打印 SHA-256 指纹，供与时间戳服务运营方公布的指纹逐位核对
    Tsa {
        /// 时间戳机构的根证书文件（PEM 或 DER）
        file: Option<PathBuf>,
        /// 已登记的市级政务外网适配器：向其平台请求 GET /api/v1/tsa/root
        #[arg(long, conflicts_with = "file")]
        adapter: Option<String>,
        /// 时间戳服务运营方公布的根证书 SHA-256 指纹（手工输入）
        #[arg(long)]
        fingerprint: Option<String>,
        /// 印章机构根密钥的 PIN 码（新的信任包由它签署；加 --fingerprint 导入时必填）
        #[arg(long, env = "YC_AUTHORITY_PIN", hide_env_values = true)]
        authority_pin: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum DocCmd {
    /// 为办件的文书盖章（印章管理员；每次都要输入 PIN 码）
    Seal {
        /// 办件编号
        case_no: String,
        /// 文书类型：receipt | acceptance | non_acceptance | supplement | approval | refusal | certificate
        #[arg(long = "type")]
        kind: String,
        /// 办件所属部门印章的 PIN 码
        #[arg(long, env = "YC_SEAL_PIN", hide_env_values = true)]
        pin: String,
    },
    /// 列出一个办件的文书
    List {
        /// 办件编号
        case_no: String,
    },
    /// 导出已盖章的 PDF：一个办件的决定书（或 --type 指定的文书）写到 --out 文件，或加 --all 把全部已盖章文书写到 --out 目录
    Export {
        /// 办件编号（加 --all 时不用）
        case_no: Option<String>,
        /// 导出全部办件的已盖章文书（--out 为目录）
        #[arg(long)]
        all: bool,
        /// 只导出这种文书（默认决定书）：receipt | acceptance | non_acceptance | supplement | approval | refusal | certificate
        #[arg(long = "type")]
        kind: Option<String>,
        /// 写到这个文件（加 --all 时为目录）
        #[arg(long)]
        out: PathBuf,
    },
}

fn seal_err(e: yc_seal::SealError) -> anyhow::Error {
    anyhow!(CoreError::Seal(e.to_string()))
}

fn seal_type(s: &str) -> Result<SealType> {
    Ok(match s {
        "行政许可专用章" | "licensing" => SealType::AdministrativeLicensing,
        "公章" | "official" => SealType::Official,
        "业务专用章" | "business" => SealType::Business,
        "证照专用章" | "certificate" => SealType::Certificate,
        _ => return Err(anyhow!(CoreError::Invalid(format!("未知的印章类型：{s}")))),
    })
}

fn kind(s: &str) -> Result<DocKind> {
    DocKind::parse(s).ok_or_else(|| {
        let all: Vec<String> = DocKind::ALL.iter().map(|k| format!("{}（{}）", k.code(), k.zh())).collect();
        anyhow!(CoreError::Invalid(format!("未知的文书类型「{s}」。可用：{}", all.join("、"))))
    })
}

pub fn seal(ws: &Workstation, auth: &crate::auth::Auth, cmd: &SealCmd, out: &Out) -> Result<ExitCode> {
    match cmd {
        SealCmd::Authority { name, pin } => {
            ws.create_seal_authority(&auth.actor(ws)?, name, pin, KeyStoreOptions::default())?;
            out.value(&serde_json::json!({ "authority": name }), || {
                format!("已建立印章制作机构「{name}」并固定其根证书")
            });
        }
        SealCmd::Issue { department, r#type, pin, authority_pin } => {
            let id = ws.issue_seal(
                &auth.actor(ws)?,
                department,
                seal_type(r#type)?,
                pin,
                authority_pin,
                KeyStoreOptions::default(),
            )?;
            out.value(&serde_json::json!({ "seal_id": id }), || {
                format!("已刻制电子印章 {id}（{department}{}）", r#type)
            });
        }
        SealCmd::Revoke { seal_id, reason, authority_pin } => {
            ws.revoke_seal(&auth.actor(ws)?, seal_id, reason, authority_pin)?;
            out.value(&serde_json::json!({ "revoked": seal_id }), || format!("印章 {seal_id} 已作废，新信任包已发布"));
        }
        SealCmd::Unlock { seal_id, reason, authority_pin } => {
            let cleared = ws.unlock_seal(&auth.actor(ws)?, seal_id, reason, authority_pin)?;
            out.value(&serde_json::json!({ "unlocked": seal_id, "failed_attempts_cleared": cleared }), || {
                format!("印章 {seal_id} 已解锁（清除 {cleared} 次 PIN 错误记录，已记入日志）")
            });
        }
        SealCmd::List => {
            let rows = ws.list_seals()?;
            out.value(&rows, || {
                rows.iter()
                    .map(|s| {
                        let lock = if s.locked {
                            "  【已锁定】".to_owned()
                        } else if s.failed_attempts > 0 {
                            format!("  （PIN 错误 {} 次）", s.failed_attempts)
                        } else {
                            String::new()
                        };
                        format!("{}  {}  {}{lock}", s.seal_id, s.name, s.status)
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
        SealCmd::Bundle { file } => {
            let bytes = std::fs::read(file).with_context(|| format!("读取 {}", file.display()))?;
            let v = ws.import_trust_bundle(&bytes, &file.display().to_string())?;
            out.value(&serde_json::json!({ "version": v }), || format!("已导入信任包第 {v} 版"));
        }
        SealCmd::Trust(TrustCmd::Export { out: dir }) => {
            let roots = ws.trust_anchors()?;
            let bundle = ws.trust_bundle()?;
            let written = yc_seal::export_trust(dir, &roots, &bundle).map_err(seal_err)?;
            out.value(&serde_json::json!({ "dir": dir, "roots": written, "bundle_version": bundle.version() }), || {
                let mut t = vec![format!("已导出信任根与第 {} 版信任包到 {}", bundle.version(), dir.display())];
                for r in &written {
                    t.push(format!("  根证书 {}\n  SHA-256 {}", r.subject, r.sha256));
                }
                t.push("接收方导入或信任前，须与印章制作机构另行公布的指纹逐位核对。".into());
                t.join("\n")
            });
        }
        SealCmd::Trust(TrustCmd::Import { dir, fingerprint }) => {
            let roots = yc_seal::load_roots(dir).map_err(seal_err)?;
            let Some(typed) = fingerprint else {
                let list: Vec<String> = roots
                    .iter()
                    .map(|r| {
                        format!("{}  {}", yc_seal::fingerprint(r), yc_seal::certificate_subject(r).unwrap_or_default())
                    })
                    .collect();
                return Err(anyhow!(CoreError::Invalid(format!(
                    "尚未固定：请将以下指纹与印章制作机构公布的指纹逐位核对，核对无误后加 --fingerprint <指纹> 重新执行：\n{}",
                    list.join("\n")
                ))));
            };
            let root = roots.iter().find(|r| yc_seal::fingerprint_matches(r, typed)).ok_or_else(|| {
                anyhow!(CoreError::Seal(format!("{} 中没有指纹为 {typed} 的根证书，拒绝固定", dir.display())))
            })?;
            let fp = ws.pin_trust_anchor(&auth.actor(ws)?, root, typed)?;
            let bundle_path = dir.join(yc_seal::TRUST_BUNDLE_FILE);
            let version = if bundle_path.exists() {
                let bytes = std::fs::read(&bundle_path).with_context(|| format!("读取 {}", bundle_path.display()))?;
                Some(ws.import_trust_bundle(&bytes, &bundle_path.display().to_string())?)
            } else {
                None
            };
            out.value(&serde_json::json!({ "pinned": fp, "bundle_version": version }), || {
                format!("已固定信任根 {fp}{}", version.map_or_else(String::new, |v| format!("，并导入信任包第 {v} 版")))
            });
        }
        SealCmd::Trust(TrustCmd::Tsa { file, adapter, fingerprint, authority_pin }) => {
            let der = match (file, adapter) {
                (Some(f), _) => {
                    let bytes = std::fs::read(f).with_context(|| format!("读取 {}", f.display()))?;
                    yc_seal::read_certificates(&bytes).into_iter().next().ok_or_else(|| {
                        anyhow!(CoreError::Seal(format!("{} 中没有可解析的证书（应为 PEM 或 DER）", f.display())))
                    })?
                }
                (None, Some(name)) => tsa_root_from(ws, name)?,
                (None, None) => return Err(anyhow!("请给出时间戳根证书文件，或 --adapter 适配器名 从市级平台获取")),
            };
            let fp = yc_seal::fingerprint(&der);
            let subject = yc_seal::certificate_subject(&der).unwrap_or_default();
            let Some(typed) = fingerprint else {
                return Err(anyhow!(CoreError::Invalid(format!(
                    "尚未导入：请将以下指纹与时间戳服务运营方公布的指纹逐位核对，核对无误后加 --fingerprint <指纹> 重新执行：\n{fp}  {subject}"
                ))));
            };
            let pin = authority_pin.as_deref().ok_or_else(|| {
                anyhow!("需要印章制作机构 PIN（--authority-pin 或 YC_AUTHORITY_PIN）：新的信任包由它签署")
            })?;
            let (fp, version) = ws.trust_tsa_root(&auth.actor(ws)?, &der, typed, pin)?;
            out.value(&serde_json::json!({ "tsa_root": fp, "subject": subject, "bundle_version": version }), || {
                format!("已将时间戳根证书「{subject}」（SHA-256 {fp}）列入信任包第 {version} 版")
            });
        }
        SealCmd::Log => {
            let r = ws.verify_seal_record()?;
            out.value(&r, || match &r.problem {
                None => format!(
                    "用印登记完整：{} 条，与日志中的 {} 次用印一致；{} 份文书文件完好",
                    r.usage_entries, r.sealed_events, r.files_checked
                ),
                Some(p) => format!("用印登记校验失败：{p}"),
            });
            if !r.ok {
                return Ok(ExitCode::FAILURE);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn doc(ws: &Workstation, auth: &crate::auth::Auth, cmd: &DocCmd, out: &Out) -> Result<ExitCode> {
    match cmd {
        DocCmd::Seal { case_no, kind: k, pin } => {
            let d = ws.seal_document(&auth.actor(ws)?, case_no, kind(k)?, pin)?;
            let proof = ws.document_proof(&d.doc_id)?;
            let mut value = serde_json::to_value(&d)?;
            value["pades_level"] = serde_json::json!(proof.level);
            value["proven_time"] = serde_json::json!(proof.proven_time);
            out.value(&value, || {
                format!(
                    "已用印：{}（{}）→ {}\n{}",
                    d.doc_type_zh,
                    d.doc_id,
                    d.path,
                    match &proof.proven_time {
                        Some(t) => format!("PAdES {}：时间戳证明用印不晚于 {t}", proof.level.code()),
                        None => "PAdES B-B：暂无时间戳（离线或时间戳服务未应答），下次同步时加盖".to_owned(),
                    }
                )
            });
        }
        DocCmd::List { case_no } => {
            let docs = ws.case_documents(case_no)?;
            out.value(&docs, || {
                docs.iter()
                    .map(|d| {
                        format!(
                            "{}  {}  PAdES {}  {}  {}",
                            d.sealed_at,
                            d.doc_type_zh,
                            d.level.code(),
                            d.doc_id,
                            d.path
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
        DocCmd::Export { case_no, all, kind: k, out: target } => {
            let docs = match (case_no, all) {
                (_, true) => ws.all_documents()?,
                (Some(c), false) => {
                    let docs = ws.case_documents(c)?;
                    let pick = match k {
                        Some(k) => {
                            let k = kind(k)?;
                            docs.into_iter().rev().find(|d| d.doc_type == k.code())
                        }
                        // The decision (准予/不予行政许可决定书) first — the licence is a separate
                        // document, exported with --type certificate.
                        None => [DocKind::Approval, DocKind::Refusal, DocKind::Certificate]
                            .iter()
                            .find_map(|k| docs.iter().rev().find(|d| d.doc_type == k.code()))
                            .cloned()
                            .or_else(|| docs.last().cloned()),
                    };
                    vec![pick.ok_or_else(|| anyhow!(CoreError::Invalid(format!("办件 {c} 没有可导出的已用印文书"))))?]
                }
                (None, false) => return Err(anyhow!(CoreError::Invalid("请指定办件编号或 --all".into()))),
            };
            let mut written = Vec::new();
            let mut what = Vec::new();
            if *all {
                std::fs::create_dir_all(target).with_context(|| format!("创建 {}", target.display()))?;
            }
            for d in &docs {
                let dest = if *all {
                    target.join(format!("{}-{}-{}.pdf", d.case_no, d.doc_type, &d.doc_id[..8]))
                } else {
                    target.clone()
                };
                let bytes = ws.document_bytes(d)?;
                std::fs::write(&dest, bytes).with_context(|| format!("写入 {}", dest.display()))?;
                written.push(dest.display().to_string());
                what.push(format!("{}（{}，{}）", d.doc_type_zh, d.case_no, d.doc_id));
            }
            out.value(&written, || {
                if *all {
                    format!("已导出 {} 份已用印文书到 {}", written.len(), target.display())
                } else {
                    format!("已导出{}：{}", what.join("、"), target.display())
                }
            });
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn verdict_zh(v: &Verification) -> &'static str {
    match v.verdict {
        Verdict::Valid => "VALID 有效",
        Verdict::Invalid => "INVALID 无效",
        Verdict::Indeterminate => "INDETERMINATE 无法确定",
    }
}

/// `--at`: `YYYY-MM-DD` (00:00 Beijing time) or an RFC 3339 instant.
pub fn parse_at(text: &str) -> Result<chrono::DateTime<chrono::Utc>> {
    let t = text.trim();
    if let Ok(d) = chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        let bj = chrono::FixedOffset::east_opt(8 * 3600).ok_or_else(|| anyhow!("时区"))?;
        return d
            .and_hms_opt(0, 0, 0)
            .and_then(|n| n.and_local_timezone(bj).single())
            .map(|x| x.with_timezone(&chrono::Utc))
            .ok_or_else(|| anyhow!(CoreError::Invalid(format!("--at 日期无效：{t}"))));
    }
    chrono::DateTime::parse_from_rfc3339(t).map(|x| x.with_timezone(&chrono::Utc)).map_err(|e| {
        anyhow!(CoreError::Invalid(format!(
            "--at 应为 YYYY-MM-DD（北京时间零点）或 RFC 3339 时间（如 2030-06-01T08:00:00+08:00），实为「{t}」：{e}"
        )))
    })
}

/// `yc verify FILE.pdf` (or `--qr TEXT`): exit 0 only for VALID. `at`: judge as of that time.
pub fn verify(
    ws: &Workstation,
    file: Option<&PathBuf>,
    qr: Option<&str>,
    at: Option<chrono::DateTime<chrono::Utc>>,
    out: &Out,
) -> Result<ExitCode> {
    let v = match (file, qr, at) {
        (Some(f), _, None) => ws.verify_pdf(&std::fs::read(f).with_context(|| format!("读取 {}", f.display()))?)?,
        (None, Some(q), None) => ws.verify_qr(q)?,
        (Some(f), _, Some(at)) => yc_seal::verify_pdf(
            &std::fs::read(f).with_context(|| format!("读取 {}", f.display()))?,
            &ws.trust_bundle()?,
            at,
        ),
        (None, Some(q), Some(at)) => yc_seal::verify_qr(q, &ws.trust_bundle()?, at),
        (None, None, _) => return Err(anyhow!(CoreError::Invalid("请给出 PDF 文件或 --qr 内容".into()))),
    };
    report(&v, at.map(|a| format!("验证时间（--at）：{}", a.to_rfc3339())), out)
}

/// `yc verify --trust DIR_OR_BUNDLE FILE.pdf`: no workstation, no data directory — the exported
/// roots and bundle are the whole trust.
pub fn verify_with_trust(
    trust: &Path,
    file: Option<&PathBuf>,
    qr: Option<&str>,
    at: Option<chrono::DateTime<chrono::Utc>>,
    out: &Out,
) -> Result<ExitCode> {
    let (roots, bundle) = yc_seal::load_trust(trust).map_err(seal_err)?;
    let now = at.unwrap_or_else(|| yc_core::Clock::System.now().with_timezone(&chrono::Utc));
    let v = match (file, qr) {
        (Some(f), _) => {
            yc_seal::verify_pdf(&std::fs::read(f).with_context(|| format!("读取 {}", f.display()))?, &bundle, now)
        }
        (None, Some(q)) => yc_seal::verify_qr(q, &bundle, now),
        (None, None) => return Err(anyhow!(CoreError::Invalid("请给出 PDF 文件或 --qr 内容".into()))),
    };
    let anchor = format!(
        "信任根（来自 {}）：{}  SHA-256 {}；信任包第 {} 版",
        trust.display(),
        roots.first().and_then(|r| yc_seal::certificate_subject(r)).unwrap_or_default(),
        roots.first().map(|r| yc_seal::fingerprint(r)).unwrap_or_default(),
        bundle.version()
    );
    let anchor = match at {
        Some(a) => format!("{anchor}\n验证时间（--at）：{}", a.to_rfc3339()),
        None => anchor,
    };
    report(&v, Some(anchor), out)
}

fn report(v: &Verification, anchor: Option<String>, out: &Out) -> Result<ExitCode> {
    out.value(v, || {
        let mut t = vec![format!("{}{}", verdict_zh(v), v.reason.map_or_else(String::new, |r| format!("：{r:?}")))];
        if let Some(a) = &anchor {
            t.push(a.clone());
        }
        if let Some(p) = &v.printed {
            // What the paper must say: the reader compares these lines with the document.
            t.push("请与纸面逐项核对：".into());
            t.push(format!("  办件编号：{}", p.case_number));
            t.push(format!("  文书：{}  {}", p.doc_type.default_title(), p.doc_number));
            t.push(format!("  申请人：{}（{}）", p.applicant, p.applicant_id));
            t.push(format!("  决定：{}", p.decision));
            t.push(format!("  成文日期：{}", p.date.format("%Y年%-m月%-d日")));
        }
        if let Some(s) = &v.seal_id {
            t.push(format!(
                "印章：{s}  文书编号：{}  声称时间：{}",
                v.doc_id.as_deref().unwrap_or("—"),
                v.claimed_time.map_or_else(|| "—".into(), |t| t.to_string())
            ));
        }
        for c in &v.checks {
            t.push(format!("  {} {}：{}", if c.passed { "✓" } else { "✗" }, c.name, c.detail));
        }
        t.join("\n")
    });
    Ok(if v.verdict == Verdict::Valid { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// The TSA root as a registered city-extranet adapter's platform serves it. Fetched, not
/// trusted: the admin still types the fingerprint.
fn tsa_root_from(ws: &Workstation, name: &str) -> Result<Vec<u8>> {
    let cfg = ws.adapter_config(name)?;
    if cfg.kind != yc_adapter_sdk::AdapterKind::CityExtranet {
        return Err(anyhow!(CoreError::Invalid(format!("适配器 {name} 不是市级平台（city-extranet）适配器"))));
    }
    let settings = cfg.resolved_settings(|v| std::env::var(v).ok())?;
    let adapter = yc_adapters::city_extranet::CityExtranet::from_settings(&settings)
        .map_err(|e| anyhow!(CoreError::Invalid(format!("{}（{}）", e.message, e.detail))))?;
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().context("启动异步运行时")?;
    rt.block_on(adapter.tsa_root()).map_err(|e| anyhow!(CoreError::Invalid(format!("{}（{}）", e.message, e.detail))))
}
