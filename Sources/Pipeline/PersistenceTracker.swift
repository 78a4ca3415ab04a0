import Findings

/// The persistence rule of `pavewatch watch`: a defect is reported only when it is seen in at least
/// `required` of the last `window` frames at the same place (same class, pixel boxes overlapping with an
/// intersection over union of at least `minimumIoU`, which suits a fixed camera).
///
/// Each place is a track: the boxes of consecutive frames are matched to tracks greedily by IoU. A track
/// that reaches `required` sightings is confirmed and its finding reported; while it stays in view it is
/// reported again every `resightEvery` sightings (0: never), so the ticket's last-seen time moves on. A track
/// not seen for `window` frames is forgotten; if the defect comes back it is confirmed and reported again,
/// and the ticket store's location matching updates the known ticket. Memory: at most `maxTracks` tracks.
public struct PersistenceTracker: Sendable {
    /// One place being followed.
    public struct Track: Sendable, Hashable {
        /// Identifier, increasing.
        public var id: Int
        /// Crack or leak.
        public var defectClass: DefectClass
        /// Box of the latest sighting.
        public var bbox: BoundingBox
        /// Sightings in the window, newest in bit 0.
        public var history: UInt64
        /// Whether the rule has been met.
        public var confirmed = false
        /// Sightings since the last report.
        public var sinceReport = 0

        /// Sightings in the window.
        public var hits: Int { history.nonzeroBitCount }
    }

    /// Sightings needed (N).
    public let required: Int
    /// Frames looked back over (M, 1...64).
    public let window: Int
    /// Least IoU for a box to continue a track.
    public let minimumIoU: Double
    /// Report a confirmed track again after this many further sightings (0: only when confirmed).
    public let resightEvery: Int
    /// Most tracks followed (new boxes beyond it are ignored until tracks expire).
    public let maxTracks: Int
    /// The tracks followed now.
    public private(set) var tracks: [Track] = []
    private var nextId = 1
    private let mask: UInt64

    /// - Parameters:
    ///   - required: N, 1...window.
    ///   - window: M, 1...64.
    ///   - minimumIoU: least box overlap (0...1) to be the same place.
    ///   - resightEvery: re-report a confirmed track after this many sightings (0: never).
    ///   - maxTracks: memory bound.
    public init(required: Int, window: Int, minimumIoU: Double = 0.3, resightEvery: Int = 0, maxTracks: Int = 512) {
        precondition((1...64).contains(window) && (1...window).contains(required), "need 1 ≤ N ≤ M ≤ 64")
        self.required = required
        self.window = window
        self.minimumIoU = minimumIoU
        self.resightEvery = max(0, resightEvery)
        self.maxTracks = max(1, maxTracks)
        self.mask = window == 64 ? .max : (UInt64(1) << UInt64(window)) - 1
    }

    /// Intersection over union of two boxes (0 when either is empty).
    public static func iou(_ a: BoundingBox, _ b: BoundingBox) -> Double {
        let inter = Double(a.intersection(b).area)
        let union = Double(a.area + b.area) - inter
        return union > 0 ? inter / union : 0
    }

    /// Takes the findings of the next frame.
    /// - Parameters: findings: the frame's findings, in pixel coordinates.
    /// - Returns: indices into `findings` to report now (their tracks were just confirmed or are due a re-sighting).
    public mutating func observe(_ findings: [Finding]) -> [Int] {
        for i in tracks.indices { tracks[i].history = (tracks[i].history << 1) & mask }
        // Greedy matching, best overlap first.
        var pairs: [(iou: Double, track: Int, finding: Int)] = []
        for (t, track) in tracks.enumerated() {
            for (f, finding) in findings.enumerated() where finding.defectClass == track.defectClass {
                let o = Self.iou(track.bbox, finding.bbox)
                if o >= minimumIoU && o > 0 { pairs.append((o, t, f)) }
            }
        }
        pairs.sort { ($0.iou, -$0.track, -$0.finding) > ($1.iou, -$1.track, -$1.finding) }
        var trackTaken = Set<Int>(), findingTaken = [Int: Int]()
        for p in pairs where !trackTaken.contains(p.track) && findingTaken[p.finding] == nil {
            trackTaken.insert(p.track)
            findingTaken[p.finding] = p.track
        }
        var report: [Int] = []
        for (f, finding) in findings.enumerated() {
            let t: Int
            if let matched = findingTaken[f] {
                t = matched
            } else {
                guard tracks.count < maxTracks else { continue }
                tracks.append(Track(id: nextId, defectClass: finding.defectClass, bbox: finding.bbox, history: 0))
                nextId += 1
                t = tracks.count - 1
            }
            tracks[t].history |= 1
            tracks[t].bbox = finding.bbox
            if tracks[t].confirmed {
                tracks[t].sinceReport += 1
                if resightEvery > 0 && tracks[t].sinceReport >= resightEvery {
                    tracks[t].sinceReport = 0
                    report.append(f)
                }
            } else if tracks[t].hits >= required {
                tracks[t].confirmed = true
                tracks[t].sinceReport = 0
                report.append(f)
            }
        }
        tracks.removeAll { $0.history == 0 }
        return report
    }
}
