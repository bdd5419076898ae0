//! Standard normal variates for many copies at once, the same numbers as
//! `rand_distr::StandardNormal` drawn from each copy's own generator.
//!
//! A month of 1,000 noisy apps draws 260 million variates. Drawn one copy
//! at a time, each is a generator step and a ziggurat lookup behind two
//! enum matches; here the fleet's generators live side by side, one array
//! per state word ([`NormalLanes`]), so that a chunk of them steps in vector
//! lanes (AVX2 where the processor has it, chosen at run time) and the
//! ziggurat's first test, which accepts about 99 % of draws, is done for
//! all of them together. A lane that fails it is rewound and drawn again by
//! `rand_distr` itself, which repeats the same first step and goes on into
//! its slower branches: every variate, and every generator's state after
//! it, is what `StandardNormal.sample` would have given.

use std::convert::Infallible;
use std::ops::Range;
use std::sync::OnceLock;

use rand::rand_core::{TryRng, utils};
use rand_distr::{Distribution, StandardNormal};

/// xoshiro256++, the algorithm and seeding of `rand`'s
/// `Xoshiro256PlusPlus`, with its state in the open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LaneRng {
    /// The four state words.
    pub s: [u64; 4],
}

impl LaneRng {
    /// The generator `Xoshiro256PlusPlus::seed_from_u64(seed)` would be
    /// (SplitMix64 over the seed).
    pub fn seed_from_u64(mut seed: u64) -> LaneRng {
        const PHI: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut s = [0; 4];
        for word in &mut s {
            seed = seed.wrapping_add(PHI);
            let mut z = seed;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            *word = z ^ (z >> 31);
        }
        LaneRng { s }
    }
}

/// One step of xoshiro256++ on the four state words: the output, with the
/// words moved on.
#[inline(always)]
fn step(s: [u64; 4]) -> (u64, [u64; 4]) {
    let [mut s0, mut s1, mut s2, mut s3] = s;
    let out = s0.wrapping_add(s3).rotate_left(23).wrapping_add(s0);
    let t = s1 << 17;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = s3.rotate_left(45);
    (out, [s0, s1, s2, s3])
}

impl TryRng for LaneRng {
    type Error = Infallible;

    #[inline]
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        self.try_next_u64().map(|v| (v >> 32) as u32)
    }

    #[inline]
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let (out, s) = step(self.s);
        self.s = s;
        Ok(out)
    }

    #[inline]
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        utils::fill_bytes_via_next_word(dst, || self.try_next_u64())
    }
}

/// Generators handled per pass of [`NormalLanes::draw`].
const PASS: usize = 64;

/// The generators of a fleet, one per app, kept by state word (four
/// arrays) so that a chunk of them steps in vector lanes.
#[derive(Clone, Debug)]
pub struct NormalLanes {
    words: [Vec<u64>; 4],
    /// The states of a pass before its step, by word (scratch, so that a
    /// lane rejected by the first test can be rewound).
    before: Box<[[u64; PASS]; 4]>,
}

impl Default for NormalLanes {
    fn default() -> Self {
        NormalLanes {
            words: Default::default(),
            before: Box::new([[0; PASS]; 4]),
        }
    }
}

impl NormalLanes {
    /// Adds a generator seeded as `Xoshiro256PlusPlus::seed_from_u64(seed)`.
    pub fn push(&mut self, seed: u64) {
        let rng = LaneRng::seed_from_u64(seed);
        for (words, w) in self.words.iter_mut().zip(rng.s) {
            words.push(w);
        }
    }

    /// Generator `k`, as it stands.
    #[cfg(test)]
    fn rng(&self, k: usize) -> LaneRng {
        LaneRng {
            s: [
                self.words[0][k],
                self.words[1][k],
                self.words[2][k],
                self.words[3][k],
            ],
        }
    }

    fn set(&mut self, k: usize, rng: LaneRng) {
        for (words, w) in self.words.iter_mut().zip(rng.s) {
            words[k] = w;
        }
    }

