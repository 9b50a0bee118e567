//! SHA-256 of many independent messages: `verify` hashes every entry of the
//! journal, and each entry's hash depends only on stored bytes, so entries
//! can be hashed side by side. Two ways, chosen once by the CPU's features
//! ([`HashPath::fastest`]):
//!
//! - the `sha2` crate, one message after the other: it uses the CPU's SHA
//!   extensions where there are any (most x86 CPUs since 2017–2019), and
//!   then beats everything else here by far;
//! - eight lanes in AVX2 registers, one message per lane: on a CPU without
//!   SHA extensions several times the throughput of hashing one message
//!   after the other in software.
//!
//! Both give the same digests (tested).

use std::sync::OnceLock;

use sha2::{Digest, Sha256};

/// How a [`Batch`] is hashed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HashPath {
    /// The `sha2` crate, one message after the other (with the CPU's SHA
    /// extensions where it finds them at run time).
    OneByOne,
    /// Eight messages side by side in AVX2 registers.
    Avx2Lanes,
}

impl HashPath {
    /// The fastest path on this CPU. The one place that decides: SHA
    /// extensions win over AVX2 lanes (measured: `benches/journal.rs` prints
    /// both), AVX2 lanes win over software one message after the other.
    pub fn fastest() -> HashPath {
        static CHOSEN: OnceLock<HashPath> = OnceLock::new();
        *CHOSEN.get_or_init(|| {
            if has_sha_extensions() || !has_avx2() {
                HashPath::OneByOne
            } else {
                HashPath::Avx2Lanes
            }
        })
    }

    /// Every path this CPU can run, the fastest first (for benches and tests).
    pub fn available() -> Vec<HashPath> {
        let mut paths = vec![HashPath::fastest()];
        for p in [HashPath::OneByOne, HashPath::Avx2Lanes] {
            if !paths.contains(&p) && (p != HashPath::Avx2Lanes || has_avx2()) {
                paths.push(p);
            }
        }
        paths
    }

    /// What the path runs on here, in words (for the bench's figures).
    pub fn describe(self) -> &'static str {
        match self {
            HashPath::OneByOne if has_sha_extensions() => "sha2, SHA extensions, one core",
            HashPath::OneByOne => "sha2, software, one core",
            HashPath::Avx2Lanes => "8 lanes in AVX2, one core",
        }
    }
}

/// Messages to hash together by [`Batch::digests`].
pub struct Batch {
    path: HashPath,
    /// Avx2Lanes: each message already padded to whole 64-byte blocks
    /// (SHA-256 padding).
    padded: Vec<u8>,
    /// Avx2Lanes: start (in `padded`) and number of blocks of each message.
    messages: Vec<(usize, usize)>,
    /// OneByOne: the digests, taken as the messages come (no copy of them).
    done: Vec<[u8; 32]>,
}

impl Default for Batch {
    fn default() -> Self {
        Batch::new(HashPath::fastest())
    }
}

impl Batch {
    /// A batch hashed by `path`; [`Batch::default`] takes the fastest.
    ///
    /// # Panics
    /// If `path` is [`HashPath::Avx2Lanes`] on a CPU without AVX2.
    pub fn new(path: HashPath) -> Batch {
        assert!(
            path != HashPath::Avx2Lanes || has_avx2(),
            "this CPU has no AVX2"
        );
        Batch {
            path,
            padded: Vec::new(),
            messages: Vec::new(),
            done: Vec::new(),
        }
    }

    pub fn clear(&mut self) {
        self.padded.clear();
        self.messages.clear();
        self.done.clear();
    }

