//! Stable seed derivation: the same parent seed and salt give the same
//! child seed on every run, platform and Rust version.

/// FNV-1a 64-bit offset basis.
const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
/// FNV-1a 64-bit prime.
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// SplitMix64's finaliser: a bijective mix, so distinct inputs stay distinct.
#[inline]
fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// FNV-1a over bytes.
#[inline]
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(FNV_OFFSET, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(FNV_PRIME)
    })
}

/// A child seed for the component named `salt` (an app's id, a part index
/// such as `parts[2]`) under `parent` (the scenario's seed, or a parent
/// component's seed).
///
/// FNV-1a of the salt mixed with SplitMix64: stable across runs and
/// builds, unlike std's randomly keyed `DefaultHasher`; a change to either
/// input changes every bit of the result with probability ½.
pub fn derive_seed(parent: u64, salt: &str) -> u64 {
    splitmix64(splitmix64(parent) ^ fnv1a(salt.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv_reference_values() {
        // Published FNV-1a 64 test vectors.
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn stable_and_distinct() {
        // Pinned: a change here changes every seeded scenario's output.
        assert_eq!(derive_seed(42, "web"), 10_893_988_571_043_156_992);
        assert_ne!(derive_seed(42, "web"), derive_seed(42, "api"));
        assert_ne!(derive_seed(42, "web"), derive_seed(43, "web"));
        assert_ne!(derive_seed(0, ""), 0);
        assert_ne!(derive_seed(1, "parts[0]"), derive_seed(1, "parts[1]"));
    }
}