    /// Draws a standard normal variate from each generator of `range` into
    /// `out` (one per generator): `StandardNormal.sample` from each.
    pub fn draw(&mut self, range: Range<usize>, out: &mut [f64]) {
        assert_eq!(range.len(), out.len(), "one variate per generator");
        let x = edges();
        let mut first = range.start;
        for out in out.chunks_mut(PASS) {
            let ks = first..first + out.len();
            let [w0, w1, w2, w3] = &mut self.words;
            let words = [
                &mut w0[ks.clone()],
                &mut w1[ks.clone()],
                &mut w2[ks.clone()],
                &mut w3[ks.clone()],
            ];
            let [b0, b1, b2, b3] = &mut *self.before;
            let mut rejected = first_tests(words, out, [b0, b1, b2, b3], x);
            while rejected != 0 {
                let j = rejected.trailing_zeros() as usize;
                rejected &= rejected - 1;
                // Rewound to before the step: rand_distr repeats it, then
                // goes on into its slower branches.
                let b = &self.before;
                let mut rng = LaneRng {
                    s: [b[0][j], b[1][j], b[2][j], b[3][j]],
                };
                out[j] = StandardNormal.sample(&mut rng);
                self.set(first + j, rng);
            }
            first += out.len();
        }
    }
}

/// The ziggurat's layer edges, `x[0..=256]`, as `rand_distr` has them.
fn edges() -> &'static [f64; 257] {
    static EDGES: OnceLock<[f64; 257]> = OnceLock::new();
    EDGES.get_or_init(read_edges)
}

/// A generator that always gives the same word.
struct Fixed(u64);

impl TryRng for Fixed {
    type Error = Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok((self.0 >> 32) as u32)
    }
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        Ok(self.0)
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        utils::fill_bytes_via_next_word(dst, || self.try_next_u64())
    }
}

/// Reads the layer edges out of `rand_distr` (its table is private): a
/// word with layer `i` in its low byte and the uniform `u = 2⁻¹⁰` in its
/// high bits gives `u × x[i]`, exact, which every layer accepts (layer 255
/// through its density test, which the same word passes). The last edge is
/// taken as 0, so the first test here never accepts layer 255 and leaves
/// it to `rand_distr`: a lane is only ever accepted where `rand_distr`
/// would accept it.
fn read_edges() -> [f64; 257] {
    // (bits >> 12) is the mantissa of a float in [2, 4), minus 3: u = 2⁻¹⁰
    // needs the mantissa 2⁵¹ + 2⁴¹.
    const U_WORD: u64 = ((1 << 51) + (1 << 41)) << 12;
    let mut x = [0.0; 257];
    for (i, edge) in x.iter_mut().take(256).enumerate() {
        let v: f64 = StandardNormal.sample(&mut Fixed(U_WORD | i as u64));
        *edge = v * 1024.0;
    }
    x
}

/// The ziggurat's first test for every lane (at most [`PASS`]), with the
/// processor's widest vectors: each lane's generator is stepped (its state
/// before the step kept in `old`) and its variate written. Returns the
/// lanes whose variate does not stand, bit `k` for lane `k`.
fn first_tests(
    words: [&mut [u64]; 4],
    out: &mut [f64],
    old: [&mut [u64]; 4],
    x: &[f64; 257],
) -> u64 {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the processor has AVX2, checked just above.
        return unsafe { first_tests_avx2(words, out, old, x) };
    }
    first_tests_lanes(words, out, old, x)
}

