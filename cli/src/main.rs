//! `yc`: the headless Yichuang tool for IT staff, scripts and verification.
//! Every read takes `--json`; errors go to stderr in Chinese with a stable kind, exit code 1.

mod auth;
mod backup;
mod delivery;
mod enroll;
mod fee;
mod hall;
mod licence;
mod notice;
mod output;
mod report;
mod seal;
mod supervision;
mod sync;
mod theme;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, anyhow, bail};
use chrono::{Datelike, NaiveDate};
use clap::{Args, Parser, Subcommand};
use yc_core::case::{Action, Role, State};
use yc_core::query::ListFilter;
use yc_core::vault::Unlock;
use yc_core::{ActRequest, Clock, CoreError, Identity, NewCase, NewStaff, Workstation};

use output::Out;

#[derive(Parser)]
#[command(
    name = "yc",
    version,
    about = "一窗工作站命令行：建立与注册工作站、办件、目录、人员、印章、同步、备份、核验",
    long_about = "一窗工作站命令行：建立与注册工作站、办件、目录、人员、印章、同步、备份、核验。\n\n读取类命令都可加 --json；出错时在标准错误输出中文原因，退出码 1。管理员手册：/usr/share/doc/yichuang/ADMIN.md\n\n(Yichuang workstation CLI; option names are English, help text is Chinese.)"
)]
struct Cli {
    /// 工作站数据目录（默认 $XDG_DATA_HOME/yichuang，即 ~/.local/share/yichuang）
    #[arg(long, global = true, env = "YC_DATA")]
    data: Option<PathBuf>,
    /// 输出机器可读的 JSON
    #[arg(long, global = true)]
    json: bool,
    /// 以哪个工作人员账号操作（角色和部门范围由核心检查）；其密码在终端询问，或从 --password-file、环境变量
    /// YC_PASSWORD 读取
    #[arg(long = "as", global = true, env = "YC_USER", default_value = "admin")]
    actor: String,
    /// 第一行是 --as 账号密码的文件（供脚本使用；只允许本人读取）
    #[arg(long, global = true)]
    password_file: Option<PathBuf>,
    /// 把 DATE 当作今天（北京时间）：仅限演示和培训工作站（正式工作站用系统时钟）
    #[arg(long, global = true, env = "YC_TODAY")]
    today: Option<NaiveDate>,
    /// 用管理员的恢复密钥（而不是密码）打开加密的工作站
    #[arg(long, global = true, env = "YC_RECOVERY_KEY", hide_env_values = true)]
    recovery_key: Option<String>,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// 手工建立新工作站（不向市级平台注册；注册用 yc enroll start）
    Init {
        /// 6 位行政区划代码
        #[arg(long)]
        region: String,
        /// 工作站代码：2–4 位大写字母或数字，本区划内唯一
        #[arg(long)]
        workstation: String,
        /// 工作站名称
        #[arg(long, default_value = "政务服务工作站")]
        name: String,
        /// 第一个管理员账号 admin 的密码
        #[arg(long, env = "YC_ADMIN_PASSWORD", hide_env_values = true)]
        admin_password: String,
    },
    /// 把未加密的工作站就地加密（全部部门的管理员）：先做一份经校验的备份
    Encrypt {
        /// 先做的备份存放处（另一块磁盘；备份未加密：妥善保管或销毁）
        #[arg(long)]
        backup_to: PathBuf,
    },
    /// 更换恢复密钥（全部部门的管理员；旧的随即失效）
    RenewRecoveryKey,
    /// 所有管理员密码都遗忘时，用恢复密钥给 admin 设新密码（YC_NEW_PASSWORD 或终端询问）；连同理由记入日志
    Recover {
        /// 用恢复密钥重置 admin 密码的理由（记入日志）
        #[arg(long)]
        reason: String,
    },
    /// 工作站标识、数据库版本和各项数量
    Status,
    /// 工作站注册：新建并申请（培训模式）、在线提交或导入市级平台签发的回执、查看状态
    #[command(subcommand)]
    Enroll(enroll::EnrollCmd),
    /// 离线升级包：查看会改变什么、导入（签名、签发者、编号逐一核验）、已导入列表
    #[command(subcommand)]
    Update(enroll::UpdateCmd),
    /// 建立演示工作站：事项目录、工作人员和各种状态的办件
    Demo {
        /// 演示办件数
        #[arg(long, default_value_t = 200)]
        cases: usize,
        /// 替换数据目录中已有的工作站
        #[arg(long)]
        force: bool,
        /// 随机数种子（同一种子生成同样的演示数据）
        #[arg(long, default_value_t = 20261123)]
        seed: u64,
        /// 不建印章：办件停在办结之前（办结需要盖章的决定书）
        #[arg(long)]
        no_seal: bool,
        /// 演示数据不加密（供模拟内部人员直接改 SQLite 文件的测试）
        #[arg(long)]
        plain: bool,
        /// 不配置演示同步适配器（默认：数据目录下的文件交换目录，以及 make run 在本机回环地址启动的市级平台模拟器）
        #[arg(long)]
        no_adapters: bool,
    },
    /// 工作人员账号：添加、列出、解锁、改密码、重置密码
    #[command(subcommand)]
    Staff(StaffCmd),
    /// 事项目录：导入新版本、导出、列出、办事指南、一次性告知书
    #[command(subcommand)]
    Catalog(CatalogCmd),
    /// 办件：收件、办理动作、查看、列表、搜索、可复用材料
    #[command(subcommand)]
    // Boxed: `case new` carries the most flags (the agent's among them).
    Case(Box<CaseCmd>),
    /// 并联审批：主题（套餐）、一口收件、并联看板、合并的补正告知
    #[command(subcommand)]
    Theme(theme::ThemeCmd),
    /// 送达：结果如何送到申请人——方式、寄出、签收、退件、第四十四条期限灯
    #[command(subcommand)]
    Delivery(delivery::DeliveryCmd),
    /// 预约：工作日的预约时段、预约、取消、登记爽约、到场
    #[command(subcommand)]
    Appointment(hall::AppointmentCmd),
    /// 排队叫号：取号、叫号、重呼、过号、转移、排队情况、大厅显示屏
    #[command(subcommand)]
    Queue(hall::QueueCmd),
    /// 电子证照：本地证照目录、持证人的证照、收件时可代替纸质材料的证照
    #[command(subcommand)]
    Licence(licence::LicenceCmd),
    /// 办件通知：申请人的短信授权，办件的通知及发送状态
    #[command(subcommand)]
    Notice(notice::NoticeCmd),
    /// 一次性收费：办件按事项目录应收的费用，凭票据号一次缴清，减免或退费
    #[command(subcommand)]
    Fee(fee::FeeCmd),
    /// 本工作站的服务站点层级（县级中心 / 乡镇便民服务中心 / 村级代办点）：查看、设置
    #[command(subcommand)]
    Post(fee::PostCmd),
    /// 代办：查看哪位代办员替申请人办理了这个办件
    Agent {
        /// 办件编号
        case_no: String,
    },
    /// 办件查询：凭办件号或回执二维码文字查进度（不显示姓名和证件号）
    Query {
        /// 办件号，或回执二维码的文字（YCCASE:…）
        case_no: String,
    },
    /// 日志：核验哈希链、回执和签名；查看一个办件的事件
    #[command(subcommand)]
    Journal(JournalCmd),
    /// 从日志重建全部办件表
    Rebuild,
    /// 工作日历：推算工作日、导入年度安排
    #[command(subcommand)]
    Calendar(CalendarCmd),
    /// 证件号码校验（身份证号、统一社会信用代码、证照编号）
    #[command(subcommand)]
    Id(IdCmd),
    /// 统计全部在办件的绿灯、黄灯、红灯数
    Lights,
    /// 系统时钟回拨或大幅跳快后确认接受当前时间（管理员，须写理由；记入日志）
    ClockConfirm {
        /// 确认接受当前时间的理由（记入日志）
        #[arg(long)]
        reason: String,
    },
    /// 按部门、人员或事项统计一段时间（管理员）：表格、--json、CSV、XLSX
    Report(report::ReportArgs),
    /// 电子监察：运行监察规则，列出命中
    #[command(subcommand)]
    Supervision(supervision::SupervisionCmd),
    /// 好差评：记录申请人对已办结办件的评价
    #[command(subcommand)]
    Rating(supervision::RatingCmd),
    /// 差评工单：列出、推进下一步
    #[command(subcommand)]
    Workorder(supervision::WorkorderCmd),
    /// 投诉：登记、分派、关联、答复、列出
    #[command(subcommand)]
    Complaint(supervision::ComplaintCmd),
    /// 通过已配置的适配器与上级系统同步（或：状态、隔离区、收件箱）
    Sync(SyncArgs),
    /// 同步适配器：生成密钥、登记、列出、暂停、恢复
    #[command(subcommand)]
    Adapter(sync::AdapterCmd),
    /// 电子印章：印章机构、签发、吊销、解锁、列出、信任包和信任根、用印登记
    #[command(subcommand)]
    Seal(seal::SealCmd),
    /// 文书：盖章、列出、导出已盖章的 PDF
    #[command(subcommand)]
    Doc(seal::DocCmd),
    /// 备份（管理员）：立即备份、列出、校验、最近一次（docs/backup.md）
    #[command(subcommand)]
    Backup(backup::BackupCmd),
    /// 从备份恢复工作站（管理员；须先关闭桌面程序；较旧的备份须 --force --reason）
    Restore(backup::RestoreArgs),
    /// 核验盖章的 PDF（或 --qr 二维码内容）：有效 / 无效 / 无法确定，并列出各项检查
    Verify {
        /// 要核验的盖章 PDF 文件
        file: Option<PathBuf>,
        /// 文书二维码的文字内容（不给 PDF 文件时核验它）
        #[arg(long)]
        qr: Option<String>,
        /// 导出的信任目录（yc seal trust export）或信任包文件：没有工作站也能核验
        #[arg(long)]
        trust: Option<PathBuf>,
        /// 按这个时间而不是现在判断（YYYY-MM-DD 即北京时间零点，或 RFC 3339）：例如签名证书过期后，只有带时间戳（PAdES
        /// B-T/B-LT）的文书仍然有效
        #[arg(long)]
        at: Option<String>,
    },
}