    pub fn len(&self) -> usize {
        self.messages.len() + self.done.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Adds one message.
    pub fn push(&mut self, message: &[u8]) {
        if self.path == HashPath::OneByOne {
            self.done.push(Sha256::digest(message).into());
            return;
        }
        let start = self.padded.len();
        self.padded.extend_from_slice(message);
        self.padded.push(0x80);
        let zeros = (64 - (message.len() + 1 + 8) % 64) % 64;
        self.padded.resize(self.padded.len() + zeros, 0);
        self.padded
            .extend_from_slice(&((message.len() as u64) * 8).to_be_bytes());
        let blocks = (self.padded.len() - start) / 64;
        self.messages.push((start, blocks));
    }

    /// The digests of the messages, in the order they were pushed.
    pub fn digests(&self, out: &mut Vec<[u8; 32]>) {
        out.clear();
        if self.path == HashPath::OneByOne {
            out.extend_from_slice(&self.done);
            return;
        }
        out.resize(self.messages.len(), [0; 32]);
        #[cfg(target_arch = "x86_64")]
        // SAFETY: AVX2 is present (checked in `Batch::new`).
        unsafe {
            x86::digests(&self.padded, &self.messages, out)
        }
    }
}

fn has_avx2() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::is_x86_feature_detected!("avx2")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// What `sha2` looks for before it uses the SHA extensions.
fn has_sha_extensions() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::is_x86_feature_detected!("sha")
            && std::is_x86_feature_detected!("sse2")
            && std::is_x86_feature_detected!("ssse3")
            && std::is_x86_feature_detected!("sse4.1")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use std::arch::x86_64::*;

