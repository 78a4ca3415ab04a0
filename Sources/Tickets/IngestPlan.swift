import Findings
import Foundation
import Geodesy

/// The database-independent steps of an ingest, shared by every ``TicketStore`` backend so that SQLite
/// and PostgreSQL merge findings into tickets by exactly the same rules.
///
/// A backend stores the frames and findings, clusters the new findings with ``Merging/cluster(_:)``, and for
/// each group: fetches, through a spatial index, the tickets whose ``extent(of:)`` meets the group's
/// ``searchExtent(for:merging:)`` with those merged findings whose extent meets it too, picks
/// ``bestMatch(for:among:merging:comparisons:)``, applies ``apply(_:to:surveyId:surveyName:actor:model:at:)``
/// and writes the ticket and its events. At the end ``verifications(fixed:seen:footprints:surveyName:actor:at:)``
/// says which fixed tickets the survey covered without seeing them.
public enum IngestPlan {
    /// A latitude/longitude box and a class: where a group's matching tickets can lie.
    public struct CandidateBox: Sendable, Hashable {
        /// Only tickets of this class can match.
        public var defectClass: DefectClass
        /// Southern edge in degrees.
        public var minLatitude: Double
        /// Northern edge in degrees.
        public var maxLatitude: Double
        /// Western edge in degrees.
        public var minLongitude: Double
        /// Eastern edge in degrees.
        public var maxLongitude: Double
    }

    /// What applying one group of findings did to its ticket.
    public struct GroupResult: Sendable {
        /// The ticket to write: new (``Ticket/id`` is `nil`: insert it) or updated.
        public var ticket: Ticket
        /// Whether the ticket is new.
        public var created: Bool
        /// Whether a fixed or verified ticket was seen again (now `reopened`).
        public var reopened: Bool
        /// Events to insert once the ticket has its id (their `ticketId` is set by ``events(for:)``).
        public var pendingEvents: [TicketEvent]

        /// The events with the ticket's id filled in.
        /// - Parameter id: the stored ticket's id.
        public func events(for id: Int64) -> [TicketEvent] {
            pendingEvents.map { var e = $0; e.ticketId = id; return e }
        }
    }

    /// The box in which a stored ticket must lie to match one of `fs`: the group's points widened by the
    /// largest ticket reach, the group's uncertainty and the tolerance (plus 1 % and 1 m of slack for the
    /// local plane's distortion). `nil` when no finding of the group has a location.
    /// - Parameters: fs: one group of ``Merging/cluster(_:)``; maxTicketReach: the largest
    ///   `uncertaintyM + radiusM` of any stored ticket.
    public static func candidateBox(for fs: [Finding], merging: Merging, maxTicketReach: Double) -> CandidateBox? {
        let shapes = fs.compactMap(Merging.Shape.init)
        guard let first = shapes.first else { return nil }
        let plane = LocalPlane(origin: first.center)
        let reach = (maxTicketReach + (shapes.map(\.uncertaintyM).max() ?? 0) + merging.toleranceM) * 1.01 + 1
        let margin = plane.degrees(forMetres: reach)
        let points = shapes.flatMap { [$0.center] + ($0.outline?.points ?? []) }
        let lats = points.map(\.latitude), lons = points.map(\.longitude)
        return CandidateBox(defectClass: first.defectClass,
                            minLatitude: lats.min()! - margin.lat, maxLatitude: lats.max()! + margin.lat,
                            minLongitude: lons.min()! - margin.lon, maxLongitude: lons.max()! + margin.lon)
    }

    /// Where a stored finding (a sighting merged into a ticket) must lie to match one of a group's findings:
    /// its centre inside the box widened by its own reach. Stores keep each finding's centre and reach in
    /// columns (see ``position(of:)``), so a merge reads only the sightings near the group, not every sighting
    /// of a ticket that has grown along a street.
    public struct MemberBox: Sendable, Hashable {
        /// The group's extent widened by its uncertainty and the tolerance, in degrees.
        public var minLatitude, maxLatitude, minLongitude, maxLongitude: Double
        /// Degrees per metre of a finding's reach, north–south and east–west (with 1 % of slack).
        public var latitudePerMetre, longitudePerMetre: Double
    }

