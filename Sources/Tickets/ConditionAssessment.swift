import Findings
import Foundation
import Geodesy

/// The condition index of every unit (road segment or sample unit) in every survey, and of every survey as a whole.
///
/// Per unit and survey: the surveyed area is the sum over the unit's samples that a footprint of the survey contains,
/// each sample's area times the mean paved share of the frames containing it (``FrameRecord/surfaceFraction``;
/// frames without a surface map count as fully paved; a road segment's samples, on the road, count fully). A unit with no such sample was not surveyed: its index is
/// `nil`, never 100. Each sighting of the survey (``SurveyHistory/Sighting``) goes to the unit it lies in (sample
/// units) or to the nearest segment whose centre line is within half the road width plus the sighting's location
/// uncertainty (segments; farther ones are counted as off-segment). Quantities of one distress and severity are
/// summed, divided by the surveyed area (density, percent), turned into deduct values and an index by
/// ``ConditionIndex``. A survey's index is the mean of its surveyed units' indices weighted by surveyed area.
public struct ConditionAssessment: Sendable {
    /// One distress and severity in one unit and survey.
    public struct Distress: Codable, Sendable, Hashable {
        /// The distress type.
        public var distress: ConditionIndex.Distress
        /// Its severity.
        public var severity: Severity
        /// Summed length (m) or area (m²).
        public var quantity: Double
        /// `m` or `m2`.
        public var unit: String
        /// quantity / surveyed area × 100.
        public var densityPercent: Double
        /// Deduct value.
        public var deduct: Double
    }

    /// One unit in one survey: the object `pavewatch condition --json` prints per line.
    public struct Row: Codable, Sendable, Hashable {
        /// Segment id or sample-unit id.
        public var segment: String
        /// Segment name.
        public var name: String?
        /// Survey name.
        public var survey: String
        /// Survey id.
        public var surveyId: Int64
        /// When the survey flew.
        public var date: Date
        /// 0–100, or `nil` when no frame of the survey covered the unit.
        public var conditionIndex: Double?
        /// ASTM D6433 rating of the index.
        public var rating: String?
        /// Paved surface of the unit that the survey saw, m².
        public var surveyedAreaM2: Double
        /// The unit's pavement area, m².
        public var unitAreaM2: Double
        /// Distresses counted, by type and severity.
        public var distresses: [Distress]
        /// Tickets seen in the unit by this survey.
        public var tickets: [Int64]

        enum CodingKeys: String, CodingKey {
            case segment, name, survey, surveyId, date, conditionIndex, rating, surveyedAreaM2, unitAreaM2, distresses, tickets
        }