    const K: [u32; 64] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
        0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
        0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
        0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
        0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
        0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
        0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
        0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2,
    ];
    const IV: [u32; 8] = [
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
        0x5be0cd19,
    ];

    macro_rules! rotr {
        ($x:expr, $n:literal) => {
            _mm256_or_si256(
                _mm256_srli_epi32::<$n>($x),
                _mm256_slli_epi32::<{ 32 - $n }>($x),
            )
        };
    }

    /// One 64-byte block for each of the eight lanes; `state[word][lane]`.
    #[target_feature(enable = "avx2")]
    unsafe fn compress(state: &mut [[u32; 8]; 8], words: &[[u32; 8]; 16]) {
        macro_rules! add {
            ($a:expr, $b:expr) => {
                _mm256_add_epi32($a, $b)
            };
        }
        let mut w = [_mm256_setzero_si256(); 16];
        for (t, lanes) in words.iter().enumerate() {
            w[t] = _mm256_loadu_si256(lanes.as_ptr() as *const __m256i);
        }
        let mut v = [_mm256_setzero_si256(); 8];
        for (i, word) in state.iter().enumerate() {
            v[i] = _mm256_loadu_si256(word.as_ptr() as *const __m256i);
        }
        let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut h] = v;
        for (i, k) in K.iter().enumerate() {
            let wi = if i < 16 {
                w[i]
            } else {
                let w15 = w[(i + 1) % 16];
                let w2 = w[(i + 14) % 16];
                let s0 = _mm256_xor_si256(
                    _mm256_xor_si256(rotr!(w15, 7), rotr!(w15, 18)),
                    _mm256_srli_epi32::<3>(w15),
                );
                let s1 = _mm256_xor_si256(
                    _mm256_xor_si256(rotr!(w2, 17), rotr!(w2, 19)),
                    _mm256_srli_epi32::<10>(w2),
                );
                let v = add!(add!(w[i % 16], s0), add!(w[(i + 9) % 16], s1));
                w[i % 16] = v;
                v
            };
            let s1 = _mm256_xor_si256(_mm256_xor_si256(rotr!(e, 6), rotr!(e, 11)), rotr!(e, 25));
            let ch = _mm256_xor_si256(_mm256_and_si256(e, f), _mm256_andnot_si256(e, g));
            let t1 = add!(
                add!(h, s1),
                add!(add!(ch, _mm256_set1_epi32(*k as i32)), wi)
            );
            let s0 = _mm256_xor_si256(_mm256_xor_si256(rotr!(a, 2), rotr!(a, 13)), rotr!(a, 22));
            let maj = _mm256_xor_si256(
                _mm256_xor_si256(_mm256_and_si256(a, b), _mm256_and_si256(a, c)),
                _mm256_and_si256(b, c),
            );
            let t2 = add!(s0, maj);
            h = g;
            g = f;
            f = e;
            e = add!(d, t1);
            d = c;
            c = b;
            b = a;
            a = add!(t1, t2);
        }
        for ((word, start), end) in state.iter_mut().zip(v).zip([a, b, c, d, e, f, g, h]) {
            _mm256_storeu_si256(word.as_mut_ptr() as *mut __m256i, add!(start, end));
        }
    }

    /// Hashes every message (`(start, blocks)` in `padded`) into `out`.
    #[target_feature(enable = "avx2")]
    pub unsafe fn digests(padded: &[u8], messages: &[(usize, usize)], out: &mut [[u8; 32]]) {
        // What each lane works on: message index and its next block.
        let mut lane: [Option<(usize, usize)>; 8] = [None; 8];
        let mut next = 0;
        let mut state = [[0u32; 8]; 8];
        let mut words = [[0u32; 8]; 16];
        loop {
            for (j, l) in lane.iter_mut().enumerate() {
                if l.is_none() && next < messages.len() {
                    *l = Some((next, 0));
                    for (word, iv) in state.iter_mut().zip(IV) {
                        word[j] = iv;
                    }
                    next += 1;
                }
            }
            if lane.iter().all(Option::is_none) {
                return;
            }
            for (j, l) in lane.iter().enumerate() {
                // An idle lane hashes zeros; its result is not used.
                let block = match l {
                    Some((m, b)) => {
                        let at = messages[*m].0 + b * 64;
                        &padded[at..at + 64]
                    }
                    None => &[0u8; 64][..],
                };
                for (t, word) in words.iter_mut().enumerate() {
                    word[j] = u32::from_be_bytes([
                        block[4 * t],
                        block[4 * t + 1],
                        block[4 * t + 2],
                        block[4 * t + 3],
                    ]);
                }
            }
            compress(&mut state, &words);
            for (j, l) in lane.iter_mut().enumerate() {
                if let Some((m, b)) = l {
                    *b += 1;
                    if *b == messages[*m].1 {
                        let digest = &mut out[*m];
                        for (i, word) in state.iter().enumerate() {
                            digest[4 * i..4 * i + 4].copy_from_slice(&word[j].to_be_bytes());
                        }
                        *l = None;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_digests_as_sha2_for_every_length_and_batch_size() {
        for path in HashPath::available() {
            same_digests_as_sha2(path);
        }
    }

    fn same_digests_as_sha2(path: HashPath) {
        let data: Vec<u8> = (0..2000u32).map(|i| (i * 7 + i / 13) as u8).collect();
        let mut batch = Batch::new(path);
        let mut out = Vec::new();
        for size in [1usize, 3, 8, 9, 17, 40] {
            batch.clear();
            let messages: Vec<&[u8]> = (0..size)
                .map(|i| &data[i * 3..i * 3 + (i * 37 + size * 11) % 700])
                .collect();
            for m in &messages {
                batch.push(m);
            }
            batch.digests(&mut out);
            assert_eq!(out.len(), size);
            for (m, d) in messages.iter().zip(&out) {
                assert_eq!(
                    *d,
                    <[u8; 32]>::from(Sha256::digest(m)),
                    "{path:?}, len {}",
                    m.len()
                );
            }
        }
        // Around the padding boundaries (55, 56, 63, 64 bytes and so on).
        batch.clear();
        for len in 0..200 {
            batch.push(&data[..len]);
        }
        batch.digests(&mut out);
        for (len, d) in out.iter().enumerate() {
            assert_eq!(
                *d,
                <[u8; 32]>::from(Sha256::digest(&data[..len])),
                "{path:?}, len {len}"
            );
        }
    }
}
