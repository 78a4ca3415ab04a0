import Findings
import Foundation
import Geodesy

/// What the condition index, the forecasts and the maintenance plan read from a store: every survey, frame,
/// stored finding and ticket, and each ticket's measurements per survey.
public struct SurveyHistory: Sendable {
    /// What one survey saw of one defect: the findings of that survey merged into one ticket (a finding not merged
    /// into any ticket stands alone). Length and area are the largest total of one frame (a frame's findings of a
    /// ticket are different parts of it, other frames see them again); width is the largest.
    public struct Sighting: Sendable, Hashable {
        /// The ticket, when the findings were merged into one.
        public var ticketId: Int64?
        /// The survey.
        public var surveyId: Int64
        /// When the survey flew (see ``SurveyHistory/date(of:)``).
        public var date: Date
        /// Crack or leak.
        public var defectClass: DefectClass
        /// Crack subtype of the most confident finding.
        public var subtype: String?
        /// Mean centre of the findings.
        public var location: GeoPoint
        /// Largest location uncertainty, metres.
        public var uncertaintyM: Double
        /// Crack length, metres: the largest total of one frame.
        public var lengthM: Double?
        /// Largest crack width, millimetres.
        public var widthMm: Double?
        /// Area, square metres: the largest total of one frame.
        public var areaM2: Double?

        /// The condition-index distress of the sighting.
        public var distress: ConditionIndex.Distress { .of(defectClass, subtype: subtype) }

        /// Severity: cracks (alligator and block too) by width, leaks by area (ASTM D6433 practice, see ``Severity``).
        public var severity: Severity {
            defectClass == .crack ? .crack(widthMm: widthMm) : .leak(areaM2: areaM2, firstAreaM2: nil)
        }

        /// The quantity the condition index counts: area for area distresses, else length (0 when unmeasured).
        public var quantity: Double { (distress.isArea ? areaM2 : lengthM) ?? 0 }
    }

    /// Every survey, oldest first.
    public var surveys: [SurveyRecord]
    /// Every frame.
    public var frames: [FrameRecord]
    /// Every ticket.
    public var tickets: [Ticket]
    /// One sighting per ticket and survey (and per unmerged located finding), by survey date then ticket.
    public var sightings: [Sighting]
    /// When each survey flew.
    public var dates: [Int64: Date]

    /// Builds the history from stored records.
    /// - Parameters: findings: every stored finding (``TicketStore/allFindings()``).
    public init(surveys: [SurveyRecord], frames: [FrameRecord], findings: [FindingRecord], tickets: [Ticket]) {
        self.surveys = surveys
        self.frames = frames
        self.tickets = tickets
        var dates: [Int64: Date] = [:]
        for s in surveys {
            guard let id = s.id else { continue }
            let captured = frames.filter { $0.surveyId == id }.compactMap { $0.capturedAt.flatMap(Self.parseDate) }
            dates[id] = captured.min() ?? s.startedAt
        }
        self.dates = dates
        let surveyOfFrame = Dictionary(frames.compactMap { f in f.id.map { ($0, f.surveyId) } }, uniquingKeysWith: { a, _ in a })
        struct Key: Hashable { var survey: Int64, ticket: Int64?, finding: Int64? }
        var groups: [Key: [FindingRecord]] = [:]
        for r in findings {
            guard let survey = surveyOfFrame[r.frameId], r.finding.location != nil || r.finding.geoOutline != nil else { continue }
            groups[Key(survey: survey, ticket: r.ticketId, finding: r.ticketId == nil ? r.id : nil), default: []].append(r)
        }
        /// The largest per-frame total: one frame's findings of a defect are different parts of it (pieces of a long
        /// crack, neighbours of a chain), other frames see the same parts again.
        func measure(_ records: [FindingRecord], _ value: (Finding) -> Double?) -> Double? {
            let perFrame = Dictionary(grouping: records.filter { value($0.finding) != nil }, by: \.frameId)
                .values.map { $0.compactMap { value($0.finding) }.reduce(0, +) }
            return perFrame.max()
        }
        var out: [Sighting] = []
        for (key, records) in groups {
            let fs = records.map(\.finding)
            let centres = fs.compactMap { Merging.Shape($0)?.center }
            guard !centres.isEmpty else { continue }
            let n = Double(centres.count)
            let best = fs.max { $0.confidence < $1.confidence }!
            out.append(Sighting(ticketId: key.ticket, surveyId: key.survey, date: dates[key.survey] ?? .distantPast,
                                defectClass: best.defectClass, subtype: best.subtype,
                                location: GeoPoint(latitude: centres.map(\.latitude).reduce(0, +) / n,
                                                   longitude: centres.map(\.longitude).reduce(0, +) / n),
                                uncertaintyM: fs.compactMap(\.uncertaintyM).max() ?? 0,
                                lengthM: measure(records, \.lengthM), widthMm: fs.compactMap(\.widthMm).max(),
                                areaM2: measure(records, \.areaM2)))
        }
        sightings = out.sorted { ($0.date, $0.ticketId ?? .max, $0.surveyId) < ($1.date, $1.ticketId ?? .max, $1.surveyId) }
    }

    /// Reads the history from a store.
    public static func load(from store: any ReviewStore) async throws -> SurveyHistory {
        SurveyHistory(surveys: try await store.surveys(), frames: try await store.frames(),
                      findings: try await store.allFindings(), tickets: try await store.tickets(TicketQuery(orderByPriority: false)))
    }

    /// When a survey flew: its earliest frame capture time, else when it was registered.
    public func date(of surveyId: Int64) -> Date? { dates[surveyId] }

    /// A capture time as frames record it: ISO 8601 (with or without a zone or fractional seconds), or EXIF
    /// `yyyy:MM:dd HH:mm:ss` (read as UTC).
    public static func parseDate(_ text: String) -> Date? {
        let t = text.trimmingCharacters(in: .whitespaces)
        if let d = try? Date(t, strategy: .iso8601) { return d }
        if let d = try? Date(t, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) { return d }
        let exif = t.replacingOccurrences(of: " ", with: "T")
        let parts = exif.split(separator: "T", maxSplits: 1)
        guard parts.count == 2 else { return nil }
        let iso = parts[0].replacingOccurrences(of: ":", with: "-") + "T" + parts[1]
        return try? Date(iso.hasSuffix("Z") ? iso : iso + "Z", strategy: .iso8601)
    }
}