        /// Encodes every key, absent values as `null` (a unit not surveyed has `"conditionIndex": null`).
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(segment, forKey: .segment)
            try c.encode(name, forKey: .name)
            try c.encode(survey, forKey: .survey)
            try c.encode(surveyId, forKey: .surveyId)
            try c.encode(date, forKey: .date)
            try c.encode(conditionIndex, forKey: .conditionIndex)
            try c.encode(rating, forKey: .rating)
            try c.encode(surveyedAreaM2, forKey: .surveyedAreaM2)
            try c.encode(unitAreaM2, forKey: .unitAreaM2)
            try c.encode(distresses, forKey: .distresses)
            try c.encode(tickets, forKey: .tickets)
        }
    }

    /// One survey as a whole.
    public struct SurveySummary: Codable, Sendable, Hashable {
        /// Survey name.
        public var survey: String
        /// Survey id.
        public var surveyId: Int64
        /// When it flew.
        public var date: Date
        /// Area-weighted mean of the surveyed units' indices; `nil` when it surveyed none.
        public var conditionIndex: Double?
        /// Rating of that.
        public var rating: String?
        /// Sum of its units' surveyed areas, m².
        public var surveyedAreaM2: Double
        /// Units it surveyed.
        public var unitsSurveyed: Int
        /// Units it did not.
        public var unitsNotSurveyed: Int
        /// Sightings that lie on no unit (off every segment, or outside every footprint).
        public var sightingsOffUnits: Int
    }

    /// The units rated.
    public var units: [ConditionUnit]
    /// One row per unit and survey, by unit then survey date.
    public var rows: [Row]
    /// One summary per survey, by date.
    public var surveys: [SurveySummary]

    /// Rates every unit in every survey of `history`.
    /// - Parameters: segments: the road network; when `nil`, sample units of `cellSizeM` over the footprints.
    ///   widthM: road width around a segment's centre line.
    public init(history: SurveyHistory, segments: [RoadSegment]?, widthM: Double = 7, cellSizeM: Double = 10) {
        let grid: ConditionUnit.Grid?
        if let segments {
            units = ConditionUnit.segments(segments, widthM: widthM)
            grid = nil
        } else {
            let cells = ConditionUnit.cells(frames: history.frames, sizeM: cellSizeM)
            units = cells.units
            grid = cells.grid
        }
        let unitIndex = Dictionary(units.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })
        let ordered = history.surveys.compactMap { s in s.id.map { (s, history.date(of: $0) ?? s.startedAt) } }
            .sorted { ($0.1, $0.0.id!) < ($1.1, $1.0.id!) }
        var rows: [[Row]] = Array(repeating: [], count: units.count)
        var summaries: [SurveySummary] = []
        for (survey, date) in ordered {
            let id = survey.id!
            let surveyed = Self.surveyedAreas(units, frames: history.frames.filter { $0.surveyId == id })
            var sightings: [[SurveyHistory.Sighting]] = Array(repeating: [], count: units.count)
            var off = 0
            for s in history.sightings where s.surveyId == id {
                let u: Int? = if let grid { unitIndex[grid.id(of: grid.cell(of: s.location))] }
                    else { Self.nearestSegment(s, units: units, widthM: widthM) }
                if let u, surveyed[u] > 0 { sightings[u].append(s) } else { off += 1 }
            }
            var weighted = 0.0, area = 0.0, count = 0
            for (u, unit) in units.enumerated() {
                let row = Self.rate(unit, surveyed: surveyed[u], sightings: sightings[u], survey: survey, date: date)
                if let index = row.conditionIndex {
                    weighted += index * row.surveyedAreaM2
                    area += row.surveyedAreaM2
                    count += 1
                }
                rows[u].append(row)
            }
            let index = area > 0 ? weighted / area : nil
            summaries.append(SurveySummary(survey: survey.name, surveyId: id, date: date, conditionIndex: index.map(Self.round),
                                           rating: index.map(ConditionIndex.rating), surveyedAreaM2: Self.round(area),
                                           unitsSurveyed: count, unitsNotSurveyed: units.count - count, sightingsOffUnits: off))
        }
        self.rows = rows.flatMap { $0 }
        self.surveys = summaries
    }

    static func round(_ v: Double) -> Double { (v * 10).rounded() / 10 }

    /// The row of one unit in one survey.
    static func rate(_ unit: ConditionUnit, surveyed: Double, sightings: [SurveyHistory.Sighting], survey: SurveyRecord,
                     date: Date) -> Row {
        var row = Row(segment: unit.id, name: unit.name, survey: survey.name, surveyId: survey.id!, date: date,
                      conditionIndex: nil, rating: nil, surveyedAreaM2: round(surveyed), unitAreaM2: round(unit.areaM2),
                      distresses: [], tickets: Array(Set(sightings.compactMap(\.ticketId))).sorted())
        guard surveyed > 0 else { return row }
        struct Key: Hashable { var distress: ConditionIndex.Distress, severity: Severity }
        var quantities: [Key: Double] = [:]
        for s in sightings where s.quantity > 0 {
            quantities[Key(distress: s.distress, severity: s.severity == .unknown ? .low : s.severity), default: 0] += s.quantity
        }
        row.distresses = quantities.map { key, q in
            let density = min(100, q / surveyed * 100)
            return Distress(distress: key.distress, severity: key.severity, quantity: (q * 100).rounded() / 100,
                            unit: key.distress.isArea ? "m2" : "m", densityPercent: (density * 1000).rounded() / 1000,
                            deduct: round(ConditionIndex.deduct(key.distress, key.severity, densityPercent: density)))
        }.sorted { ($0.distress, $0.severity.rawValue) < ($1.distress, $1.severity.rawValue) }
        let index = ConditionIndex.index(deducts: quantities.map { key, q in
            ConditionIndex.deduct(key.distress, key.severity, densityPercent: min(100, q / surveyed * 100))
        })
        row.conditionIndex = round(index)
        row.rating = ConditionIndex.rating(index)
        return row
    }

    /// Surveyed area of each unit by a survey's frames (see the type's discussion).
    static func surveyedAreas(_ units: [ConditionUnit], frames: [FrameRecord]) -> [Double] {
        let located = frames.compactMap { f -> (shape: PlaneShape, plane: LocalPlane, box: IngestPlan.Extent, share: Double)? in
            guard let fp = f.footprint, fp.count >= 3 else { return nil }
            let plane = LocalPlane(origin: fp[0])
            let lats = fp.map(\.latitude), lons = fp.map(\.longitude)
            return (PlaneShape(points: fp.map(plane.project), closed: true), plane,
                    IngestPlan.Extent(minLatitude: lats.min()!, maxLatitude: lats.max()!, minLongitude: lons.min()!, maxLongitude: lons.max()!),
                    min(max(f.surfaceFraction ?? 1, 0), 1))
        }
        return units.map { unit in
            let near = located.filter { $0.box.intersects(unit.box) }
            guard !near.isEmpty else { return 0 }
            var total = 0.0
            for p in unit.samples {
                var sum = 0.0, n = 0
                for f in near where f.shape.contains(f.plane.project(p)) {
                    sum += unit.allPaved ? 1 : f.share
                    n += 1
                }
                if n > 0 { total += unit.sampleAreaM2 * sum / Double(n) }
            }
            return total
        }
    }

    /// The segment nearest a sighting within half the road width plus its uncertainty, if any.
    static func nearestSegment(_ s: SurveyHistory.Sighting, units: [ConditionUnit], widthM: Double) -> Int? {
        let plane = LocalPlane(origin: s.location)
        let reach = widthM / 2 + s.uncertaintyM
        var best: (d: Double, index: Int)?
        for (i, u) in units.enumerated() {
            for line in u.geometry where line.points.count >= 2 {
                let d = PlaneShape(points: line.points.map(plane.project), closed: false)
                    .distance(to: PlaneShape(points: [SIMD2(0, 0)], closed: false), within: reach)
                if d <= reach, best.map({ d < $0.d }) ?? true { best = (d, i) }
            }
        }
        return best?.index
    }
}
