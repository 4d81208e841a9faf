//! Content hashes: the SHA-256 digests, cut to hex, that name a text, a
//! document's content or a stance question in the store and the gold files.
//! A leaf: it imports nothing from the crate.

use sha2::{Digest, Sha256};

/// A content hash: SHA-256 of the parts (each length-prefixed), 32 hex digits.
pub fn content_hash<'a>(parts: impl IntoIterator<Item = &'a str>) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p.as_bytes());
    }
    h.finalize()[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// The hash of one text (an article or a comment).
pub fn text_hash(text: &str) -> String {
    content_hash([text])
}

/// SHA-256 of a text's UTF-8 bytes, first 16 hex digits.
pub fn text_sha16(text: &str) -> String {
    Sha256::digest(text.as_bytes())[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// The shard (of `n`) that owns a document id: a stable hash of the id
/// (the first 8 bytes of its SHA-256), modulo `n`.
pub(crate) fn shard_of(id: &str, n: u32) -> u32 {
    let digest = Sha256::digest(id.as_bytes());
    let mut head = [0u8; 8];
    head.copy_from_slice(&digest[..8]);
    (u64::from_be_bytes(head) % u64::from(n.max(1))) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_stable() {
        assert_eq!(text_sha16("abc"), "ba7816bf8f01cfea");
        assert_eq!(text_hash("abc"), content_hash(["abc"]));
        assert_ne!(content_hash(["ab", "c"]), content_hash(["a", "bc"]), "parts are length-prefixed");
    }
}
