/// Thinning of binary regions to one-pixel-wide, 8-connected skeletons.
public enum Thinning {
    /// Guo–Hall parallel thinning (algorithm A1, 1989). Unlike Zhang–Suen it keeps two-pixel-thick
    /// diagonal bands (which Zhang–Suen erases entirely), common in cracks at 45°.
    /// - Parameters: mask: the regions (pixels outside the mask count as off).
    /// - Returns: the skeleton.
    public static func guoHall(_ mask: BinaryMask) -> BinaryMask {
        var m = mask
        let w = m.width, h = m.height
        var toClear: [Int] = []
        var candidates: [Int] = (0..<(w * h)).filter { m.bits[$0] != 0 }
        var changed = true
        while changed {
            changed = false
            for step in 0..<2 {
                toClear.removeAll(keepingCapacity: true)
                for i in candidates where m.bits[i] != 0 {
                    let x = i % w, y = i / w
                    let p2 = m[x, y - 1], p3 = m[x + 1, y - 1], p4 = m[x + 1, y], p5 = m[x + 1, y + 1]
                    let p6 = m[x, y + 1], p7 = m[x - 1, y + 1], p8 = m[x - 1, y], p9 = m[x - 1, y - 1]
                    func b(_ v: Bool) -> Int { v ? 1 : 0 }
                    let c = b(!p2 && (p3 || p4)) + b(!p4 && (p5 || p6)) + b(!p6 && (p7 || p8)) + b(!p8 && (p9 || p2))
                    guard c == 1 else { continue }
                    let n1 = b(p9 || p2) + b(p3 || p4) + b(p5 || p6) + b(p7 || p8)
                    let n2 = b(p2 || p3) + b(p4 || p5) + b(p6 || p7) + b(p8 || p9)
                    let n = min(n1, n2)
                    guard n >= 2 && n <= 3 else { continue }
                    let keep = step == 0 ? ((p6 || p7 || !p9) && p8) : ((p2 || p3 || !p5) && p4)
                    if !keep { toClear.append(i) }
                }
                if !toClear.isEmpty {
                    changed = true
                    for i in toClear { m.bits[i] = 0 }
                }
            }
            candidates.removeAll { m.bits[$0] == 0 }
        }
        return m
    }
}