    /// The member box of a group (see ``MemberBox``); `nil` when no finding of the group has a location.
    public static func memberBox(for fs: [Finding], merging: Merging) -> MemberBox? {
        guard let box = candidateBox(for: fs, merging: merging, maxTicketReach: 0) else { return nil }
        let perMetre = degreesPerMetre(farthestLatitude: max(abs(box.minLatitude), abs(box.maxLatitude)))
        return MemberBox(minLatitude: box.minLatitude, maxLatitude: box.maxLatitude,
                         minLongitude: box.minLongitude, maxLongitude: box.maxLongitude,
                         latitudePerMetre: perMetre.latitude, longitudePerMetre: perMetre.longitude)
    }

    /// Degrees per metre north–south and east–west that cover a distance anywhere in a box whose latitude reaches
    /// at most `farthestLatitude` degrees from the equator, with 1 % of slack twice over: from the smallest metres per
    /// degree there (``WGS84/metresPerDegree(latitude:)``: of latitude at the equator, of longitude at the farthest
    /// latitude, capped at 89.9°), × 0.99, and the result × 1.01.
    static func degreesPerMetre(farthestLatitude: Double) -> (latitude: Double, longitude: Double) {
        let smallest = (latitude: WGS84.metresPerDegree(latitude: 0).latitude,
                        longitude: WGS84.metresPerDegree(latitude: min(farthestLatitude, 89.9)).longitude)
        return (1.01 / (smallest.latitude * 0.99), 1.01 / (max(smallest.longitude, 1e-3) * 0.99))
    }

    /// The centre and reach (metres from the centre to the farthest outline point, plus the uncertainty) stored
    /// with a finding for ``MemberBox`` queries; `nil` without a location.
    public static func position(of f: Finding) -> (latitude: Double, longitude: Double, reachM: Double)? {
        guard let shape = Merging.Shape(f) else { return nil }
        return (shape.center.latitude, shape.center.longitude, Ticket.reach(from: shape.center, outline: nil, findings: [f]))
    }

    /// The candidate closest to the group that matches one of its findings, through the ticket's own shape
    /// or any finding merged into it (from any survey), if any.
    /// - Parameters: fs: the group; candidates: the tickets in the group's box, ordered by id, each with the
    ///   findings merged into it.
    public static func bestMatch(for fs: [Finding], among candidates: [(ticket: Ticket, members: [Finding])],
                                 merging: Merging) -> Ticket? {
        var comparisons = 0
        return bestMatch(for: fs, among: candidates, merging: merging, comparisons: &comparisons)
    }

