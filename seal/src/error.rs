//! One error enum for the library boundary; messages in Chinese state the cause.

use std::path::PathBuf;

/// Errors raised while issuing, storing, sealing or loading trust data.
///
/// Verification never returns these: a bad document is a [`crate::Verification`] with verdict
/// `Invalid`/`Indeterminate`, not an error.
#[derive(Debug, thiserror::Error)]
pub enum SealError {
    #[error("印章密钥已锁定：PIN 已连续错误 {attempts} 次，须由管理员经印章制作机构确认后解锁（yc seal unlock）")]
    Locked { attempts: u32 },
    #[error("PIN 错误，还可尝试 {remaining} 次")]
    WrongPin { remaining: u32 },
    #[error("PIN 长度应为 6 至 64 个字符")]
    InvalidPin,
    #[error("密钥文件读写失败（{path}）：{source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("密钥文件已存在，拒绝覆盖：{0}")]
    KeyFileExists(PathBuf),
    #[error("密钥文件格式错误：{0}")]
    KeyFileFormat(String),
    #[error("私钥无效：{0}")]
    InvalidKey(String),
    #[error("签名运算失败：{0}")]
    Signing(String),
    #[error("证书生成或解析失败：{0}")]
    Certificate(String),
    #[error("印章数据格式错误：{0}")]
    SealFormat(String),
    #[error("签名证书与印章不匹配：{0}")]
    SealMismatch(String),
    #[error("印章当前不可用：{0}")]
    SealNotUsable(String),
    #[error("信任包格式错误：{0}")]
    TrustBundleFormat(String),
    #[error("信任包签名无效：不是由受信任的印章制作机构签发")]
    TrustBundleSignature,
    #[error(
        "未找到中文字体文件：{path}。请安装 fonts-noto-cjk（apt-get install fonts-noto-cjk），或在配置中指定字体路径"
    )]
    FontMissing { path: PathBuf },
    #[error("字体文件中没有可用的简体中文字体（{0}）")]
    FontFace(String),
    #[error("字体缺少字符「{0}」")]
    MissingGlyph(char),
    #[error("文书内容不完整：{0}")]
    InvalidSpec(String),
    #[error("PDF 生成失败：{0}")]
    Pdf(String),
    #[error("时间戳失败：{0}")]
    Timestamp(String),
    #[error("系统随机数生成失败")]
    Rng,
}

pub type Result<T, E = SealError> = std::result::Result<T, E>;
