//! Principal component analysis down to two dimensions, for plotting a few dozen word vectors.
//!
//! The covariance `C = Xᵀ X / (n - 1)` of the centred rows is formed once; its leading
//! eigenvector is found by power iteration (`v ← C v / |C v|`), removed (`C ← C - λ v vᵀ`), and the
//! second found the same way. The sign of each component is fixed so that its largest coordinate
//! is positive, which makes the picture deterministic.

/// Projects `rows` (all of one length) onto their first two principal components.
pub fn pca_2d(rows: &[&[f32]]) -> Vec<[f32; 2]> {
    let n = rows.len();
    let d = rows.first().map_or(0, |r| r.len());
    if n < 2 || d == 0 || rows.iter().any(|r| r.len() != d) {
        return vec![[0.0, 0.0]; n];
    }
    let mut mean = vec![0.0f64; d];
    for r in rows {
        for (m, &x) in mean.iter_mut().zip(r.iter()) {
            *m += x as f64 / n as f64;
        }
    }
    let centred: Vec<Vec<f64>> = rows
        .iter()
        .map(|r| r.iter().zip(&mean).map(|(&x, m)| x as f64 - m).collect())
        .collect();
    let mut cov = vec![0.0f64; d * d];
    for r in &centred {
        for i in 0..d {
            for j in 0..d {
                cov[i * d + j] += r[i] * r[j] / (n - 1) as f64;
            }
        }
    }
    let first = leading_eigenvector(&cov, d);
    let lambda = rayleigh(&cov, &first, d);
    for i in 0..d {
        for j in 0..d {
            cov[i * d + j] -= lambda * first[i] * first[j];
        }
    }
    let second = leading_eigenvector(&cov, d);
    centred
        .iter()
        .map(|r| {
            let p = |v: &[f64]| r.iter().zip(v).map(|(a, b)| a * b).sum::<f64>() as f32;
            [p(&first), p(&second)]
        })
        .collect()
}

fn mat_vec(m: &[f64], v: &[f64], d: usize) -> Vec<f64> {
    (0..d)
        .map(|i| {
            m[i * d..(i + 1) * d]
                .iter()
                .zip(v)
                .map(|(a, b)| a * b)
                .sum()
        })
        .collect()
}

fn rayleigh(m: &[f64], v: &[f64], d: usize) -> f64 {
    mat_vec(m, v, d).iter().zip(v).map(|(a, b)| a * b).sum()
}

fn leading_eigenvector(m: &[f64], d: usize) -> Vec<f64> {
    // A fixed, unsymmetric start so that no eigenvector is missed by accident.
    let mut v: Vec<f64> = (0..d).map(|i| 1.0 + (i as f64 * 0.618).fract()).collect();
    for _ in 0..500 {
        let w = mat_vec(m, &v, d);
        let norm = w.iter().map(|x| x * x).sum::<f64>().sqrt();
        if norm == 0.0 {
            return vec![0.0; d];
        }
        v = w.into_iter().map(|x| x / norm).collect();
    }
    let big = v
        .iter()
        .copied()
        .max_by(|a, b| a.abs().total_cmp(&b.abs()))
        .unwrap_or(1.0);
    if big < 0.0 {
        v.iter_mut().for_each(|x| *x = -*x);
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_spread_directions() {
        // Points on a plane in 3-D: large spread along (1, 1, 0), small along (0, 0, 1).
        let pts: Vec<[f32; 3]> = vec![
            [-2.0, -2.0, 0.1],
            [-1.0, -1.0, -0.1],
            [0.0, 0.0, 0.1],
            [1.0, 1.0, -0.1],
            [2.0, 2.0, 0.0],
        ];
        let rows: Vec<&[f32]> = pts.iter().map(|p| &p[..]).collect();
        let out = pca_2d(&rows);
        let s2 = 2f32.sqrt();
        for (p, o) in pts.iter().zip(&out) {
            assert!((o[0] - p[0] * s2).abs() < 0.02, "{o:?}");
            assert!(o[1].abs() < 0.15, "{o:?}");
        }
        assert_eq!(pca_2d(&rows[..1]), [[0.0, 0.0]]);
    }
}