    /// ``bestMatch(for:among:merging:)``, counting the exact shape comparisons it makes in `comparisons`.
    ///
    /// The result is the candidate with the smallest (gap, position in `candidates`) over every finding of the
    /// group and every shape of the candidate, as a plain scan of all pairs finds it; but pairs are measured best
    /// first. The distance between two shapes' bounding boxes is a lower bound of their gap, so each candidate
    /// has an interval: at least the smallest bound of its unmeasured pairs (or its best gap), at most its best
    /// gap measured so far. A candidate that matches and whose upper end lies below every other candidate's lower
    /// end has won, whatever the unmeasured pairs hold. So a group that meets one ticket seen many times
    /// costs one measurement, not one per sighting, and far candidates cost none.
    public static func bestMatch(for fs: [Finding], among candidates: [(ticket: Ticket, members: [Finding])],
                                 merging: Merging, comparisons: inout Int) -> Ticket? {
        let shapes = fs.compactMap(Merging.Shape.init)
        guard !shapes.isEmpty, !candidates.isEmpty else { return nil }
        let planes = shapes.map { LocalPlane(origin: $0.center) }
        let bounds = shapes.map(\.bounds)
        /// Per candidate: its unmeasured pairs (bound, shape, target) by descending bound, and its best gap so far.
        var pending: [[(bound: Double, shape: Int, target: Merging.Shape)]] = []
        var measured = [Double](repeating: .infinity, count: candidates.count)
        for (t, members) in candidates {
            var pairs: [(bound: Double, shape: Int, target: Merging.Shape)] = []
            for target in [Merging.Shape(t)].compactMap({ $0 }) + members.compactMap({ Merging.Shape($0) }) {
                let tb = target.bounds
                for (i, s) in shapes.enumerated() where s.defectClass == target.defectClass {
                    let dLat = max(0, tb.south - bounds[i].north, bounds[i].south - tb.north)
                    let dLon = max(0, tb.west - bounds[i].east, bounds[i].west - tb.east)
                    let v = planes[i].project(GeoPoint(latitude: planes[i].origin.latitude + dLat, longitude: planes[i].origin.longitude + dLon))
                    let d = (v * v).sum().squareRoot()
                    // Farther than any limit: matchingGap's own box test would reject the pair.
                    guard d <= (s.uncertaintyM + target.uncertaintyM + merging.toleranceM) * 1.01 + 0.01 else { continue }
                    // 1e-9 of slack: rounding must never make the bound exceed the measured gap.
                    pairs.append((max(0, d * (1 - 1e-9) - 1e-9), i, target))
                }
            }
            pairs.sort { $0.bound > $1.bound }
            pending.append(pairs)
        }
        /// The lower end of a candidate's interval (infinite once it has neither pairs left nor a match).
        func lower(_ c: Int) -> Double { min(measured[c], pending[c].last?.bound ?? .infinity) }
        while true {
            // The candidate with the smallest (lower end, position), and the runner-up.
            var first: Int?, second: Int?
            for c in candidates.indices where lower(c) < .infinity {
                if first == nil || lower(c) < lower(first!) {
                    second = first
                    first = c
                } else if second == nil || lower(c) < lower(second!) {
                    second = c
                }
            }
            guard let c = first else { return nil }
            // Won: it matches, and every other candidate's gap is at least its lower end, which is above.
            if measured[c] < .infinity, second.map({ (measured[c], c) < (lower($0), $0) }) ?? true {
                return candidates[c].ticket
            }
            // Blocked: a leader that matches is blocked by the runner-up, so measure the runner-up's next pair (it
            // either matches too or its lower end rises); otherwise the leader's. Each step uses up one pair.
            let next = measured[c] < .infinity && second.map({ !pending[$0].isEmpty }) == true ? second! : c
            let p = pending[next].removeLast()
            comparisons += 1
            if let g = merging.matchingGap(shapes[p.shape], p.target) { measured[next] = min(measured[next], g) }
        }
    }

    /// A latitude/longitude box in degrees: the extent a spatial index stores for a finding or a ticket,
    /// or the box a merge looks in.
    public struct Extent: Sendable, Hashable, Codable {
        /// Southern edge.
        public var minLatitude: Double
        /// Northern edge.
        public var maxLatitude: Double
        /// Western edge.
        public var minLongitude: Double
        /// Eastern edge.
        public var maxLongitude: Double

        /// Whether two boxes share a point.
        public func intersects(_ o: Extent) -> Bool {
            minLatitude <= o.maxLatitude && o.minLatitude <= maxLatitude
                && minLongitude <= o.maxLongitude && o.minLongitude <= maxLongitude
        }
    }

    /// The square around `center` reaching `metres` in every direction, 1 % wider (the degrees per metre
    /// use 99 % of the smallest metres per degree, at the latitude farthest from the equator inside it:
    /// ``degreesPerMetre(farthestLatitude:)``).
    /// A finding's extent reaches ``position(of:)``'s `reachM`, a ticket's its uncertainty plus ``Ticket/radiusM``.
    public static func extent(around center: GeoPoint, metres: Double) -> Extent {
        let dLat = max(0, metres) * degreesPerMetre(farthestLatitude: 0).latitude
        let dLon = max(0, metres) * degreesPerMetre(farthestLatitude: abs(center.latitude) + dLat).longitude
        return Extent(minLatitude: center.latitude - dLat, maxLatitude: center.latitude + dLat,
                      minLongitude: center.longitude - dLon, maxLongitude: center.longitude + dLon)
    }

