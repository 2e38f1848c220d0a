//! The store's byte layout: little-endian arrays, each prefixed by its length, read back
//! without trusting the lengths (a corrupt store is an error, never a panic).

use anyhow::{bail, Result};

#[derive(Default)]
pub struct Writer {
    pub bytes: Vec<u8>,
}

impl Writer {
    fn len(&mut self, n: usize) {
        self.bytes.extend_from_slice(&(n as u64).to_le_bytes());
    }
    pub fn u8s(&mut self, v: &[u8]) {
        self.len(v.len());
        self.bytes.extend_from_slice(v);
    }
    pub fn u16s(&mut self, v: &[u16]) {
        self.len(v.len());
        for x in v {
            self.bytes.extend_from_slice(&x.to_le_bytes());
        }
    }
    pub fn u32s(&mut self, v: &[u32]) {
        self.len(v.len());
        for x in v {
            self.bytes.extend_from_slice(&x.to_le_bytes());
        }
    }
    pub fn f32s(&mut self, v: &[f32]) {
        self.len(v.len());
        for x in v {
            self.bytes.extend_from_slice(&x.to_le_bytes());
        }
    }
    pub fn str(&mut self, s: &str) {
        self.u8s(s.as_bytes());
    }
}

pub struct Reader<'a> {
    b: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub fn new(b: &'a [u8]) -> Self {
        Reader { b, pos: 0 }
    }

    fn take(&mut self, width: usize) -> Result<&'a [u8]> {
        let head = self.b.get(self.pos..self.pos + 8);
        let Some(head) = head else {
            bail!("license store is truncated")
        };
        let n = u64::from_le_bytes(head.try_into()?) as usize;
        self.pos += 8;
        let Some(size) = n.checked_mul(width) else {
            bail!("license store is corrupt")
        };
        let Some(body) = self.b.get(self.pos..self.pos + size) else {
            bail!("license store is truncated")
        };
        self.pos += size;
        Ok(body)
    }

    pub fn u8s(&mut self) -> Result<Vec<u8>> {
        Ok(self.take(1)?.to_vec())
    }
    pub fn u16s(&mut self) -> Result<Vec<u16>> {
        Ok(self
            .take(2)?
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect())
    }
    pub fn u32s(&mut self) -> Result<Vec<u32>> {
        Ok(self
            .take(4)?
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect())
    }
    pub fn f32s(&mut self) -> Result<Vec<f32>> {
        Ok(self
            .take(4)?
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect())
    }
    pub fn string(&mut self) -> Result<String> {
        Ok(String::from_utf8(self.u8s()?)?)
    }
    pub fn done(&self) -> bool {
        self.pos == self.b.len()
    }
}

/// Offsets that must rise from 0 to `total`, one more than the items they delimit.
pub fn check_offsets(name: &str, offsets: &[u32], items: usize, total: usize) -> Result<()> {
    if offsets.len() != items + 1
        || offsets.first() != Some(&0)
        || offsets.last().map(|&x| x as usize) != Some(total)
        || offsets.windows(2).any(|w| w[0] > w[1])
    {
        bail!("license store is corrupt ({name})");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_truncation() {
        let mut w = Writer::default();
        w.u16s(&[1, 2, 65535]);
        w.u32s(&[7]);
        w.str("héllo");
        let mut r = Reader::new(&w.bytes);
        assert_eq!(r.u16s().unwrap(), [1, 2, 65535]);
        assert_eq!(r.u32s().unwrap(), [7]);
        assert_eq!(r.string().unwrap(), "héllo");
        assert!(r.done());
        let cut = &w.bytes[..w.bytes.len() - 1];
        let mut r = Reader::new(cut);
        r.u16s().unwrap();
        r.u32s().unwrap();
        assert!(r.string().is_err());
        let mut huge = (u64::MAX).to_le_bytes().to_vec();
        huge.push(0);
        assert!(Reader::new(&huge).u32s().is_err());
    }
}
