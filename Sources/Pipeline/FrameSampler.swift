import Geo
import Metadata

/// How frames are taken from a video.
public enum FrameSampling: Sendable, Equatable, CustomStringConvertible {
    /// The next frame when the ground moved by this fraction of the last frame's footprint along the motion
    /// (0.5: every point of ground is seen in about two frames), or the view turned by 30°.
    case groundCovered(fraction: Double)
    /// A frame every so many seconds of video.
    case seconds(Double)
    /// A frame every so many metres travelled.
    case metres(Double)

    /// The default: half a footprint.
    public static let standard = FrameSampling.groundCovered(fraction: 0.5)

    public var description: String {
        switch self {
        case .groundCovered(let f): "every \(f) footprint"
        case .seconds(let s): "every \(s) s"
        case .metres(let m): "every \(m) m"
        }
    }
}

/// Chooses which frames of a video to analyse, from the telemetry alone (before anything is decoded).
///
/// A frame with a position is taken when the ground moved enough since the last frame taken (see
/// ``FrameSampling``), so a parked vehicle or a hovering drone gives one frame, not thousands. Frames without a
/// position (telemetry that does not cover them), and positioned frames whose footprint is unknown (no camera
/// intrinsics), are taken every `fallbackSeconds`.
public struct FrameSampler: Sendable {
    /// What one video frame looks like to the sampler.
    public struct Candidate: Sendable {
        /// Seconds from the first frame.
        public var time: Double
        /// Telemetry at that time (nil: not covered).
        public var sample: TelemetrySample?
        /// Heading of the view, degrees (gimbal yaw or direction of travel), if known.
        public var yaw: Double?

        public init(time: Double, sample: TelemetrySample?, yaw: Double? = nil) {
            self.time = time
            self.sample = sample
            self.yaw = yaw
        }
    }

    public var sampling: FrameSampling
    /// Interval for frames the ground rule cannot place, seconds.
    public var fallbackSeconds: Double
    /// Turn of the view that takes a new frame in ground mode, degrees.
    public var turnDegrees: Double

    public init(sampling: FrameSampling = .standard, fallbackSeconds: Double = 2, turnDegrees: Double = 30) {
        self.sampling = sampling
        self.fallbackSeconds = fallbackSeconds
        self.turnDegrees = turnDegrees
    }

    /// The indices of the frames to take, ascending.
    /// - Parameters:
    ///   - count: frames in the video.
    ///   - candidate: the frame at an index.
    ///   - footprint: ground footprint of a taken frame (ENU metres around its nadir point, with the farthest
    ///     distance that counts), nil when unknown; asked once per taken frame.
    public func choose(count: Int, candidate: (Int) -> Candidate,
                       footprint: (Int) -> (corners: [SIMD2<Double>], maximumDistance: Double?)?) -> [Int]
    {
        var taken: [Int] = []
        var last: (index: Int, c: Candidate, footprint: (corners: [SIMD2<Double>], maximumDistance: Double?)?)?
        for i in 0..<count {
            let c = candidate(i)
            let take: Bool
            if let l = last {
                take = shouldTake(c, after: l.c, footprint: l.footprint)
            } else {
                take = true
            }
            if take {
                taken.append(i)
                last = (i, c, c.sample?.hasPosition == true ? footprint(i) : nil)
            }
        }
        return taken
    }

    func shouldTake(_ c: Candidate, after l: Candidate,
                    footprint: (corners: [SIMD2<Double>], maximumDistance: Double?)?) -> Bool
    {
        // Frame times are decimal stamps (0.7 - 0.5 < 0.2 in binary): a microsecond of slack keeps a regular beat.
        let elapsed = c.time - l.time + 1e-6
        if case .seconds(let s) = sampling { return elapsed >= s }
        guard let s = c.sample, s.hasPosition else {
            // Uncovered: at the edge of the track, then by time.
            return l.sample?.hasPosition == true || elapsed >= fallbackSeconds
        }
        guard let ls = l.sample, ls.hasPosition, let d = TelemetryTrack.displacement(from: ls, to: s) else { return true }
        let distance = (d * d).sum().squareRoot()
        switch sampling {
        case .seconds: return elapsed >= 0
        case .metres(let m): return distance >= m
        case .groundCovered(let fraction):
            if let a = c.yaw, let b = l.yaw {
                var turn = abs(a - b).truncatingRemainder(dividingBy: 360)
                if turn > 180 { turn = 360 - turn }
                if turn >= turnDegrees { return true }
            }
            guard let footprint, !footprint.corners.isEmpty else { return elapsed >= fallbackSeconds }
            guard distance > 0 else { return false }
            let u = d / distance
            let along = footprint.corners.map { ($0 * u).sum() }
            var hi = along.max() ?? 0
            let lo = along.min() ?? 0
            if let m = footprint.maximumDistance { hi = min(hi, m) }
            let depth = max(0, hi - lo)
            return depth > 0 ? distance >= fraction * depth : elapsed >= fallbackSeconds
        }
    }
}