/// [`first_tests_lanes`] four lanes at a time with AVX2 instructions: the
/// same integer operations and the same floating-point multiply and
/// comparison, so the same bits.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn first_tests_avx2(
    words: [&mut [u64]; 4],
    out: &mut [f64],
    old: [&mut [u64]; 4],
    x: &[f64; 257],
) -> u64 {
    use std::arch::x86_64::*;
    let [w0, w1, w2, w3] = words;
    let n = out.len();
    assert!(n <= PASS && w0.len() >= n && w1.len() >= n && w2.len() >= n && w3.len() >= n);
    let mut rejected = 0;
    let whole = n - n % 4;
    /// Rotation left by `R` of each 64-bit lane (`L` = 64 − `R`).
    #[target_feature(enable = "avx2")]
    #[inline]
    fn rotl<const R: i32, const L: i32>(a: __m256i) -> __m256i {
        _mm256_or_si256(_mm256_slli_epi64::<R>(a), _mm256_srli_epi64::<L>(a))
    }
    let low_byte = _mm256_set1_epi64x(0xff);
    let exponent = _mm256_set1_epi64x(1024 << 52);
    let three = _mm256_set1_pd(3.0);
    let sign = _mm256_set1_pd(-0.0);
    let [o0, o1, o2, o3] = old;
    assert!(o0.len() >= n && o1.len() >= n && o2.len() >= n && o3.len() >= n);
    for k in (0..whole).step_by(4) {
        // SAFETY: k + 4 ≤ n, within every slice (asserted above); x has
        // 257 entries and the indices are at most 255 (+ 1).
        unsafe {
            let load = |w: &[u64]| _mm256_loadu_si256(w.as_ptr().add(k).cast());
            let (mut s0, mut s1, mut s2, mut s3) = (load(w0), load(w1), load(w2), load(w3));
            for (o, s) in [&mut *o0, &mut *o1, &mut *o2, &mut *o3]
                .into_iter()
                .zip([s0, s1, s2, s3])
            {
                _mm256_storeu_si256(o.as_mut_ptr().add(k).cast(), s);
            }
            let bits = _mm256_add_epi64(rotl::<23, 41>(_mm256_add_epi64(s0, s3)), s0);
            let t = _mm256_slli_epi64::<17>(s1);
            s2 = _mm256_xor_si256(s2, s0);
            s3 = _mm256_xor_si256(s3, s1);
            s1 = _mm256_xor_si256(s1, s2);
            s0 = _mm256_xor_si256(s0, s3);
            s2 = _mm256_xor_si256(s2, t);
            s3 = rotl::<45, 19>(s3);
            for (w, s) in [&mut *w0, &mut *w1, &mut *w2, &mut *w3]
                .into_iter()
                .zip([s0, s1, s2, s3])
            {
                _mm256_storeu_si256(w.as_mut_ptr().add(k).cast(), s);
            }
            let i = _mm256_and_si256(bits, low_byte);
            let u = _mm256_sub_pd(
                _mm256_castsi256_pd(_mm256_or_si256(_mm256_srli_epi64::<12>(bits), exponent)),
                three,
            );
            // Each lane's edge and the next, side by side in the table:
            // one 16-byte load per lane (gathers are slow on some
            // processors), the indices read back from one store.
            let mut at = [0u64; 4];
            _mm256_storeu_si256(at.as_mut_ptr().cast(), i);
            let pair = |k: usize| _mm_loadu_pd(x.as_ptr().add(at[k] as usize));
            let (even, odd) = (
                _mm256_set_m128d(pair(2), pair(0)),
                _mm256_set_m128d(pair(3), pair(1)),
            );
            let (edge, next_edge) = (_mm256_unpacklo_pd(even, odd), _mm256_unpackhi_pd(even, odd));
            let v = _mm256_mul_pd(u, edge);
            let pass = _mm256_cmp_pd::<_CMP_LT_OQ>(_mm256_andnot_pd(sign, v), next_edge);
            _mm256_storeu_pd(out.as_mut_ptr().add(k), v);
            rejected |= u64::from(!_mm256_movemask_pd(pass) as u8 & 0xf) << k;
        }
    }
    // The last lanes, fewer than four.
    let tail = first_tests_lanes(
        [
            &mut w0[whole..],
            &mut w1[whole..],
            &mut w2[whole..],
            &mut w3[whole..],
        ],
        &mut out[whole..],
        [
            &mut o0[whole..],
            &mut o1[whole..],
            &mut o2[whole..],
            &mut o3[whole..],
        ],
        x,
    );
    // (A full pass leaves no tail, and no bit to shift in.)
    rejected | tail.checked_shl(whole as u32).unwrap_or(0)
}

