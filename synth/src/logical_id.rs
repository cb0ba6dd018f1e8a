//! Logical IDs: CDK's `makeUniqueId`, so a stack moved from CDK keeps its IDs.
//!
//! The rule, given the construct path below the stack:
//! 1. drop components named `Default`;
//! 2. one component left: it is the ID as is (alphanumerics only), if ≤ 255 chars;
//! 3. otherwise: the human part is the components with consecutive duplicates
//!    removed and `Resource` components left out, alphanumerics only, cut at 240
//!    characters; then the first 8 hex digits (upper case) of the MD5 of the
//!    components joined by `/`.

use md5::{Digest, Md5};

/// CloudFormation's limit on the length of a logical ID.
pub const MAX_LOGICAL_ID_LEN: usize = 255;
const MAX_HUMAN_LEN: usize = 240;
const HASH_LEN: usize = 8;
const HIDDEN_ID: &str = "Default";
const HIDDEN_FROM_HUMAN_ID: &str = "Resource";

/// The logical ID of the element at `components` (the path below its stack).
/// Returns `None` when no component is left (a path of only `Default`s).
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use berth_synth::logical_id::make_unique_id;
/// assert_eq!(make_unique_id(&["Bucket"]).ok_or("an invalid construct id")?, "Bucket");
/// assert_eq!(make_unique_id(&["VPC", "Resource"]).ok_or("an invalid construct id")?, "VPCB9E5F0B4");
/// # Ok(())
/// # }
/// ```
pub fn make_unique_id<S: AsRef<str>>(components: &[S]) -> Option<String> {
    // Runs for every element of every stack: no list of the visible components is
    // collected, they are filtered again where needed.
    let visible = || {
        components
            .iter()
            .map(AsRef::as_ref)
            .filter(|c| *c != HIDDEN_ID)
    };
    let mut rest = visible();
    let first = rest.next()?;
    if rest.next().is_none() {
        let candidate = remove_non_alphanumeric(first);
        if candidate.len() <= MAX_LOGICAL_ID_LEN {
            return Some(candidate);
        }
    }
    let mut id = String::with_capacity(64);
    let mut previous: Option<&str> = None;
    for c in visible() {
        if previous == Some(c) {
            continue;
        }
        previous = Some(c);
        if c == HIDDEN_FROM_HUMAN_ID {
            continue;
        }
        push_alphanumeric(&mut id, c);
    }
    id.truncate(MAX_HUMAN_LEN);
    push_path_hash(&mut id, visible());
    Some(id)
}

/// Appends the first [`HASH_LEN`] upper-case hex digits of the MD5 of the path
/// (components joined with `/`).
fn push_path_hash<'c>(out: &mut String, components: impl Iterator<Item = &'c str>) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    // Joined first: one MD5 update instead of two per component.
    let mut path = String::with_capacity(128);
    for (i, c) in components.enumerate() {
        if i > 0 {
            path.push('/');
        }
        path.push_str(c);
    }
    for byte in Md5::digest(path.as_bytes()).iter().take(HASH_LEN / 2) {
        out.push(HEX[usize::from(byte >> 4)] as char);
        out.push(HEX[usize::from(byte & 0xF)] as char);
    }
}

fn remove_non_alphanumeric(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_alphanumeric(&mut out, s);
    out
}

/// Appends the ASCII letters and digits of `s` (a multi-byte character's bytes are
/// never ASCII, so going byte by byte keeps exactly the same characters).
fn push_alphanumeric(out: &mut String, s: &str) {
    if is_alphanumeric(s) {
        // Construct ids nearly always are: copied whole.
        out.push_str(s);
        return;
    }
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() {
            out.push(char::from(b));
        }
    }
}

/// True if `s` is only ASCII letters and digits. Without an early exit, so that the
/// compiler vectorizes it: it runs for every component and every logical ID.
fn is_alphanumeric(s: &str) -> bool {
    s.bytes()
        .fold(true, |all, b| all & b.is_ascii_alphanumeric())
}

/// Appends the components of `path` (`/`-separated) to `out`: what `path.split('/')`
/// yields, found a byte at a time (paths are short: `split`'s searcher costs more than
/// the search).
pub(crate) fn split_path<'p>(path: &'p str, out: &mut Vec<&'p str>) {
    let mut start = 0;
    for (i, b) in path.bytes().enumerate() {
        if b == b'/' {
            out.push(&path[start..i]);
            start = i + 1;
        }
    }
    out.push(&path[start..]);
}