    /// The extent a stored ticket is indexed under (`nil` without a location): every shape that can match it,
    /// its own or a merged finding's, lies inside it (see ``Ticket/radiusM``).
    public static func extent(of t: Ticket) -> Extent? {
        t.location.map { extent(around: $0, metres: (t.uncertaintyM ?? 0) + t.radiusM) }
    }

    /// The box a group's candidates must reach into: the group's points widened by its largest uncertainty and
    /// the tolerance (the ``memberBox(for:merging:)`` edges); `nil` when no finding of the group has a location.
    /// A stored ticket or finding whose ``extent(of:)`` or ``extent(around:metres:)`` misses it cannot match.
    public static func searchExtent(for fs: [Finding], merging: Merging) -> Extent? {
        guard let b = candidateBox(for: fs, merging: merging, maxTicketReach: 0) else { return nil }
        return Extent(minLatitude: b.minLatitude, maxLatitude: b.maxLatitude,
                      minLongitude: b.minLongitude, maxLongitude: b.maxLongitude)
    }

    /// Adds a group to its matching ticket (a sighting; a fixed or verified ticket is reopened, "closed,
    /// not fixed") or makes a new ticket of it, ranked by `model`.
    /// - Parameters: fs: the group (non-empty); match: the result of ``bestMatch(for:among:merging:)``.
    public static func apply(_ fs: [Finding], to match: Ticket?, surveyId: Int64, surveyName: String, actor: String,
                             model: PriorityModel, at now: Date) -> GroupResult {
        let note = "\(fs.count) finding(s) in survey \(surveyName)"
        guard var t = match else {
            var ticket = makeTicket(fs, surveyId: surveyId, at: now)
            model.rank(&ticket)
            let e = TicketEvent(ticketId: 0, at: now, actor: actor, kind: .created, toStatus: .new, note: note)
            return GroupResult(ticket: ticket, created: true, reopened: false, pendingEvents: [e])
        }
        let wasClosed = t.status == .fixed || t.status == .verified
        update(&t, with: fs, surveyId: surveyId, at: now)
        model.rank(&t)
        var events = [TicketEvent(ticketId: t.id ?? 0, at: now, actor: actor, kind: .sighting, note: note)]
        if wasClosed {
            events.append(TicketEvent(ticketId: t.id ?? 0, at: now, actor: actor, kind: .status, fromStatus: t.status,
                                      toStatus: .reopened, note: "closed, not fixed"))
            t.status = .reopened
        }
        return GroupResult(ticket: t, created: false, reopened: wasClosed, pendingEvents: events)
    }

    /// The fixed tickets (not among `seen`) whose position lies inside one of the survey's footprints,
    /// moved to `verified`, each with its status event.
    public static func verifications(fixed: [Ticket], seen: Set<Int64>, footprints: [[GeoPoint]], surveyName: String,
                                     actor: String, at now: Date) -> [(ticket: Ticket, event: TicketEvent)] {
        guard !footprints.isEmpty else { return [] }
        var result: [(Ticket, TicketEvent)] = []
        for var t in fixed where t.status == .fixed && !seen.contains(t.id ?? -1) {
            guard let p = t.location, let id = t.id else { continue }
            let plane = LocalPlane(origin: p)
            let covered = footprints.contains { fp in
                PlaneShape(points: fp.map(plane.project), closed: true).contains(SIMD2(0, 0))
            }
            guard covered else { continue }
            let e = TicketEvent(ticketId: id, at: now, actor: actor, kind: .status, fromStatus: t.status,
                                toStatus: .verified, note: "survey \(surveyName) covered the spot and saw nothing")
            t.status = .verified
            t.updatedAt = now
            result.append((t, e))
        }
        return result
    }

    /// A frame's footprint when it can cover a ticket (three points or more).
    public static func footprint(of report: FrameReport) -> [GeoPoint]? {
        guard let fp = report.footprint, fp.count >= 3 else { return nil }
        return fp
    }

