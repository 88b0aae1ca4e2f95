//! The embedded CJK font: Noto Serif/Sans CJK SC picked by name from Debian's TTC, subset per
//! document (CFF outlines → FontFile3/OpenType, CIDs = subset glyph ids, Identity-H).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::error::{Result, SealError};

/// Where Debian's `fonts-noto-cjk` puts its collections; Serif first (宋体-like, closer to the
/// 仿宋/宋体 of GB/T 9704 official documents).
pub const DEFAULT_FONT_PATHS: &[&str] = &[
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
];

/// A loaded CJK font collection with the Simplified-Chinese face selected. Cheap to clone.
#[derive(Clone)]
pub struct CjkFont {
    data: Arc<Vec<u8>>,
    index: u32,
    family: String,
}

impl std::fmt::Debug for CjkFont {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CjkFont").field("family", &self.family).field("index", &self.index).finish()
    }
}

fn family_of(face: &ttf_parser::Face<'_>) -> Option<String> {
    face.names()
        .into_iter()
        .filter(|n| n.name_id == ttf_parser::name_id::FAMILY || n.name_id == ttf_parser::name_id::TYPOGRAPHIC_FAMILY)
        .find_map(|n| n.to_string())
}

impl CjkFont {
    /// Load a font file (TTC or OTF/TTF) and pick the face whose family ends in "SC".
    ///
    /// # Errors
    /// `FontMissing` when the file is absent; `FontFace` when no usable Chinese face is found.
    pub fn load(path: &Path) -> Result<Self> {
        let data = std::fs::read(path).map_err(|_| SealError::FontMissing { path: path.to_path_buf() })?;
        Self::from_bytes(data)
    }

    /// First of [`DEFAULT_FONT_PATHS`] that exists.
    ///
    /// # Errors
    /// `FontMissing` naming the preferred path.
    pub fn load_default() -> Result<Self> {
        for p in DEFAULT_FONT_PATHS {
            let path = Path::new(p);
            if path.exists() {
                return Self::load(path);
            }
        }
        Err(SealError::FontMissing { path: PathBuf::from(DEFAULT_FONT_PATHS[0]) })
    }

    /// Use font bytes already in memory.
    ///
    /// # Errors
    /// `FontFace` when no usable Chinese face is found.
    pub fn from_bytes(data: Vec<u8>) -> Result<Self> {
        let count = ttf_parser::fonts_in_collection(&data).unwrap_or(1);
        let mut fallback = None;
        for index in 0..count {
            let Ok(face) = ttf_parser::Face::parse(&data, index) else { continue };
            if face.glyph_index('中').is_none() {
                continue;
            }
            let family = family_of(&face).unwrap_or_default();
            if family.ends_with(" SC") || family.ends_with("SC") && count == 1 {
                return Ok(Self { data: Arc::new(data), index, family });
            }
            fallback.get_or_insert((index, family));
        }
        match fallback {
            // A single-face file with Chinese glyphs (e.g. a plain OTF) is acceptable.
            Some((index, family)) if count == 1 => Ok(Self { data: Arc::new(data), index, family }),
            _ => Err(SealError::FontFace("未找到名称以 SC 结尾的字体".into())),
        }
    }

    #[must_use]
    pub fn family(&self) -> &str {
        &self.family
    }

    pub(crate) fn data(&self) -> &[u8] {
        &self.data
    }

    pub(crate) fn index(&self) -> u32 {
        self.index
    }

    pub(crate) fn face(&self) -> Result<ttf_parser::Face<'_>> {
        ttf_parser::Face::parse(&self.data, self.index).map_err(|e| SealError::FontFace(e.to_string()))
    }
}
