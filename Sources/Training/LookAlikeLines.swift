import Foundation
import ImagingCore
import Inspection
import NeuralNet

/// Straight-line look-alikes drawn onto training frames as background: formwork and planking joints, saw-cut slab
/// joints, lane paint and stall lines. Cracks wander; these run straight across the frame, often in parallel sets,
/// with an even width and contrast. A per-pixel network trained only on cracks calls every thin dark line a crack
/// (UAV75's planking, a survey camera's joints); frames with such lines drawn on them, labelled as they were (the
/// lines are not cracks), teach it the difference from licence-clean crack-free surfaces.
public enum LookAlikeLines {
    /// One drawn line: a point on it, its direction, its profile.
    struct Line {
        var x: Double, y: Double
        /// Unit direction.
        var dx: Double, dy: Double
        /// Full width at half contrast, pixels.
        var width: Double
        /// Gray levels added at the centre (negative: a dark joint; positive: paint).
        var contrast: Double
        /// Gaps along the line (dashed paint, interrupted joints): period and the share that is drawn; period 0:
        /// unbroken.
        var dashPeriod: Double, dashDuty: Double
        /// Slow change of the contrast along the line: amplitude (share) and period.
        var wobble: Double, wobblePeriod: Double, phase: Double
    }

    /// The lines for a `width × height` frame: a parallel set (planking, joints: mostly along the frame's axes) or
    /// one to three lines at any angle.
    static func lines(width: Int, height: Int, rng: inout RandomSource) -> [Line] {
        let w = Double(width), h = Double(height)
        func profile(_ rng: inout RandomSource) -> (width: Double, contrast: Double) {
            let lw = 0.8 + 3.2 * Double(rng.uniform()) * Double(rng.uniform())
            let dark = rng.uniform() < 0.7
            let c = 8 + 40 * Double(rng.uniform())
            return (lw, dark ? -c : c)
        }
        func line(at x: Double, _ y: Double, angle: Double, _ rng: inout RandomSource) -> Line {
            let p = profile(&rng)
            let dashed = rng.uniform() < 0.2
            return Line(x: x, y: y, dx: cos(angle), dy: sin(angle), width: p.width, contrast: p.contrast,
                        dashPeriod: dashed ? 20 + 60 * Double(rng.uniform()) : 0, dashDuty: 0.4 + 0.4 * Double(rng.uniform()),
                        wobble: 0.4 * Double(rng.uniform()), wobblePeriod: 30 + 200 * Double(rng.uniform()),
                        phase: 2 * Double.pi * Double(rng.uniform()))
        }
        var out: [Line] = []
        if rng.uniform() < 0.6 {
            // A parallel set across the frame, one profile for the set (one formwork, one paint job).
            let axis = rng.uniform() < 0.7
            let angle = axis ? Double(rng.index(below: 2)) * Double.pi / 2 + (Double(rng.uniform()) - 0.5) * 0.06
                             : Double.pi * Double(rng.uniform())
            let spacing = 25 + 110 * Double(rng.uniform())
            var first = line(at: w / 2, h / 2, angle: angle, &rng)
            let nx = -first.dy, ny = first.dx
            let reach = (w * abs(nx) + h * abs(ny)) / 2
            let offset0 = Double(rng.uniform()) * spacing
            var s = -reach + offset0
            while s < reach {
                first.x = w / 2 + nx * s; first.y = h / 2 + ny * s
                // Each line of a set a little different (wear, dirt).
                var l = first
                l.contrast *= 0.8 + 0.4 * Double(rng.uniform())
                l.phase = 2 * Double.pi * Double(rng.uniform())
                out.append(l)
                s += spacing
            }
        } else {
            for _ in 0..<(1 + rng.index(below: 3)) {
                out.append(line(at: w * Double(rng.uniform()), h * Double(rng.uniform()),
                                angle: Double.pi * Double(rng.uniform()), &rng))
            }
        }
        return out
    }

    /// `image` with straight look-alike lines drawn on its gray pixels (additively, so the surface's texture shows
    /// through); the crack and leak labels stay as they were. Deterministic for a seed.
    public static func drawn(on image: CrackImage, seed: UInt64) -> CrackImage {
        var rng = RandomSource(seed: seed)
        let g = image.gray
        precondition(g.format == .gray8)
        var out = g
        let lines = lines(width: g.width, height: g.height, rng: &rng)
        for y in 0..<g.height {
            for x in 0..<g.width {
                var add = 0.0
                for l in lines {
                    let px = Double(x) - l.x, py = Double(y) - l.y
                    let d = abs(px * -l.dy + py * l.dx)
                    guard d < l.width * 1.5 + 1 else { continue }
                    let t = px * l.dx + py * l.dy
                    if l.dashPeriod > 0 {
                        let u = (t / l.dashPeriod).truncatingRemainder(dividingBy: 1)
                        if (u < 0 ? u + 1 : u) > l.dashDuty { continue }
                    }
                    // A soft-edged bar: full contrast inside the half width, a linear edge one pixel wide.
                    let edge = min(1, max(0, l.width / 2 + 0.5 - d))
                    let mod = 1 + l.wobble * sin(2 * Double.pi * t / l.wobblePeriod + l.phase)
                    add += l.contrast * edge * mod
                }
                if add != 0 {
                    let i = y * g.rowStride + x
                    out.bytes[i] = UInt8(max(0, min(255, (Double(g.bytes[i]) + add).rounded())))
                }
            }
        }
        return CrackImage(name: image.name + "+lines", gray: out, truth: image.truth, leak: image.leak, rgb: nil)
    }
}