#[inline(always)]
fn first_tests_lanes(
    words: [&mut [u64]; 4],
    out: &mut [f64],
    old: [&mut [u64]; 4],
    x: &[f64; 257],
) -> u64 {
    let [w0, w1, w2, w3] = words;
    let n = out.len();
    let (w0, w1, w2, w3) = (&mut w0[..n], &mut w1[..n], &mut w2[..n], &mut w3[..n]);
    let [o0, o1, o2, o3] = old;
    let (o0, o1, o2, o3) = (&mut o0[..n], &mut o1[..n], &mut o2[..n], &mut o3[..n]);
    let mut rejected = 0;
    for k in 0..n {
        let s = [w0[k], w1[k], w2[k], w3[k]];
        let (bits, next) = step(s);
        let i = (bits & 0xff) as usize;
        // A float in [2, 4) from the high 52 bits, minus 3: u in [-1, 1).
        let u = f64::from_bits((bits >> 12) | (1024 << 52)) - 3.0;
        let v = u * x[i];
        [o0[k], o1[k], o2[k], o3[k]] = s;
        out[k] = v;
        // rand_distr's test is `|v| < edge` (false for NaN, which cannot
        // arise): rejected when it fails.
        let stands = v.abs() < x[i + 1];
        rejected |= u64::from(!stands) << k;
        [w0[k], w1[k], w2[k], w3[k]] = next;
    }
    rejected
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand::rngs::Xoshiro256PlusPlus;
    use rand::{Rng, RngExt};

    use super::*;

    #[test]
    fn the_generator_is_rands_xoshiro256plusplus() {
        for seed in [0, 1, 42, u64::MAX] {
            let (mut ours, mut theirs) = (
                LaneRng::seed_from_u64(seed),
                Xoshiro256PlusPlus::seed_from_u64(seed),
            );
            for _ in 0..1000 {
                assert_eq!(ours.next_u64(), theirs.next_u64(), "seed {seed}");
            }
            let (a, b): (f64, f64) = (ours.random(), theirs.random());
            assert_eq!(a, b);
        }
    }

    #[test]
    fn the_edges_are_the_ziggurat_of_the_normal() {
        let x = edges();
        // The base layer's edge R, as published.
        assert_eq!(x[1], 3.654_152_885_361_009);
        assert!(x[0] > x[1] && x[255] > 0.0 && x[256] == 0.0);
        assert!(x.windows(2).all(|w| w[0] > w[1]), "decreasing");
    }

    #[test]
    fn many_at_once_draw_what_rand_distr_draws_one_at_a_time() {
        // 150 generators (more than a pass, not a multiple of one) for 200
        // rounds: about 300 lanes go through rand_distr's slow branches.
        let seeds = |k: u64| k * 7 + 3;
        let mut lanes = NormalLanes::default();
        (0..150).for_each(|k| lanes.push(seeds(k)));
        let mut theirs: Vec<Xoshiro256PlusPlus> = (0..150)
            .map(|k| Xoshiro256PlusPlus::seed_from_u64(seeds(k)))
            .collect();
        let mut z = vec![0.0; 150];
        for round in 0..200 {
            // Not always from the first generator.
            let from = round % 3;
            lanes.draw(from..150, &mut z[from..]);
            for (k, rng) in theirs.iter_mut().enumerate().skip(from) {
                let expected: f64 = StandardNormal.sample(rng);
                assert_eq!(
                    z[k].to_bits(),
                    expected.to_bits(),
                    "round {round}, lane {k}"
                );
            }
        }
        // The states moved in step too.
        for (k, theirs) in theirs.iter_mut().enumerate() {
            assert_eq!(lanes.rng(k).next_u64(), theirs.next_u64(), "lane {k}");
        }
    }

    #[test]
    fn the_first_test_settles_nearly_every_draw() {
        // Were the edges read wrong (too small), every variate would still
        // be right, drawn by rand_distr, but none would be fast: the first
        // test accepts 98.8 % of draws with rand_distr's own table.
        let mut lanes = NormalLanes::default();
        (0..PASS as u64).for_each(|k| lanes.push(k));
        let (mut z, mut before) = ([0.0; PASS], [[0; PASS]; 4]);
        let mut rejected = 0;
        for _ in 0..1000 {
            let [w0, w1, w2, w3] = &mut lanes.words;
            let [b0, b1, b2, b3] = &mut before;
            let mask = first_tests([w0, w1, w2, w3], &mut z, [b0, b1, b2, b3], edges());
            rejected += mask.count_ones();
        }
        let share = f64::from(rejected) / (1000.0 * PASS as f64);
        assert!((0.005..0.02).contains(&share), "rejected {share}");
    }

    #[test]
    fn the_path_without_vector_instructions_agrees() {
        let mut a = NormalLanes::default();
        (0..PASS as u64).for_each(|k| a.push(k + 9));
        let mut b = a.clone();
        let (mut za, mut zb) = (vec![0.0; PASS], vec![0.0; PASS]);
        let (mut oa, mut ob) = ([[0; PASS]; 4], [[0; PASS]; 4]);
        let [oa0, oa1, oa2, oa3] = &mut oa;
        let [ob0, ob1, ob2, ob3] = &mut ob;
        let [a0, a1, a2, a3] = &mut a.words;
        // 61 lanes: a tail of one past the vector loop.
        let ka = first_tests(
            [a0, a1, a2, a3],
            &mut za[..61],
            [oa0, oa1, oa2, oa3],
            edges(),
        );
        let [b0, b1, b2, b3] = &mut b.words;
        let kb = first_tests_lanes(
            [b0, b1, b2, b3],
            &mut zb[..61],
            [ob0, ob1, ob2, ob3],
            edges(),
        );
        assert_eq!((za, oa, ka), (zb, ob, kb));
        // Some lanes are rejected, none past the 61st.
        assert!(ka != 0 && ka >> 61 == 0, "{ka:#x}");
        assert_eq!(a.words, b.words);
    }
}
