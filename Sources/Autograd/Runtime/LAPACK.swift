internal import CLAPACKE

/// The LAPACK routines the package needs, through LAPACKE.
public enum LAPACK {
    /// The thin QR factorisation of a row-major `rows x cols` matrix with `rows >= cols`:
    /// `Q` (`rows x cols`, orthonormal columns, row-major) and the diagonal of `R`.
    ///
    /// `sgeqrf` computes the Householder reflectors, `sorgqr` forms `Q` from them.
    public static func qr(_ a: [Float], rows: Int, cols: Int) -> (q: [Float], rDiagonal: [Float]) {
        precondition(rows >= cols && a.count == rows * cols, "qr of a \(rows)x\(cols) matrix")
        var matrix = a
        var tau = [Float](repeating: 0, count: cols)
        var status = LAPACKE_sgeqrf(
            LAPACK_ROW_MAJOR, Int32(rows), Int32(cols), &matrix, Int32(cols), &tau)
        precondition(status == 0, "sgeqrf failed with \(status)")
        let diagonal = (0..<cols).map { matrix[$0 * cols + $0] }
        status = LAPACKE_sorgqr(
            LAPACK_ROW_MAJOR, Int32(rows), Int32(cols), Int32(cols), &matrix, Int32(cols), &tau)
        precondition(status == 0, "sorgqr failed with \(status)")
        return (matrix, diagonal)
    }
}
