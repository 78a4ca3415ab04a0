/// The one flood fill of the detector: the 4- or 8-connected regions of the cells of a `width × height` grid for which
/// a test holds, visited one region at a time (holes inside a crack, paved areas of the surface map, dark regions).
/// ``ConnectedComponents`` labels a whole mask at once; this visits regions with their cells.
public enum FloodFill {
    /// Which neighbours join a region.
    public enum Connectivity: Sendable {
        /// Left, right, up, down.
        case four
        /// The four and the diagonals.
        case eight
    }

    /// Calls `body` with each region's cells (row-major indices `y · width + x`, in visiting order) and whether the
    /// region touches the grid's border. Regions come in the order of their first cell.
    /// - Parameters: member: whether the cell at an index belongs to some region.
    public static func forEachRegion(width w: Int, height h: Int, connectivity: Connectivity = .four,
                                     member: (Int) -> Bool, body: (_ cells: [Int], _ touchesBorder: Bool) -> Void) {
        guard w > 0 && h > 0 else { return }
        var seen = [Bool](repeating: false, count: w * h)
        var stack: [Int] = [], region: [Int] = []
        let diagonals = connectivity == .eight
        for start in 0..<(w * h) where !seen[start] && member(start) {
            region.removeAll(keepingCapacity: true)
            var touches = false
            seen[start] = true
            stack.append(start)
            while let i = stack.popLast() {
                region.append(i)
                let x = i % w, y = i / w
                if x == 0 || y == 0 || x == w - 1 || y == h - 1 { touches = true }
                for dy in -1...1 {
                    for dx in -1...1 where (dx != 0 || dy != 0) && (diagonals || dx == 0 || dy == 0) {
                        let nx = x + dx, ny = y + dy
                        guard nx >= 0 && ny >= 0 && nx < w && ny < h else { continue }
                        let j = ny * w + nx
                        if !seen[j] && member(j) { seen[j] = true; stack.append(j) }
                    }
                }
            }
            body(region, touches)
        }
    }
}
