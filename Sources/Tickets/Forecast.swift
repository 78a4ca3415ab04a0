import Findings
import Foundation

/// Straight-line forecasts from values measured at dated surveys: when a ticket's defining measurement crosses into
/// the next severity, and when a unit's condition index falls below a threshold.
///
/// A line is fitted by least squares through (date, value); its slope has a standard error from the measurement
/// error of each value (propagated through the fit) and, with three surveys or more, from the scatter about the line
/// (the larger is used). The forecast date is where the line reaches the threshold; the earliest and latest dates
/// are where the lines with the slope one standard error steeper and flatter reach it (`nil`: not within a century
/// or never). Fewer than two surveys on different days give no forecast.
public enum Forecast {
    /// Seconds in a year (365.25 days).
    public static let year = 365.25 * 86_400

    /// A fitted line: value = intercept + slope × (t − t0), t in seconds.
    public struct Line: Sendable, Hashable {
        /// Value per year.
        public var slopePerYear: Double
        /// Standard error of the slope, per year.
        public var slopeErrorPerYear: Double
        /// Value of the line at the last survey.
        public var valueAtLast: Double
        /// The last survey's date.
        public var last: Date
        /// Surveys the line is fitted to.
        public var surveys: Int

        /// When the line reaches `threshold` going in the slope's direction, with the dates for the slope one standard
        /// error steeper (`earliest`) and flatter (`latest`); `nil` dates for slopes that never reach it (or only
        /// after a century). A threshold already reached gives the last survey's date.
        public func crossing(_ threshold: Double, rising: Bool) -> (date: Date?, earliest: Date?, latest: Date?) {
            func when(_ slope: Double) -> Date? {
                let gap = threshold - valueAtLast
                if rising ? gap <= 0 : gap >= 0 { return last }
                guard rising ? slope > 0 : slope < 0 else { return nil }
                let seconds = gap / slope * Forecast.year
                return seconds < 100 * Forecast.year ? last.addingTimeInterval(seconds) : nil
            }
            let steeper = rising ? slopePerYear + slopeErrorPerYear : slopePerYear - slopeErrorPerYear
            let flatter = rising ? slopePerYear - slopeErrorPerYear : slopePerYear + slopeErrorPerYear
            return (when(slopePerYear), when(steeper), when(flatter))
        }
    }

    /// The least-squares line through dated values, each with its standard error; `nil` for fewer than two distinct
    /// days.
    public static func fit(_ points: [(date: Date, value: Double, error: Double)]) -> Line? {
        let sorted = points.sorted { $0.date < $1.date }
        guard let first = sorted.first, let last = sorted.last,
              last.date.timeIntervalSince(first.date) >= 86_400 else { return nil }
        let t = sorted.map { $0.date.timeIntervalSince(first.date) / year }
        let v = sorted.map(\.value)
        let n = Double(sorted.count)
        let tm = t.reduce(0, +) / n, vm = v.reduce(0, +) / n
        let sxx = t.reduce(0) { $0 + ($1 - tm) * ($1 - tm) }
        let slope = zip(t, v).reduce(0) { $0 + ($1.0 - tm) * ($1.1 - vm) } / sxx
        let intercept = vm - slope * tm
        let propagated = zip(t, sorted).reduce(0) { $0 + ($1.0 - tm) * ($1.0 - tm) * $1.1.error * $1.1.error }.squareRoot() / sxx
        var error = propagated
        if sorted.count >= 3 {
            let residual = zip(t, v).reduce(0) { $0 + pow($1.1 - intercept - slope * $1.0, 2) }
            error = max(error, (residual / (n - 2) / sxx).squareRoot())
        }
        return Line(slopePerYear: slope, slopeErrorPerYear: error, valueAtLast: intercept + slope * t.last!,
                    last: last.date, surveys: sorted.count)
    }

    /// When a ticket crosses into its next severity.
    public struct TicketForecast: Codable, Sendable, Hashable {
        /// The ticket.
        public var ticketId: Int64
        /// What is forecast: `widthMm` (cracks, alligator and block too) or `areaM2` (leaks).
        public var measure: String
        /// Severity now.
        public var severity: Severity
        /// Surveys that measured it.
        public var surveys: Int
        /// The last measured value.
        public var current: Double?
        /// Growth per year (`nil` with fewer than two surveys).
        public var growthPerYear: Double?
        /// Its standard error.
        public var growthErrorPerYear: Double?
        /// The next severity (`nil` at high).
        public var nextSeverity: Severity?
        /// The value where it begins.
        public var threshold: Double?
        /// When the line reaches it; `nil` without a forecast, or when not growing.
        public var date: Date?
        /// With growth one standard error faster.
        public var earliest: Date?
        /// With growth one standard error slower (`nil`: maybe never).
        public var latest: Date?
        /// Why there is no date, or how sure it is, in words.
        public var note: String
    }

