//! The dense linear algebra the ridge fit needs: a matrix product (delegated to `matrixmultiply`'s
//! cache-blocked SIMD kernels) and the inverse of a symmetric positive definite matrix via Cholesky.
//! Matrices are row-major `Vec<f64>`.

use crate::ForecastError;

/// `c = a·b` for row-major `a` (`m × k`) and `b` (`k × n`).
pub(crate) fn matmul(a: &[f64], b: &[f64], m: usize, k: usize, n: usize) -> Vec<f64> {
    let mut c = vec![0.0; m * n];
    gemm(a, (k as isize, 1), b, (n as isize, 1), (m, k, n), &mut c);
    c
}

/// `c = a·b` with `a` addressed as `m × k` and `b` as `k × n` through (row, column) strides, `c` row-major.
fn gemm(
    a: &[f64],
    a_strides: (isize, isize),
    b: &[f64],
    b_strides: (isize, isize),
    (m, k, n): (usize, usize, usize),
    c: &mut [f64],
) {
    assert!(a.len() >= m * k && b.len() >= k * n && c.len() >= m * n, "matrix sizes do not match");
    if m == 0 || n == 0 {
        return;
    }
    // SAFETY: the asserts above keep every index the kernel touches inside the three slices: `a` is
    // addressed as m×k and `b` as k×n with the given strides (row-major or its transpose, both within
    // m·k and k·n), and `c` as m×n row-major; `c` does not alias `a` or `b` (it is a distinct `&mut`).
    unsafe {
        matrixmultiply::dgemm(
            m,
            k,
            n,
            1.0,
            a.as_ptr(),
            a_strides.0,
            a_strides.1,
            b.as_ptr(),
            b_strides.0,
            b_strides.1,
            0.0,
            c.as_mut_ptr(),
            n as isize,
            1,
        );
    }
}

/// The inverse of the symmetric positive definite `d × d` matrix `a` (row-major, both triangles).
pub(crate) fn spd_inverse(a: &[f64], d: usize) -> Result<Vec<f64>, ForecastError> {
    let lower = cholesky(a, d)?;
    let inv_t = lower_inverse_transposed(&lower, d);
    // A⁻¹ = L⁻ᵀ·L⁻¹ = Y·Yᵀ with Y = L⁻ᵀ.
    let mut c = vec![0.0; d * d];
    gemm(&inv_t, (d as isize, 1), &inv_t, (1, d as isize), (d, d, d), &mut c);
    Ok(c)
}

/// The lower Cholesky factor `L` with `L·Lᵀ = a`.
fn cholesky(a: &[f64], d: usize) -> Result<Vec<f64>, ForecastError> {
    let mut l = vec![0.0; d * d];
    for j in 0..d {
        let row_j = &l[j * d..j * d + j];
        let diag = a[j * d + j] - row_j.iter().map(|v| v * v).sum::<f64>();
        if !(diag > 0.0 && diag.is_finite()) {
            return Err(ForecastError::NotPositiveDefinite { pivot: j, value: diag });
        }
        let pivot = diag.sqrt();
        l[j * d + j] = pivot;
        for i in j + 1..d {
            let dot: f64 = (0..j).map(|p| l[i * d + p] * l[j * d + p]).sum();
            l[i * d + j] = (a[i * d + j] - dot) / pivot;
        }
    }
    Ok(l)
}

/// `(L⁻¹)ᵀ` for a lower-triangular `L` with a positive diagonal, by forward substitution one column of
/// `L⁻¹` at a time (stored as a row, so every inner loop runs over contiguous memory).
fn lower_inverse_transposed(l: &[f64], d: usize) -> Vec<f64> {
    let mut inv_t = vec![0.0; d * d];
    for j in 0..d {
        let x = &mut inv_t[j * d..(j + 1) * d];
        x[j] = 1.0 / l[j * d + j];
        for i in j + 1..d {
            let row = &l[i * d + j..i * d + i];
            let s: f64 = row.iter().zip(&x[j..i]).map(|(a, b)| a * b).sum();
            x[i] = -s / l[i * d + i];
        }
    }
    inv_t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverse_times_matrix_is_identity() {
        let d = 5;
        let b: Vec<f64> = (0..d * d).map(|i| ((i * 7 % 11) as f64) - 5.0).collect();
        let bt: Vec<f64> = (0..d * d).map(|i| b[(i % d) * d + i / d]).collect();
        let mut a = matmul(&bt, &b, d, d, d);
        for i in 0..d {
            a[i * d + i] += 0.5;
        }
        let inv = spd_inverse(&a, d).unwrap();
        let id = matmul(&a, &inv, d, d, d);
        for i in 0..d {
            for j in 0..d {
                let expected = if i == j { 1.0 } else { 0.0 };
                assert!((id[i * d + j] - expected).abs() < 1e-9, "({i},{j}) = {}", id[i * d + j]);
            }
        }
    }

    #[test]
    fn an_indefinite_matrix_is_reported_with_its_pivot() {
        let a = [1.0, 2.0, 2.0, 1.0];
        match spd_inverse(&a, 2) {
            Err(ForecastError::NotPositiveDefinite { pivot: 1, .. }) => {}
            other => panic!("expected a failing pivot 1, got {other:?}"),
        }
    }
}