    static func largest(_ fs: [Finding]) -> Finding {
        fs.max { a, b in
            (a.areaM2 ?? a.lengthM ?? 0, a.confidence) < (b.areaM2 ?? b.lengthM ?? 0, b.confidence)
        }!
    }

    static func makeTicket(_ fs: [Finding], surveyId: Int64, at now: Date) -> Ticket {
        let best = fs.max { $0.confidence < $1.confidence }!
        var weightSum = 0.0, lat = 0.0, lon = 0.0
        var uncertainty: Double?
        for f in fs {
            guard let p = f.location ?? f.geoOutline.flatMap(Merging.Shape.centroid) else { continue }
            let u = max(f.uncertaintyM ?? 0, 0.01)
            let w = 1 / (u * u)
            weightSum += w
            lat += w * p.latitude
            lon += w * p.longitude
            if let fu = f.uncertaintyM { uncertainty = max(uncertainty ?? 0, fu) }
        }
        var t = Ticket(defectClass: best.defectClass, subtype: best.subtype,
                       latitude: weightSum > 0 ? lat / weightSum : nil,
                       longitude: weightSum > 0 ? lon / weightSum : nil,
                       uncertaintyM: weightSum > 0 ? (uncertainty ?? 0) : nil,
                       confidence: fs.map(\.confidence).max() ?? 0, source: "survey", at: now)
        t.lengthM = fs.compactMap(\.lengthM).max()
        t.widthMm = fs.compactMap(\.widthMm).max()
        t.areaM2 = fs.compactMap(\.areaM2).max()
        t.firstLengthM = t.lengthM
        t.firstWidthMm = t.widthMm
        t.firstAreaM2 = t.areaM2
        t.sightings = fs.count
        t.surveyCount = 1
        t.firstSurveyId = surveyId
        t.lastSurveyId = surveyId
        t.geoOutline = largest(fs).geoOutline
        t.bounds = bounds(of: fs)
        if let c = t.location { t.radiusM = Ticket.reach(from: c, outline: t.geoOutline, findings: fs) }
        return t
    }

    /// Adds a group of findings to a ticket: a new survey replaces the current measurements (growth is
    /// current against first seen), the same survey keeps the maximum.
    static func update(_ t: inout Ticket, with fs: [Finding], surveyId: Int64, at now: Date) {
        let length = fs.compactMap(\.lengthM).max()
        let width = fs.compactMap(\.widthMm).max()
        let area = fs.compactMap(\.areaM2).max()
        func larger(_ a: Double?, _ b: Double?) -> Double? {
            switch (a, b) {
            case let (a?, b?): max(a, b)
            default: a ?? b
            }
        }
        if t.lastSurveyId != surveyId {
            t.lengthM = length ?? t.lengthM
            t.widthMm = width ?? t.widthMm
            t.areaM2 = area ?? t.areaM2
            t.surveyCount += 1
            if let o = largest(fs).geoOutline { t.geoOutline = o }
        } else {
            t.lengthM = larger(t.lengthM, length)
            t.widthMm = larger(t.widthMm, width)
            t.areaM2 = larger(t.areaM2, area)
        }
        if t.firstLengthM == nil { t.firstLengthM = length }
        if t.firstWidthMm == nil { t.firstWidthMm = width }
        if t.firstAreaM2 == nil { t.firstAreaM2 = area }
        let best = fs.max { $0.confidence < $1.confidence }!
        if best.confidence > t.confidence || t.subtype == nil { t.subtype = best.subtype ?? t.subtype }
        t.confidence = max(t.confidence, best.confidence)
        if let c = t.location { t.radiusM = max(t.radiusM, Ticket.reach(from: c, outline: t.geoOutline, findings: fs)) }
        t.bounds = union(bounds(of: t), bounds(of: fs))
        t.sightings += fs.count
        t.lastSeen = now
        t.lastSurveyId = surveyId
        t.updatedAt = now
    }
}