    /// Relative measurement error assumed for widths and areas (10 %), and the least absolute error: 1 mm of width,
    /// 0.05 m² of area. With two surveys this is the only source of the slope's error.
    public static let relativeError = 0.10

    /// The forecast of every located survey ticket in `history`.
    public static func tickets(_ history: SurveyHistory) -> [TicketForecast] {
        var bySurvey: [Int64: [SurveyHistory.Sighting]] = [:]
        for s in history.sightings { if let id = s.ticketId { bySurvey[id, default: []].append(s) } }
        return history.tickets.compactMap { t -> TicketForecast? in
            guard let id = t.id, t.source == "survey" else { return nil }
            return ticket(t, sightings: bySurvey[id] ?? [])
        }
    }

    /// The forecast of one ticket from its sightings (one per survey).
    public static func ticket(_ t: Ticket, sightings: [SurveyHistory.Sighting]) -> TicketForecast {
        let byWidth = t.defectClass == .crack
        let measure = byWidth ? "widthMm" : "areaM2"
        let values = sightings.compactMap { s -> (date: Date, value: Double, error: Double)? in
            guard let v = byWidth ? s.widthMm : s.areaM2 else { return nil }
            return (s.date, v, max(v * relativeError, byWidth ? 1 : 0.05))
        }
        let severity = Severity.of(t)
        let thresholds: [(Severity, Double)] = byWidth ? [(.medium, 10), (.high, 76)] : [(.medium, 1), (.high, 5)]
        let next = thresholds.first { $0.0.rank > severity.rank }
        var f = TicketForecast(ticketId: t.id ?? 0, measure: measure, severity: severity, surveys: values.count,
                               current: values.max { $0.date < $1.date }?.value, nextSeverity: next?.0, threshold: next?.1,
                               note: "")
        guard let line = fit(values) else {
            f.note = "measured by \(values.count) survey(s): a forecast needs 2 on different days"
            return f
        }
        f.growthPerYear = line.slopePerYear
        f.growthErrorPerYear = line.slopeErrorPerYear
        guard let next else {
            f.note = "already high severity"
            return f
        }
        let c = line.crossing(next.1, rising: true)
        (f.date, f.earliest, f.latest) = (c.date, c.earliest, c.latest)
        f.note = c.date == nil ? "not growing measurably (\(Self.format(line)))"
            : "straight line through \(line.surveys) surveys (\(Self.format(line)))"
        return f
    }

    static func format(_ line: Line) -> String {
        String(format: "%+.2f ± %.2f per year", line.slopePerYear, line.slopeErrorPerYear)
    }

    /// The trend of one unit's condition index.
    public struct UnitTrend: Codable, Sendable, Hashable {
        /// Segment or sample-unit id.
        public var segment: String
        /// Segment name.
        public var name: String?
        /// Surveys that rated it.
        public var surveys: Int
        /// The last index.
        public var conditionIndex: Double?
        /// Index points per year (`nil` with fewer than two rated surveys).
        public var changePerYear: Double?
        /// Its standard error.
        public var changeErrorPerYear: Double?
        /// The threshold asked for.
        public var threshold: Double
        /// When the line falls below it.
        public var date: Date?
        /// With the decline one standard error faster.
        public var earliest: Date?
        /// With the decline one standard error slower.
        public var latest: Date?
        /// In words.
        public var note: String
    }

    /// Standard error assumed for one unit's index in one survey (5 points).
    public static let indexError = 5.0

    /// The trend of every unit's index and when it falls below `threshold`.
    public static func units(_ assessment: ConditionAssessment, threshold: Double) -> [UnitTrend] {
        var byUnit: [String: [ConditionAssessment.Row]] = [:]
        for r in assessment.rows { byUnit[r.segment, default: []].append(r) }
        return assessment.units.map { u in
            let rated = (byUnit[u.id] ?? []).compactMap { r in r.conditionIndex.map { (date: r.date, value: $0, error: indexError) } }
            var trend = UnitTrend(segment: u.id, name: u.name, surveys: rated.count,
                                  conditionIndex: rated.max { $0.date < $1.date }?.value, threshold: threshold, note: "")
            guard let line = fit(rated) else {
                trend.note = rated.isEmpty ? "not surveyed" : "rated by \(rated.count) survey(s): a trend needs 2 on different days"
                return trend
            }
            trend.changePerYear = line.slopePerYear
            trend.changeErrorPerYear = line.slopeErrorPerYear
            let c = line.crossing(threshold, rising: false)
            (trend.date, trend.earliest, trend.latest) = (c.date, c.earliest, c.latest)
            trend.note = c.date == nil ? "not falling (\(format(line)))" : "straight line through \(line.surveys) surveys (\(format(line)))"
            return trend
        }
    }
}

extension Severity {
    /// Order: unknown 0, low 1, medium 2, high 3.
    var rank: Int { Severity.allCases.firstIndex(of: self)! }
}
