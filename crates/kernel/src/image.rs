//! Uploaded images: which kinds are taken, told apart by their bytes (never by a file name or a
//! client's content type), and how large they may be.

/// The largest image upload, in bytes (2 MiB).
pub const MAX_IMAGE_BYTES: usize = 2 * 1024 * 1024;

/// An image format the service stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageKind {
    Png,
    Jpeg,
    Webp,
}

impl ImageKind {
    /// The format `bytes` are in, from their signature; `None` for anything else.
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(Self::Png)
        } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
            Some(Self::Jpeg)
        } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
            Some(Self::Webp)
        } else {
            None
        }
    }

    /// The media type it is served with.
    pub fn mime(self) -> &'static str {
        match self {
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
            Self::Webp => "image/webp",
        }
    }

    /// The file extension of its stored objects.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Png => "png",
            Self::Jpeg => "jpg",
            Self::Webp => "webp",
        }
    }

    /// The kind whose objects end in `extension`.
    pub fn of_extension(extension: &str) -> Option<Self> {
        [Self::Png, Self::Jpeg, Self::Webp]
            .into_iter()
            .find(|k| k.extension() == extension)
    }
}

/// What is wrong with `bytes` as an uploaded image, if anything; else its kind.
pub fn checked_image(bytes: &[u8]) -> Result<ImageKind, String> {
    if bytes.len() > MAX_IMAGE_BYTES {
        return Err(format!("must be at most {MAX_IMAGE_BYTES} bytes"));
    }
    ImageKind::sniff(bytes).ok_or_else(|| "must be a PNG, JPEG or WebP image".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_are_told_by_their_bytes_only() {
        assert_eq!(
            ImageKind::sniff(b"\x89PNG\r\n\x1a\n...."),
            Some(ImageKind::Png)
        );
        assert_eq!(
            ImageKind::sniff(&[0xff, 0xd8, 0xff, 0xe0]),
            Some(ImageKind::Jpeg)
        );
        assert_eq!(
            ImageKind::sniff(b"RIFF\0\0\0\0WEBPVP8 "),
            Some(ImageKind::Webp)
        );
        assert_eq!(ImageKind::sniff(b"MZ\x90\0 an executable"), None);
        assert_eq!(ImageKind::sniff(b"RIFF\0\0\0\0WAVE"), None);
        assert_eq!(ImageKind::sniff(b""), None);
        assert!(checked_image(b"GIF89a").is_err());
        let mut big = b"\x89PNG\r\n\x1a\n".to_vec();
        big.resize(MAX_IMAGE_BYTES + 1, 0);
        assert_eq!(
            checked_image(&big),
            Err(format!("must be at most {MAX_IMAGE_BYTES} bytes"))
        );
        assert_eq!(ImageKind::of_extension("jpg"), Some(ImageKind::Jpeg));
        assert_eq!(ImageKind::of_extension("exe"), None);
    }
}
