/// One 8-connected region of a ``BinaryMask``.
public struct Component: Sendable, Equatable {
    /// Label in the label image (1-based).
    public let label: Int32
    /// Pixel count.
    public var area: Int
    /// Bounding box: min x, min y, max x, max y (inclusive).
    public var minX: Int, minY: Int, maxX: Int, maxY: Int

    public var width: Int { maxX - minX + 1 }
    public var height: Int { maxY - minY + 1 }
}

/// Labels the 8-connected regions of a mask (two-pass with union-find).
public struct ConnectedComponents: Sendable {
    public let width: Int
    public let height: Int
    /// `height × width` labels; 0 = background, else the component's ``Component/label``.
    public let labels: [Int32]
    /// The regions, in label order.
    public let components: [Component]

    /// - Parameters: mask: the binary image to label.
    public init(_ mask: BinaryMask) {
        let w = mask.width, h = mask.height
        var labels = [Int32](repeating: 0, count: w * h)
        var parent: [Int32] = [0]
        func find(_ x: Int32) -> Int32 {
            var r = x
            while parent[Int(r)] != r { r = parent[Int(r)] }
            var c = x
            while parent[Int(c)] != r { let n = parent[Int(c)]; parent[Int(c)] = r; c = n }
            return r
        }
        func union(_ a: Int32, _ b: Int32) {
            let ra = find(a), rb = find(b)
            if ra != rb { parent[Int(max(ra, rb))] = min(ra, rb) }
        }
        for y in 0..<h {
            for x in 0..<w where mask.bits[y * w + x] != 0 {
                var label: Int32 = 0
                // Already-visited neighbours: W, NW, N, NE.
                let neighbours = [(x - 1, y), (x - 1, y - 1), (x, y - 1), (x + 1, y - 1)]
                for (nx, ny) in neighbours where nx >= 0 && ny >= 0 && nx < w {
                    let l = labels[ny * w + nx]
                    if l == 0 { continue }
                    if label == 0 { label = l } else if l != label { union(label, l) }
                }
                if label == 0 {
                    label = Int32(parent.count)
                    parent.append(label)
                }
                labels[y * w + x] = label
            }
        }
        // Second pass: final labels 1...n in order of first appearance, with statistics.
        var remap = [Int32](repeating: 0, count: parent.count)
        var comps: [Component] = []
        for y in 0..<h {
            for x in 0..<w {
                let l = labels[y * w + x]
                if l == 0 { continue }
                let root = find(l)
                if remap[Int(root)] == 0 {
                    comps.append(Component(label: Int32(comps.count + 1), area: 0, minX: x, minY: y, maxX: x, maxY: y))
                    remap[Int(root)] = Int32(comps.count)
                }
                let final = remap[Int(root)]
                labels[y * w + x] = final
                let i = Int(final) - 1
                comps[i].area += 1
                comps[i].minX = min(comps[i].minX, x); comps[i].maxX = max(comps[i].maxX, x)
                comps[i].minY = min(comps[i].minY, y); comps[i].maxY = max(comps[i].maxY, y)
            }
        }
        width = w
        height = h
        self.labels = labels
        components = comps
    }

    /// The mask of one component, cropped to its bounding box grown by `margin`.
    /// - Returns: the mask and the crop's origin in frame coordinates.
    public func mask(of c: Component, margin: Int = 1) -> (mask: BinaryMask, originX: Int, originY: Int) {
        let ox = c.minX - margin, oy = c.minY - margin
        var m = BinaryMask(width: c.width + 2 * margin, height: c.height + 2 * margin)
        for y in c.minY...c.maxY {
            for x in c.minX...c.maxX where labels[y * width + x] == c.label {
                m.bits[(y - oy) * m.width + (x - ox)] = 1
            }
        }
        return (m, ox, oy)
    }
}