/// Why a logical ID is not acceptable to CloudFormation, if it is not.
pub fn check_logical_id(id: &str) -> Result<(), String> {
    if id.is_empty() {
        return Err("a logical ID cannot be empty".into());
    }
    if !is_alphanumeric(id) {
        // A byte that is not an ASCII letter or digit is in such a character.
        let c = id
            .chars()
            .find(|c| !c.is_ascii_alphanumeric())
            .unwrap_or_default();
        return Err(format!(
            "logical ID \"{id}\" contains {c:?}: only the letters A-Z, a-z and the digits 0-9 are allowed"
        ));
    }
    if id.len() > MAX_LOGICAL_ID_LEN {
        return Err(format!(
            "logical ID \"{}…\" is {} characters long: at most {MAX_LOGICAL_ID_LEN} are allowed",
            &id[..32],
            id.len()
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_path_splits_as_split_does() {
        for path in [
            "",
            "/",
            "a",
            "Stack/Web/Resource",
            "/a//b/",
            "Wéb/ü/∑",
            "a/",
        ] {
            let mut got = Vec::new();
            split_path(path, &mut got);
            assert_eq!(got, path.split('/').collect::<Vec<_>>(), "{path:?}");
        }
    }

    #[test]
    fn check_logical_id_names_the_first_character_not_allowed() {
        assert_eq!(check_logical_id("Web1Service0FECA0DA"), Ok(()));
        let err = check_logical_id("Wéb-1").unwrap_err();
        assert!(err.contains("contains 'é'"), "{err}");
        let err = check_logical_id("Web_1").unwrap_err();
        assert!(err.contains("contains '_'"), "{err}");
        assert!(check_logical_id("").is_err());
        assert!(check_logical_id(&"A".repeat(256))
            .unwrap_err()
            .contains("256 characters"));
    }

    #[test]
    fn only_ascii_letters_and_digits_are_kept() {
        let reference =
            |s: &str| -> String { s.chars().filter(char::is_ascii_alphanumeric).collect() };
        for s in ["Wéb-1", "ＡＢ12", "日本Queue", "a_b c/d", "Ωmega9"] {
            assert_eq!(remove_non_alphanumeric(s), reference(s), "{s}");
        }
        let id = make_unique_id(&["Wéb-1", "Qüeue"]).unwrap();
        assert!(id.starts_with("Wb1Qeue"), "{id}");
        assert_eq!(id.len(), "Wb1Qeue".len() + HASH_LEN);
    }

    /// Vectors from CDK's own output (aws-cdk-lib snapshots and integration tests).
    #[test]
    fn matches_cdk_vectors() {
        let cases: &[(&[&str], &str)] = &[
            (&["VPC", "Resource"], "VPCB9E5F0B4"),
            (
                &["VPC", "PublicSubnet1", "Subnet"],
                "VPCPublicSubnet1SubnetB4246D30",
            ),
            (&["MyBucket"], "MyBucket"),
            (&["Default"], ""),
        ];
        for (path, expected) in cases {
            let got = make_unique_id(path).unwrap_or_default();
            assert_eq!(&got, expected, "path {path:?}");
        }
    }

    #[test]
    fn default_components_are_dropped_everywhere() {
        assert_eq!(
            make_unique_id(&["Default", "Bucket"]).unwrap(),
            make_unique_id(&["Bucket"]).unwrap()
        );
        assert_eq!(
            make_unique_id(&["A", "Default", "B"]).unwrap(),
            make_unique_id(&["A", "B"]).unwrap()
        );
    }

    #[test]
    fn consecutive_duplicates_and_resource_leave_the_human_part() {
        let id = make_unique_id(&["Web", "Web", "Resource"]).unwrap();
        assert!(id.starts_with("Web") && id.len() == 3 + 8, "{id}");
    }

    #[test]
    fn long_paths_are_cut_to_255() {
        let long = "A".repeat(300);
        let id = make_unique_id(&[long.as_str(), "B"]).unwrap();
        assert_eq!(id.len(), 240 + 8);
        let single = make_unique_id(&[long.as_str()]).unwrap();
        assert_eq!(single.len(), 240 + 8);
    }

    #[test]
    fn non_alphanumerics_are_removed() {
        assert_eq!(make_unique_id(&["my-bucket_1"]).unwrap(), "mybucket1");
    }

    #[test]
    fn checks_logical_ids() {
        assert!(check_logical_id("Abc123").is_ok());
        assert_eq!(
            check_logical_id("a-b").unwrap_err(),
            "logical ID \"a-b\" contains '-': only the letters A-Z, a-z and the digits 0-9 are allowed"
        );
        assert_eq!(
            check_logical_id("").unwrap_err(),
            "a logical ID cannot be empty"
        );
        assert!(check_logical_id(&"A".repeat(256))
            .unwrap_err()
            .contains("is 256 characters long"));
    }
}
