/// Exact Euclidean distance transform (Felzenszwalb & Huttenlocher's lower-envelope method).
public enum DistanceTransform {
    /// Distance from each on pixel to the nearest off pixel (0 for off pixels). Pixels outside the mask count as off.
    /// - Returns: `height × width` distances in pixels.
    public static func euclidean(_ mask: BinaryMask) -> [Float] {
        let w = mask.width, h = mask.height
        let inf: Float = 1e20
        // Pad by one off pixel on every side so that the border counts as background.
        let pw = w + 2, ph = h + 2
        var f = [Float](repeating: 0, count: pw * ph)
        for y in 0..<h { for x in 0..<w where mask.bits[y * w + x] != 0 { f[(y + 1) * pw + x + 1] = inf } }
        var column = [Float](repeating: 0, count: ph)
        var out = [Float](repeating: 0, count: max(pw, ph))
        for x in 0..<pw {
            for y in 0..<ph { column[y] = f[y * pw + x] }
            transform1D(column, count: ph, into: &out)
            for y in 0..<ph { f[y * pw + x] = out[y] }
        }
        var row = [Float](repeating: 0, count: pw)
        var result = [Float](repeating: 0, count: w * h)
        for y in 1...h {
            for x in 0..<pw { row[x] = f[y * pw + x] }
            transform1D(row, count: pw, into: &out)
            for x in 1...w { result[(y - 1) * w + x - 1] = out[x].squareRoot() }
        }
        return result
    }

    /// Squared distance transform of a sampled function along one line.
    static func transform1D(_ f: [Float], count n: Int, into d: inout [Float]) {
        var v = [Int](repeating: 0, count: n)
        var z = [Float](repeating: 0, count: n + 1)
        var k = 0
        z[0] = -.infinity
        z[1] = .infinity
        for q in 1..<n {
            var s: Float
            repeat {
                let p = v[k]
                s = ((f[q] + Float(q * q)) - (f[p] + Float(p * p))) / Float(2 * q - 2 * p)
                if s <= z[k] { k -= 1 } else { break }
            } while k >= 0
            k += 1
            v[k] = q
            z[k] = s
            z[k + 1] = .infinity
        }
        k = 0
        for q in 0..<n {
            while z[k + 1] < Float(q) { k += 1 }
            let dq = Float(q - v[k])
            d[q] = dq * dq + f[v[k]]
        }
    }
}