#[derive(Args)]
#[command(args_conflicts_with_subcommands = true)]
struct SyncArgs {
    #[command(subcommand)]
    cmd: Option<sync::SyncCmd>,
    /// 只同步这个适配器
    #[arg(long)]
    adapter: Option<String>,
    /// 同步一轮后退出（默认每 --interval 秒同步一轮，一直运行）
    #[arg(long)]
    once: bool,
    /// 两轮之间的秒数
    #[arg(long, default_value_t = 30)]
    interval: u64,
    /// 每次推送的条数
    #[arg(long, default_value_t = 500)]
    batch: usize,
    /// 首次重试等待的毫秒数（每次加倍，最长 5 分钟）
    #[arg(long, default_value_t = 2000)]
    backoff_ms: u64,
}

#[derive(Subcommand)]
enum StaffCmd {
    /// 添加工作人员（管理员）
    Add {
        /// 账号
        id: String,
        /// 姓名
        #[arg(long)]
        name: String,
        /// 角色，逗号分隔：clerk,reviewer,decider,seal_keeper,admin（或受理员,审查员,…）
        #[arg(long, value_delimiter = ',')]
        roles: Vec<String>,
        /// 部门名称，逗号分隔；* 表示全部部门（综合窗口）
        #[arg(long, value_delimiter = ',', default_value = "*")]
        departments: Vec<String>,
        /// 初始密码（请本人登录后修改）
        #[arg(long, env = "YC_STAFF_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
    /// 列出工作人员
    List,
    /// 解锁因密码输错而锁定的账号（管理员；须写理由；记入日志）
    Unlock {
        /// 要解锁的账号
        id: String,
        /// 解锁的理由（记入日志）
        #[arg(long)]
        reason: String,
    },
    /// 修改自己（--as）的密码：新密码取自 YC_NEW_PASSWORD 或终端输入
    Passwd,
    /// 为遗忘密码的人设新密码（管理员；同时解锁账号；记入日志）
    ResetPassword {
        /// 要重设密码的账号
        id: String,
        /// 重设密码的理由（记入日志）
        #[arg(long)]
        reason: String,
    },
}

#[derive(Subcommand)]
enum CatalogCmd {
    /// 把目录文件导入为新版本（有错时整体拒绝）
    Import {
        /// 事项目录文件（目录 JSON）
        file: PathBuf,
    },
    /// 把一个版本（默认当前版本）导出为目录 JSON
    Export {
        /// 要导出的目录版本号（默认当前版本）
        #[arg(long)]
        version: Option<i64>,
        /// 写到这个文件（默认输出到标准输出）
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// 列出一个版本（默认当前版本）的事项
    List {
        /// 目录版本号（默认当前版本）
        #[arg(long)]
        version: Option<i64>,
    },
    /// 列出已导入的版本
    Versions,
    /// 打印办事指南
    Guide {
        /// 事项编码
        code: String,
        /// 目录版本号（默认当前版本）
        #[arg(long)]
        version: Option<i64>,
    },
    /// 打印一次性告知书
    Notice {
        /// 事项编码
        code: String,
        /// 目录版本号（默认当前版本）
        #[arg(long)]
        version: Option<i64>,
    },
}

// Parsed once per run: the filing's arguments outweighing the other variants costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
enum CaseCmd {
    /// 收件：登记新的申请（或预约）
    New(NewArgs),
    /// 对办件执行办理动作（accept、start_review、approve、deny 等；也可以写中文名称）
    Act {
        /// 办件编号
        case_no: String,
        /// 办理动作的代码或中文名称（如 accept、受理；写错时列出全部可用动作）
        action: String,
        /// 理由（不予受理、不予许可、中止、延长期限、撤回、终止等动作必填；一次性告知补正时写所缺材料，决定公开时写公开的方式或地点；记入日志）
        #[arg(long)]
        reason: Option<String>,
        /// 法律依据（不予受理、不予许可时必填）
        #[arg(long)]
        basis: Option<String>,
        /// 工作日数：延长期限（extend）延长的天数，或决定公开（publish）的公示期
        #[arg(long)]
        days: Option<u32>,
        /// 与 supplement 或 file 一起用：交来的材料编号，逗号分隔（补交的材料，或预约到场时收取的材料）
        #[arg(long, value_delimiter = ',')]
        materials: Vec<String>,
        /// 与 supplement 一起用：补正材料的扫描件，FILE 或 MATERIAL=FILE（可重复）
        #[arg(long = "attach", value_name = "[MATERIAL=]FILE")]
        attach: Vec<String>,
    },
    /// 查看一个办件：状态、材料、期限、日志
    Show {
        /// 办件编号
        case_no: String,
    },
    /// 办件列表（按办结期限排序）
    List {
        /// 只列这个状态的办件：accepted、under_review、completed 等代码或中文名称（如已受理）
        #[arg(long)]
        state: Option<String>,
        /// 预警灯：green | yellow | red
        #[arg(long)]
        light: Option<String>,
        /// 只列这个部门的办件
        #[arg(long)]
        department: Option<String>,
        /// 只列这个申请人（身份证号码或统一社会信用代码）的办件
        #[arg(long)]
        applicant: Option<String>,
        /// 只列在办件
        #[arg(long)]
        open: bool,
        /// 最多列出多少条（默认 50）
        #[arg(long, default_value_t = 50)]
        limit: usize,
        /// 跳过前多少条，用于翻页（默认 0）
        #[arg(long, default_value_t = 0)]
        offset: usize,
    },
    /// 全文搜索：办件号、申请人姓名或证件号、事项名称
    Search {
        /// 搜索内容：办件编号、申请人姓名或证件号、事项名称
        query: String,
        /// 最多列出多少条（默认 20）
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
    /// 申请人以前交过、可以复用的材料
    Reusable {
        /// 申请人的身份证号码或统一社会信用代码
        applicant_id: String,
    },
}

#[derive(Args)]
struct NewArgs {
    /// 事项编码（见 yc catalog list）
    #[arg(long)]
    item: String,
    /// 申请人的身份证号码或统一社会信用代码
    #[arg(long)]
    applicant_id: String,
    /// 申请人姓名或单位名称
    #[arg(long = "applicant-name")]
    name: String,
    /// 申请人的联系电话
    #[arg(long)]
    phone: Option<String>,
    /// 渠道：window | online | township
    #[arg(long)]
    channel: Option<String>,
    /// 已交材料的编号（默认全部必交材料）
    #[arg(long, value_delimiter = ',')]
    provided: Option<Vec<String>>,
    /// MATERIAL=CASE_NO：复用同一申请人以前办件中的材料
    #[arg(long)]
    reuse: Vec<String>,
    /// 只登记预约，暂不收件（办件为「已预约」状态）
    #[arg(long)]
    appointment: bool,
    /// 接受只有校验位不符的统一社会信用代码，并写明理由
    #[arg(long)]
    id_override: Option<String>,
    /// 收件备注（随收件记入日志）
    #[arg(long)]
    note: Option<String>,
    /// 办理情形：事项的子项代码；只按该情形的材料收件
    #[arg(long)]
    sub_item: Option<String>,
    /// 交来的扫描件或照片：FILE 或 MATERIAL=FILE（多个就重复）
    #[arg(long = "attach", value_name = "[MATERIAL=]FILE")]
    attach: Vec<String>,
    /// 送达方式：window | post | courier | unified | agent（或窗口领取、邮政寄递、快递、统一快递、代办员送达）
    #[arg(long)]
    delivery: Option<String>,
    /// 与 --delivery 一起用：邮寄地址，或代办员送达的村
    #[arg(long)]
    address: Option<String>,
    /// 与 --delivery 一起用：收件人（不是申请人本人时）
    #[arg(long)]
    recipient: Option<String>,
    /// MATERIAL=LICENCE_ID：用申请人有效的电子证照代替纸质复印件（见 yc licence offers）
    #[arg(long)]
    licence: Vec<String>,
    /// 代办：替申请人办理的乡镇或村级代办员姓名；申请人的委托书用 --attach dbwts=FILE 附上
    #[arg(long)]
    agent: Option<String>,
    /// 与 --agent 一起用：代办员的居民身份证号码
    #[arg(long, requires = "agent")]
    agent_id: Option<String>,
    /// 与 --agent 一起用：township | village（乡镇代办员 | 村级代办员）；默认按本工作站的站点层级
    #[arg(long, requires = "agent")]
    agent_level: Option<String>,
    /// 与 --agent 一起用：代办点（村级代办点或乡镇便民服务中心）；默认取本工作站登记的村或乡镇
    #[arg(long, requires = "agent")]
    agent_post: Option<String>,
}

#[derive(Subcommand)]
enum JournalCmd {
    /// 重新核验哈希链、上级回执和签名；有问题时指出第一条有问题的事件并以退出码
    /// 1 结束。上级回执已担保的签名，核验到回执为止
    Verify {
        /// 不管回执，逐条核验每个签名
        #[arg(long)]
        full: bool,
    },
    /// 一个办件的事件
    Show {
        /// 办件编号
        case_no: String,
    },
}

#[derive(Subcommand)]
enum CalendarCmd {
    /// 打印 DATE 之后第 N 个工作日的日期
    AddWorkdays {
        /// 起算日期（YYYY-MM-DD）
        date: NaiveDate,
        /// 往后数的工作日数
        n: u32,
    },
    /// 是否工作日：打印 true/false
    IsWorkday {
        /// 要查询的日期（YYYY-MM-DD）
        date: NaiveDate,
    },
    /// (FROM, TO] 之间的工作日数
    Between {
        /// 起始日期（不计入）
        from: NaiveDate,
        /// 截止日期（计入）
        to: NaiveDate,
    },
    /// 导入一年的官方安排（yichuang-calendar/1 JSON）
    Import {
        /// 年度安排文件（yichuang-calendar/1 JSON）
        file: PathBuf,
    },
    /// 已载入的年份
    Years,
}

#[derive(Subcommand)]
enum IdCmd {
    /// 校验身份证号、统一社会信用代码或证照编号：打印类型和是否有效
    Check {
        /// 要校验的号码
        number: String,
    },
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_env("YC_LOG"))
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let out = Out { json: cli.json };
    match run(cli, &out) {
        Ok(code) => code,
        Err(e) => {
            out.error(&e);
            ExitCode::FAILURE
        }
    }
}

fn data_dir(cli: &Cli) -> PathBuf {
    cli.data.clone().unwrap_or_else(yc_core::workstation::default_data_dir)
}

/// Opens the workstation: an encrypted one with the `--as` account's password (the same one the
/// command then logs in with), or with `--recovery-key`.
fn open(cli: &Cli, auth: &auth::Auth) -> Result<Workstation> {
    let ws = open_store(cli, auth)?;
    // Sealing reaches the registered adapters' TSA (PAdES B-T at once when it answers).
    ws.set_adapter_factory(yc_adapters::build);
    Ok(ws)
}

fn open_store(cli: &Cli, auth: &auth::Auth) -> Result<Workstation> {
    let dir = data_dir(cli);
    if !yc_core::vault::is_encrypted(&dir) {
        return Ok(yc_core::demo::open(&dir, cli.today)?);
    }
    if let Some(code) = &cli.recovery_key {
        return Ok(yc_core::demo::open_unlocked(&dir, cli.today, Unlock::Recovery(code))?);
    }
    let password = auth.password()?;
    Ok(yc_core::demo::open_unlocked(&dir, cli.today, Unlock::Password { staff: &cli.actor, password: &password })?)
}

fn recovery_text(r: &yc_core::vault::RecoveryKey) -> String {
    format!(
        "恢复密钥（只显示这一次，请抄写或打印后交管理员存放保险柜；忘记全部管理员密码时用 yc recover 凭它重置）：\n\n    {}\n",
        r.as_str()
    )
}

/// A new password: `YC_NEW_PASSWORD` for scripts, else asked twice on the terminal.
fn new_password(prompt: &str) -> Result<String> {
    use std::io::IsTerminal;
    if let Ok(p) = std::env::var("YC_NEW_PASSWORD") {
        return Ok(p);
    }
    if !std::io::stdin().is_terminal() {
        bail!(CoreError::Missing {
            action: "设置密码".into(),
            field: "新密码（终端输入或环境变量 YC_NEW_PASSWORD）".into()
        });
    }
    let a = rpassword::prompt_password(prompt).context("读取密码")?;
    let b = rpassword::prompt_password("再输入一次：").context("读取密码")?;
    if a != b {
        bail!(CoreError::Invalid("两次输入的新密码不一致".into()));
    }
    Ok(a)
}

fn parse_action(s: &str) -> Result<Action> {
    Action::parse(s).ok_or_else(|| {
        let all: Vec<String> = Action::ALL.iter().map(|a| format!("{}（{}）", a.code(), a.zh())).collect();
        anyhow!(CoreError::Invalid(format!("未知操作「{s}」。可用：{}", all.join("、"))))
    })
}

fn run(cli: Cli, out: &Out) -> Result<ExitCode> {
    let auth = auth::Auth::new(&cli.actor, cli.password_file.clone());
    match &cli.cmd {
        Cmd::Init { region, workstation, name, admin_password } => {
            let id = Identity { region: region.clone(), code: workstation.clone(), name: name.clone() };
            let (ws, recovery) = Workstation::init_encrypted(&data_dir(&cli), id, admin_password, Clock::System)?;
            let status = ws.status()?;
            if out.json {
                out.value(&serde_json::json!({ "status": status, "recovery_key": recovery.as_str() }), String::new);
            } else {
                out.status(&status);
                println!("\n{}", recovery_text(&recovery));
            }
        }
        Cmd::Encrypt { backup_to } => {
            let password = auth.password()?;
            let r = yc_core::setup::encrypt_in_place(&data_dir(&cli), &cli.actor, &password, backup_to, Clock::System)?;
            if out.json {
                out.value(&serde_json::json!({ "report": r, "recovery_key": r.recovery.as_str() }), String::new);
            } else {
                println!(
                    "已加密：数据密钥 {}，密封文件 {} 个，可用自己密码登录的账号 {}。\n加密前的备份：{}（未加密，核对无误后请妥善保管或销毁）{}\n\n{}",
                    r.key_id,
                    r.files,
                    r.accounts.join("、"),
                    r.backup.path,
                    if r.removed.is_empty() {
                        String::new()
                    } else {
                        format!("\n已删除明文副本：{}", r.removed.join("、"))
                    },
                    recovery_text(&r.recovery)
                );
            }
        }
        Cmd::RenewRecoveryKey => {
            let ws = open(&cli, &auth)?;
            let by = auth.actor(&ws)?;
            let r = ws.renew_recovery_key(&by)?;
            out.value(&serde_json::json!({ "recovery_key": r.as_str() }), || recovery_text(&r));
        }
        Cmd::Recover { reason } => {
            let code = cli.recovery_key.clone().ok_or_else(|| {
                anyhow!(CoreError::Missing {
                    action: "用恢复密钥重置管理员密码".into(),
                    field: "恢复密钥（--recovery-key 或 YC_RECOVERY_KEY）".into()
                })
            })?;
            let new = new_password("管理员 admin 的新密码：")?;
            let ws = Workstation::recover_admin(&data_dir(&cli), Clock::System, &code, &new, reason)?;
            out.value(&serde_json::json!({ "reset": "admin" }), || {
                format!("已用恢复密钥为 admin 设置新密码（{}，已记入日志）", ws.identity().name)
            });
        }
        Cmd::Status => out.status(&open(&cli, &auth)?.status()?),
        Cmd::Demo { cases, force, seed, no_seal, plain, no_adapters } => {
            let dir = data_dir(&cli);
            if dir.join(yc_core::store::DB_FILE).exists() || yc_core::vault::is_encrypted(&dir) {
                if !force {
                    bail!(CoreError::AlreadyInitialised(format!("{}（加 --force 重建演示工作站）", dir.display())));
                }
                yc_core::demo::reset(&dir)?;
            }
            let today = demo_today(cli.today)?;
            let (ws, recovery) = yc_core::demo::create_reporting(
                &dir,
                &yc_core::demo::DemoOptions { cases: *cases, today, seed: *seed, seal: !no_seal, encrypt: !plain },
            )?;
            if let Some(r) = &recovery
                && !out.json
            {
                eprintln!("{}", recovery_text(r));
            }
            if !no_adapters {
                let configs = yc_adapters::demo::demo_configs(&dir, &ws.label())?;
                yc_core::demo::register_adapters(&ws, configs)?;
            }
            out.demo(&ws)?;
        }
        Cmd::Staff(StaffCmd::Add { id, name, roles, departments, password }) => {
            let ws = open(&cli, &auth)?;
            let by = auth.actor(&ws)?;
            let roles = roles
                .iter()
                .map(|r| Role::parse(r).ok_or_else(|| anyhow!(CoreError::Invalid(format!("未知角色：{r}")))))
                .collect::<Result<Vec<_>>>()?;
            let a = ws.add_staff(
                &by,
                &NewStaff {
                    id: id.clone(),
                    name: name.clone(),
                    roles,
                    departments: departments.clone(),
                    password: password.clone(),
                },
            )?;
            out.value(&a, || format!("已添加 {}（{}）", a.name, a.id));
        }
        Cmd::Staff(StaffCmd::List) => out.staff(&open(&cli, &auth)?.list_staff()?),
        Cmd::Staff(StaffCmd::Unlock { id, reason }) => {
            let ws = open(&cli, &auth)?;
            ws.unlock_staff(&auth.actor(&ws)?, id, reason)?;
            out.value(&serde_json::json!({ "unlocked": id }), || format!("账号 {id} 已解锁（已记入日志）"));
        }
        Cmd::Staff(StaffCmd::Passwd) => {
            let ws = open(&cli, &auth)?;
            let me = auth.actor(&ws)?;
            let new = new_password(&format!("{} 的新密码：", me.id))?;
            let old = auth.password()?;
            ws.change_password(&me.id, &old, &new)?;
            out.value(&serde_json::json!({ "changed": me.id }), || format!("{} 的密码已更改", me.id));
        }
        Cmd::Staff(StaffCmd::ResetPassword { id, reason }) => {
            let ws = open(&cli, &auth)?;
            let by = auth.actor(&ws)?;
            let new = new_password(&format!("{id} 的新密码："))?;
            ws.reset_password(&by, id, &new, reason)?;
            out.value(&serde_json::json!({ "reset": id }), || format!("{id} 的密码已重置并解锁（已记入日志）"));
        }
        Cmd::Catalog(c) => catalog(&cli, c, out)?,
        Cmd::Case(c) => return case(&cli, c, out),
        Cmd::Theme(c) => theme::theme(&open(&cli, &auth)?, &auth, c, out)?,
        Cmd::Delivery(c) => delivery::delivery(&open(&cli, &auth)?, &auth, c, out)?,
        Cmd::Appointment(c) => hall::appointment(&open(&cli, &auth)?, &auth, c, out)?,
        Cmd::Queue(c) => hall::queue(&open(&cli, &auth)?, &auth, c, out)?,
        Cmd::Licence(c) => licence::licence(&open(&cli, &auth)?, c, out)?,
        Cmd::Notice(c) => notice::notice(&open(&cli, &auth)?, &auth, c, out)?,
        Cmd::Fee(c) => fee::fee(&open(&cli, &auth)?, &auth, c, out)?,
        Cmd::Post(c) => fee::post(&open(&cli, &auth)?, &auth, c, out)?,
        Cmd::Agent { case_no } => fee::agent(&open(&cli, &auth)?, &auth, case_no, out)?,
        Cmd::Query { case_no } => {
            let p = open(&cli, &auth)?.progress(case_no)?;
            out.value(&p, || {
                let mut s = format!("{}  {}（{}）\n  状态：{}", p.case_no, p.item_name, p.department, p.state_zh);
                s.push_str(&format!("\n  下一步：{}", p.next_step));
                if let Some(d) = &p.due_date {
                    s.push_str(&format!("\n  办理期限：{d}{}", if p.paused { "（暂停计时）" } else { "" }));
                }
                if let Some(c) = &p.closed_on {
                    s.push_str(&format!("\n  办结日期：{c}"));
                }
                if let Some(d) = &p.delivery {
                    s.push_str(&format!("\n  送达：{d}"));
                }
                s
            });
        }
        Cmd::Journal(JournalCmd::Verify { full }) => {
            let ws = open(&cli, &auth)?;
            let r = if *full { ws.verify_journal_full()? } else { ws.verify_journal()? };
            out.verify(&r);
            if !r.ok {
                return Ok(ExitCode::FAILURE);
            }
            // The seal usage log and the sealed files are part of the record: checked against it.
            let s = ws.verify_seal_record()?;
            if let Some(p) = &s.problem {
                eprintln!("用印登记或文书与日志不符：{p}");
                return Ok(ExitCode::FAILURE);
            }
            if !out.json {
                output::say(format_args!(
                    "用印登记与日志一致：{} 次用印，{} 份文书文件完好",
                    s.sealed_events, s.files_checked
                ));
            }
        }
        Cmd::Journal(JournalCmd::Show { case_no }) => out.events(&open(&cli, &auth)?.case_events(case_no)?),
        Cmd::Rebuild => {
            let ws = open(&cli, &auth)?;
            let before = ws.derived_fingerprint()?;
            let n = ws.rebuild()?;
            let after = ws.derived_fingerprint()?;
            let same = before == after;
            out.value(
                &serde_json::json!({ "replayed": n, "before": before, "after": after, "identical": same }),
                || {
                    let verdict = if same {
                        "与重建前完全一致"
                    } else {
                        "与重建前不同（重建前的表曾被改动，现已按日志恢复）"
                    };
                    format!("已从日志重建办件表：重放 {n} 条事件；指纹 {after}，{verdict}")
                },
            );
        }
        Cmd::Calendar(c) => calendar(&cli, c, out)?,
        Cmd::Id(IdCmd::Check { number }) => {
            use yc_core::ids::IdKind;
            let today = cli.today.unwrap_or_else(|| Clock::System.today());
            let a = yc_core::ids::analyse(number, today, None);
            let r = a.report();
            if out.json {
                out.id(&r);
            } else {
                // Kind taken and why, the verdict (valid / invalid / warning), each finding.
                let label = |k: Option<IdKind>| match k {
                    Some(IdKind::ResidentId) => "居民身份证号码",
                    Some(IdKind::LegacyResidentId) => "15 位旧身份证号码",
                    Some(IdKind::CreditCode) => "统一社会信用代码",
                    Some(IdKind::LicenceId) => "电子证照标识",
                    None => "无法识别",
                };
                let verdict = match &a.result {
                    Err(e) if e.overridable() => format!("invalid 无效：{e}（可由窗口登记理由后放行）"),
                    Err(e) => format!("invalid 无效：{e}"),
                    Ok(()) if a.needs_confirmation() => {
                        "warning 待确认：号码有效，但须窗口核对原件并登记理由后收件".into()
                    }
                    Ok(()) => "valid 有效".into(),
                };
                println!("{} {} {verdict}", label(a.kind), a.normalized);
                println!("  判定：按{}核验（{}）", label(a.kind), a.basis);
                match &a.other {
                    Some((k, None)) => println!("  另一读法：按{}读也成立", label(Some(*k))),
                    Some((k, Some(e))) => println!("  另一读法：按{}读不成立：{e}", label(Some(*k))),
                    None => {}
                }
                if let Some(region) = &a.region {
                    let what = if a.kind == Some(IdKind::CreditCode) { "登记管理机关" } else { "地址码" };
                    println!("  {what}：{region}");
                }
                if let Some(b) = a.birth_date {
                    println!("  出生日期：{b}");
                }
                if let Some((dept, cat)) =
                    (a.kind == Some(IdKind::CreditCode)).then(|| yc_core::ids::credit_category(&a.normalized)).flatten()
                {
                    println!("  登记管理部门：{dept}；机构类别：{cat}");
                }
                for w in &a.warnings {
                    let tag = if w.needs_confirmation() { "警告（须确认）" } else { "提示" };
                    println!("  {tag}：{w}");
                }
            }
            if !r.valid {
                return Ok(ExitCode::FAILURE);
            }
        }
        Cmd::Sync(a) => {
            let ws = open(&cli, &auth)?;
            return match &a.cmd {
                Some(c) => sync::command(&ws, &auth, c, out),
                None => {
                    // Replies and incoming items become journal events signed by the workstation
                    // key, and journal heads are anchored under it; a login unlocks it
                    // (--password-file or YC_PASSWORD for a timer). A demo syncs without one.
                    if ws.signing_required()? {
                        auth.actor(&ws)?;
                    } else {
                        auth.actor_if_given(&ws)?;
                    }
                    let opts = yc_core::sync::SyncOptions {
                        batch: a.batch,
                        backoff_base_ms: a.backoff_ms,
                        ..Default::default()
                    };
                    sync::run(&ws, a.adapter.as_deref(), a.once, a.interval, &opts, out)
                }
            };
        }
        Cmd::Adapter(c) => {
            let ws = open(&cli, &auth).ok();
            return sync::adapter(ws.as_ref(), &auth, c, out);
        }
        Cmd::Backup(c) => return backup::backup(|| open(&cli, &auth), &auth, c, out),
        Cmd::Enroll(c) => enroll::run_enroll(c, &data_dir(&cli), out, || open(&cli, &auth), |ws| auth.actor(ws))?,
        Cmd::Update(c) => {
            if !enroll::run_update(c, out, || open(&cli, &auth), |ws| auth.actor(ws))? {
                return Ok(ExitCode::FAILURE);
            }
        }
        Cmd::Restore(a) => return backup::restore(&data_dir(&cli), cli.today, &auth, &cli.actor, a, out),
        Cmd::Seal(c) => return seal::seal(&open(&cli, &auth)?, &auth, c, out),
        Cmd::Report(a) => report::report(&open(&cli, &auth)?, &auth, a, out)?,
        Cmd::Supervision(c) => supervision::supervision(&open(&cli, &auth)?, &auth, c, out)?,
        Cmd::Rating(c) => supervision::rating(&open(&cli, &auth)?, &auth, c, out)?,
        Cmd::Workorder(c) => supervision::workorder(&open(&cli, &auth)?, &auth, c, out)?,
        Cmd::Complaint(c) => supervision::complaint(&open(&cli, &auth)?, &auth, c, out)?,
        Cmd::Doc(c) => return seal::doc(&open(&cli, &auth)?, &auth, c, out),
        Cmd::Verify { file, qr, trust: Some(t), at } => {
            let at = at.as_deref().map(seal::parse_at).transpose()?;
            return seal::verify_with_trust(t, file.as_ref(), qr.as_deref(), at, out);
        }
        Cmd::Verify { file, qr, trust: None, at } => {
            let at = at.as_deref().map(seal::parse_at).transpose()?;
            return seal::verify(&open(&cli, &auth)?, file.as_ref(), qr.as_deref(), at, out);
        }
        Cmd::ClockConfirm { reason } => {
            let ws = open(&cli, &auth)?;
            ws.confirm_clock(&auth.actor(&ws)?, reason)?;
            out.value(&serde_json::json!({ "confirmed": ws.clock().now().to_rfc3339() }), || {
                format!("已确认系统时钟（{}），已记入日志", ws.clock().now().format("%Y-%m-%d %H:%M"))
            });
        }
        Cmd::Lights => {
            let ws = open(&cli, &auth)?;
            let c = ws.light_counts()?;
            out.value(&c, || {
                format!(
                    "{} 在办件灯：绿 {}，黄 {}，红 {}（其中暂停计时 {}），期限未知 {}",
                    ws.today(),
                    c.green,
                    c.yellow,
                    c.red,
                    c.paused,
                    c.unknown
                )
            });
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The demo's frozen day: `--today`, else today if the official calendar covers it, else the last
/// covered working day — said out loud, never guessed silently.
fn demo_today(flag: Option<NaiveDate>) -> Result<NaiveDate> {
    if let Some(d) = flag {
        return Ok(d);
    }
    let d = yc_core::demo::default_today();
    if d != Clock::System.today() {
        eprintln!(
            "注意：内置工作日历只到 {} 年，演示工作站的日期设为 {d}（导入新年度日历后可用 --today 指定）",
            d.year()
        );
    }
    Ok(d)
}

fn catalog(cli: &Cli, c: &CatalogCmd, out: &Out) -> Result<()> {
    let auth = auth::Auth::new(&cli.actor, cli.password_file.clone());
    let ws = open(cli, &auth)?;
    match c {
        CatalogCmd::Import { file } => {
            let text = std::fs::read_to_string(file).with_context(|| format!("读取 {}", file.display()))?;
            let by = auth.actor(&ws)?;
            let v = ws.import_catalog(&by, &text)?;
            out.value(&v, || format!("已导入事项目录「{}」为第 {} 版，共 {} 项", v.label, v.version, v.item_count));
        }
        CatalogCmd::Export { version, out: path } => {
            let text = ws.export_catalog(*version)?;
            match path {
                Some(p) => std::fs::write(p, text).with_context(|| format!("写入 {}", p.display()))?,
                None => output::say(text),
            }
        }
        CatalogCmd::List { version } => out.items(&ws.catalog_items(*version)?),
        CatalogCmd::Versions => out.value(&ws.catalog_versions()?, || {
            ws.catalog_versions()
                .unwrap_or_default()
                .iter()
                .map(|v| {
                    format!(
                        "第 {} 版  {}  {} 项  {}  {}",
                        v.version, v.label, v.item_count, v.imported_at, v.imported_by
                    )
                })
                .collect::<Vec<_>>()
                .join("\n")
        }),
        CatalogCmd::Guide { code, version } => {
            let (_, item) = ws.catalog_item(code, *version)?;
            let t = item.guide_text();
            out.value(&serde_json::json!({ "code": code, "text": t }), || t.clone());
        }
        CatalogCmd::Notice { code, version } => {
            let (_, item) = ws.catalog_item(code, *version)?;
            let t = item.notice_text();
            out.value(&serde_json::json!({ "code": code, "text": t }), || t.clone());
        }
    }
    Ok(())
}

fn case(cli: &Cli, c: &CaseCmd, out: &Out) -> Result<ExitCode> {
    let auth = auth::Auth::new(&cli.actor, cli.password_file.clone());
    let ws = open(cli, &auth)?;
    match c {
        CaseCmd::New(a) => {
            let by = auth.actor(&ws)?;
            let reuse = a
                .reuse
                .iter()
                .map(|r| {
                    r.split_once('=')
                        .map(|(m, c)| (m.to_owned(), c.to_owned()))
                        .ok_or_else(|| anyhow!(CoreError::Invalid(format!("--reuse 应为 材料=办件编号：{r}"))))
                })
                .collect::<Result<Vec<_>>>()?;
            let req = NewCase {
                item_code: a.item.clone(),
                applicant_id: a.applicant_id.clone(),
                applicant_name: a.name.clone(),
                phone: a.phone.clone(),
                channel: a
                    .channel
                    .as_deref()
                    .map(|c| {
                        yc_core::case::Channel::parse(c)
                            .ok_or_else(|| anyhow!(CoreError::Invalid(format!("未知的收件渠道：{c}"))))
                    })
                    .transpose()?,
                provided: a.provided.clone(),
                reuse,
                appointment: a.appointment,
                id_override: a.id_override.clone(),
                note: a.note.clone(),
                attachments: attachments(&ws, &by, &a.attach)?,
                sub_item: a.sub_item.clone(),
                delivery: a
                    .delivery
                    .as_deref()
                    .map(|m| delivery::plan(m, a.address.clone(), a.recipient.clone()))
                    .transpose()?,
                licences: a
                    .licence
                    .iter()
                    .map(|r| {
                        r.split_once('=').map(|(m, l)| (m.to_owned(), l.to_owned())).ok_or_else(|| {
                            anyhow!(CoreError::Invalid(format!("--licence 应为 材料=电子证照标识：{r}")))
                        })
                    })
                    .collect::<Result<Vec<_>>>()?,
                agent: match &a.agent {
                    Some(name) => Some(yc_core::agent::Filing {
                        name: name.clone(),
                        id_no: a.agent_id.clone(),
                        level: a
                            .agent_level
                            .as_deref()
                            .map(|l| {
                                yc_core::agent::Level::parse(l).ok_or_else(|| {
                                    anyhow!(CoreError::Invalid(format!("未知的代办员层级：{l}（township 或 village）")))
                                })
                            })
                            .transpose()?,
                        post: a.agent_post.clone(),
                    }),
                    None => None,
                },
            };
            let no = ws.new_case(&by, &req)?;
            let s = ws.case_summary(&no)?;
            out.value(&s, || format!("已收件：{}（{}，{}）", s.case_no, s.item_name, s.state_zh));
        }
        CaseCmd::Act { case_no, action, reason, basis, days, materials, attach } => {
            let by = auth.actor(&ws)?;
            let action = parse_action(action)?;
            let req = ActRequest {
                reason: reason.clone(),
                legal_basis: basis.clone(),
                days: *days,
                materials: materials.clone(),
                detail: None,
                attachments: attachments(&ws, &by, attach)?,
            };
            ws.act(&by, case_no, action, &req)?;
            let s = ws.case_summary(case_no)?;
            out.value(&s, || format!("{}：{} → {}", s.case_no, action.zh(), s.state_zh));
        }
        CaseCmd::Show { case_no } => {
            let by = auth.actor_if_given(&ws)?;
            out.detail(&ws.case_detail(case_no, by.as_ref())?);
        }
        CaseCmd::List { state, light, department, applicant, open, limit, offset } => {
            let light = match light.as_deref() {
                None => None,
                Some(l) => Some(
                    output::parse_light(l)
                        .ok_or_else(|| anyhow!(CoreError::Invalid(format!("灯色应为 green/yellow/red：{l}"))))?,
                ),
            };
            let state = match state.as_deref() {
                None => None,
                Some(s) => {
                    Some(State::parse(s).ok_or_else(|| anyhow!(CoreError::Invalid(format!("未知的办件状态：{s}"))))?)
                }
            };
            let f = ListFilter {
                state,
                light,
                department: department.clone(),
                applicant_id: applicant.clone(),
                open_only: *open,
                limit: Some(*limit),
                offset: Some(*offset),
            };
            out.cases(&ws.list_cases(&f)?, ws.today());
        }
        CaseCmd::Search { query, limit } => out.cases(&ws.search_cases(query, *limit)?, ws.today()),
        CaseCmd::Reusable { applicant_id } => {
            let r = ws.reusable_materials(&yc_core::ids::normalize(applicant_id))?;
            out.value(&r, || {
                r.iter()
                    .map(|m| format!("{}  来自 {}（{}）", m.name, m.case_no, m.filed_on))
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn calendar(cli: &Cli, c: &CalendarCmd, out: &Out) -> Result<()> {
    let auth = auth::Auth::new(&cli.actor, cli.password_file.clone());
    // Pure date questions work without a workstation (official tables), or with its imports.
    let cal = match Workstation::open(&data_dir(cli), Clock::System) {
        Ok(ws) => ws.calendar().clone(),
        Err(CoreError::NotInitialised(_)) => yc_core::calendar::Calendar::official(),
        // Encrypted: its imported years need the store opened with a password.
        Err(CoreError::StoreLocked(_)) => open(cli, &auth)?.calendar().clone(),
        Err(e) => return Err(e.into()),
    };
    match c {
        CalendarCmd::AddWorkdays { date, n } => {
            let d = cal.add_workdays(*date, *n).map_err(CoreError::from)?;
            out.value(&serde_json::json!({ "date": date, "n": n, "result": d }), || d.to_string());
        }
        CalendarCmd::IsWorkday { date } => {
            let w = cal.is_workday(*date).map_err(CoreError::from)?;
            out.value(&serde_json::json!({ "date": date, "workday": w, "holiday": cal.holiday_name(*date) }), || {
                w.to_string()
            });
        }
        CalendarCmd::Between { from, to } => {
            let n = cal.workdays_between(*from, *to).map_err(CoreError::from)?;
            out.value(&serde_json::json!({ "from": from, "to": to, "workdays": n }), || n.to_string());
        }
        CalendarCmd::Import { file } => {
            let ws = open(cli, &auth)?;
            let text = std::fs::read_to_string(file).with_context(|| format!("读取 {}", file.display()))?;
            let y = ws.import_calendar(&auth.actor(&ws)?, &text)?;
            out.value(&serde_json::json!({ "year": y }), || format!("已导入 {y} 年工作日历，在办件期限已重算"));
        }
        CalendarCmd::Years => {
            let y = cal.years();
            out.value(&y, || y.iter().map(ToString::to_string).collect::<Vec<_>>().join(" "));
        }
    }
    Ok(())
}

/// Stores the files named by `--attach [MATERIAL=]FILE` arguments and describes them.
fn attachments(
    ws: &Workstation,
    by: &yc_core::staff::Actor,
    specs: &[String],
) -> Result<Vec<yc_core::attachment::Attachment>> {
    specs
        .iter()
        .map(|spec| {
            let (material, file) = match spec.split_once('=') {
                Some((m, f)) if !m.contains('/') => (Some(m.to_owned()), f),
                _ => (None, spec.as_str()),
            };
            let bytes = std::fs::read(file).with_context(|| format!("读取附件 {file}"))?;
            let mut att = ws.put_attachment(by, file, &bytes)?;
            att.material = material;
            Ok(att)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::Cli;

    /// Whether `s` holds a CJK unified ideograph (U+4E00..U+9FFF).
    fn has_cjk(s: &str) -> bool {
        s.chars().any(|c| ('\u{4E00}'..='\u{9FFF}').contains(&c))
    }

    /// A space between two Chinese characters or punctuation: clap joins a doc comment's lines
    /// with a space, so a line break between Chinese text shows as one.
    fn stray_space(s: &str) -> bool {
        let wide = |c: char| {
            ('\u{3000}'..='\u{303F}').contains(&c)
                || ('\u{4E00}'..='\u{9FFF}').contains(&c)
                || ('\u{FF00}'..='\u{FFEF}').contains(&c)
        };
        let c: Vec<char> = s.chars().collect();
        c.windows(3).any(|w| wide(w[0]) && w[1] == ' ' && wide(w[2]))
    }

    /// Appends to `bad` every about of `cmd` (at `path`) and of its subcommands, and every help of
    /// their arguments, that is missing, has no Chinese in it, or a stray space.
    fn untranslated(cmd: &clap::Command, path: &str, bad: &mut Vec<String>) {
        for text in [cmd.get_about(), cmd.get_long_about()].into_iter().flatten() {
            if stray_space(&text.to_string()) {
                bad.push(format!("{path}：说明中有多余空格「{text}」"));
            }
        }
        match (cmd.get_about(), cmd.get_long_about()) {
            (None, _) => bad.push(format!("{path}：没有说明（about）")),
            (Some(a), _) if !has_cjk(&a.to_string()) => bad.push(format!("{path}：说明不是中文「{a}」")),
            (_, Some(l)) if !has_cjk(&l.to_string()) => bad.push(format!("{path}：详细说明不是中文「{l}」")),
            _ => {}
        }
        // clap's own --help/--version (added when the command is built) are not ours to translate;
        // told by their action, not their id: `catalog export --version` is ours.
        let builtin = |a: &clap::Arg| {
            matches!(
                a.get_action(),
                clap::ArgAction::Help
                    | clap::ArgAction::HelpShort
                    | clap::ArgAction::HelpLong
                    | clap::ArgAction::Version
            )
        };
        for arg in cmd.get_arguments().filter(|a| !builtin(a)) {
            let name = match arg.get_long() {
                Some(long) => format!("--{long}"),
                None => format!("<{}>", arg.get_id()),
            };
            if arg.get_help().is_none() && arg.get_long_help().is_none() {
                bad.push(format!("{path} {name}：没有帮助"));
            }
            // `--help` prints an env var's value unless told not to: never a PIN or password.
            let secret = ["pin", "password", "key"].iter().any(|w| arg.get_id().as_str().contains(w));
            if secret && arg.get_env().is_some() && !arg.is_hide_env_values_set() {
                bad.push(format!("{path} {name}：帮助会显示环境变量里的口令（须 hide_env_values）"));
            }
            for help in [arg.get_help(), arg.get_long_help()].into_iter().flatten() {
                if !has_cjk(&help.to_string()) {
                    bad.push(format!("{path} {name}：帮助不是中文「{help}」"));
                }
                if stray_space(&help.to_string()) {
                    bad.push(format!("{path} {name}：帮助中有多余空格「{help}」"));
                }
            }
        }
        for sub in cmd.get_subcommands() {
            untranslated(sub, &format!("{path} {}", sub.get_name()), bad);
        }
    }

    /// `yc --help` is read by township IT staff: every command and option says what it does in
    /// Chinese (option names and typed values stay as they are).
    #[test]
    fn help_text_is_chinese() {
        Cli::command().debug_assert();
        let cmd = Cli::command();
        let mut bad = Vec::new();
        untranslated(&cmd, cmd.get_name(), &mut bad);
        assert!(bad.is_empty(), "{} 处帮助文字缺失或不是中文：\n{}", bad.len(), bad.join("\n"));
    }
}
