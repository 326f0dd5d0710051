//! The clustering artefact: magic `TPCLUST1`, format version, payload, SHA-256 of what precedes it.
//! Fields are written in a fixed order, so the same data, method and seed give identical bytes.

use sha2::{Digest, Sha256};

use crate::{ClusterModel, ClusteringError, KChoice, Method};

const MAGIC: &[u8; 8] = b"TPCLUST1";
/// The artefact format version this build writes and reads.
pub const FORMAT_VERSION: u32 = 1;

impl ClusterModel {
    /// Encodes the model deterministically.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Vec::new();
        w.extend_from_slice(MAGIC);
        w.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        let put_u64 = |w: &mut Vec<u8>, v: u64| w.extend_from_slice(&v.to_le_bytes());
        let put_f64 = |w: &mut Vec<u8>, v: f64| w.extend_from_slice(&v.to_le_bytes());
        let put_str = |w: &mut Vec<u8>, s: &str| {
            w.extend_from_slice(&(s.len() as u64).to_le_bytes());
            w.extend_from_slice(s.as_bytes());
        };
        match self.method {
            Method::KMeans { k: KChoice::Fixed(k), seed } => {
                w.push(0);
                put_u64(&mut w, k as u64);
                put_u64(&mut w, 0);
                put_u64(&mut w, seed);
            }
            Method::KMeans { k: KChoice::Silhouette { min, max }, seed } => {
                w.push(1);
                put_u64(&mut w, min as u64);
                put_u64(&mut w, max as u64);
                put_u64(&mut w, seed);
            }
            Method::Dbscan { eps, min_points } => {
                w.push(2);
                put_f64(&mut w, eps);
                put_u64(&mut w, min_points as u64);
                put_u64(&mut w, 0);
            }
        }
        put_u64(&mut w, self.feature_names.len() as u64);
        for (j, name) in self.feature_names.iter().enumerate() {
            put_str(&mut w, name);
            put_f64(&mut w, self.mean[j]);
            put_f64(&mut w, self.std[j]);
        }
        put_u64(&mut w, self.assets.len() as u64);
        for (i, asset) in self.assets.iter().enumerate() {
            put_str(&mut w, asset);
            put_u64(&mut w, self.labels[i].map_or(u64::MAX, u64::from));
            self.points[i].iter().for_each(|&v| put_f64(&mut w, v));
        }
        put_u64(&mut w, self.centroids.len() as u64);
        for (id, c) in &self.centroids {
            put_u64(&mut w, u64::from(*id));
            c.iter().for_each(|&v| put_f64(&mut w, v));
        }
        put_f64(&mut w, self.silhouette.unwrap_or(f64::NAN));
        put_u64(&mut w, self.k_scores.len() as u64);
        for &(k, s) in &self.k_scores {
            put_u64(&mut w, k as u64);
            put_f64(&mut w, s);
        }
        put_u64(&mut w, u64::from(self.next_id));
        let digest = Sha256::digest(&w);
        w.extend_from_slice(&digest);
        w
    }

    /// Decodes [`ClusterModel::to_bytes`] output; any other format, version or corruption is an error.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ClusteringError> {
        let bad = |m: &str| ClusteringError::Artefact(m.to_string());
        if bytes.len() < 8 + 4 + 32 || &bytes[..8] != MAGIC {
            return Err(bad("it does not start with the clustering magic bytes `TPCLUST1`"));
        }
        let version = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes"));
        if version != FORMAT_VERSION {
            return Err(ClusteringError::Artefact(format!(
                "format version {version}; this build reads version {FORMAT_VERSION}: re-fit the clustering"
            )));
        }
        let (body, checksum) = bytes.split_at(bytes.len() - 32);
        if Sha256::digest(body).as_slice() != checksum {
            return Err(bad("checksum mismatch: the artefact is corrupt or truncated; fetch it again"));
        }
        let mut r = Reader { bytes: body, at: 12 };
        let tag = r.take(1)?[0];
        let (a, b, c) = (r.u64()?, r.u64()?, r.u64()?);
        let method = match tag {
            0 => Method::KMeans { k: KChoice::Fixed(a as usize), seed: c },
            1 => Method::KMeans { k: KChoice::Silhouette { min: a as usize, max: b as usize }, seed: c },
            2 => Method::Dbscan { eps: f64::from_bits(a), min_points: b as usize },
            _ => return Err(bad("unknown method tag")),
        };
        let dim = r.count()?;
        let (mut feature_names, mut mean, mut std) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..dim {
            feature_names.push(r.string()?);
            mean.push(r.f64()?);
            std.push(r.f64()?);
        }
        let n = r.count()?;
        let (mut assets, mut labels, mut points) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..n {
            assets.push(r.string()?);
            let l = r.u64()?;
            labels.push((l != u64::MAX).then_some(l as u32));
            points.push((0..dim).map(|_| r.f64()).collect::<Result<Vec<_>, _>>()?);
        }
        let k = r.count()?;
        let mut centroids = Vec::new();
        for _ in 0..k {
            let id = r.u64()? as u32;
            centroids.push((id, (0..dim).map(|_| r.f64()).collect::<Result<Vec<_>, _>>()?));
        }
        let s = r.f64()?;
        let ks = r.count()?;
        let k_scores = (0..ks)
            .map(|_| Ok((r.u64()? as usize, r.f64()?)))
            .collect::<Result<Vec<_>, ClusteringError>>()?;
        let next_id = r.u64()? as u32;
        if r.at != body.len() {
            return Err(bad("unexpected bytes after the model"));
        }
        Ok(Self {
            feature_names,
            mean,
            std,
            method,
            assets,
            points,
            labels,
            centroids,
            silhouette: (!s.is_nan()).then_some(s),
            k_scores,
            next_id,
        })
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], ClusteringError> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.bytes.len()).ok_or_else(|| {
            ClusteringError::Artefact(format!("truncated: {n} more bytes expected at offset {}", self.at))
        })?;
        let out = &self.bytes[self.at..end];
        self.at = end;
        Ok(out)
    }
    fn u64(&mut self) -> Result<u64, ClusteringError> {
        Ok(u64::from_le_bytes(self.take(8)?.try_into().expect("8 bytes")))
    }
    fn f64(&mut self) -> Result<f64, ClusteringError> {
        Ok(f64::from_bits(self.u64()?))
    }
    /// A count, bounded by the bytes left so a corrupt size cannot trigger a huge allocation.
    fn count(&mut self) -> Result<usize, ClusteringError> {
        let v = self.u64()?;
        usize::try_from(v).ok().filter(|&v| v <= self.bytes.len()).ok_or_else(|| {
            ClusteringError::Artefact(format!("a count field holds {v}, more than the artefact could hold"))
        })
    }
    fn string(&mut self) -> Result<String, ClusteringError> {
        let n = self.count()?;
        String::from_utf8(self.take(n)?.to_vec())
            .map_err(|_| ClusteringError::Artefact("a name is not UTF-8".into()))
    }
}
