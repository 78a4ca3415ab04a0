import Findings
import Foundation
import Geodesy

/// Work-order-sized tickets (see ``WorkOrderLimits``): the steps every store takes, so SQLite and PostgreSQL cut
/// and group findings alike.
///
/// 1. ``workOrderPieces(_:limits:)`` before a frame's findings are stored: a finding larger than the limits is cut
///    by a fixed grid into pieces, each stored as a finding of its own (area defects without an area get their
///    outline's area).
/// 2. ``workOrders(_:merging:limits:)`` instead of ``Merging/cluster(_:)``: a group of matching findings that does
///    not fit is cut by the same grid into runs along the crack.
/// 3. Candidate tickets that could not take a run and still fit (``fits(_:into:limits:)``) are left out before
///    ``bestMatch(for:among:merging:)``: the run makes a new ticket beside them.
extension IngestPlan {
    /// The smallest box holding both (either may be absent).
    public static func union(_ a: Extent?, _ b: Extent?) -> Extent? {
        guard let a else { return b }
        guard let b else { return a }
        return Extent(minLatitude: min(a.minLatitude, b.minLatitude), maxLatitude: max(a.maxLatitude, b.maxLatitude),
                      minLongitude: min(a.minLongitude, b.minLongitude), maxLongitude: max(a.maxLongitude, b.maxLongitude))
    }

    /// The box of the findings' centres and outline points (no uncertainty); `nil` when none has a location.
    public static func bounds(of fs: [Finding]) -> Extent? {
        fs.compactMap(Merging.Shape.init).reduce(Extent?.none) { box, s in
            let b = s.bounds
            return union(box, Extent(minLatitude: b.south, maxLatitude: b.north, minLongitude: b.west, maxLongitude: b.east))
        }
    }

    /// The box a ticket's shapes cover: its ``Ticket/bounds``, else (rows stored before bounds were kept) its own shape.
    public static func bounds(of t: Ticket) -> Extent? {
        if let b = t.bounds { return b }
        guard let s = Merging.Shape(t) else { return nil }
        let b = s.bounds
        return Extent(minLatitude: b.south, maxLatitude: b.north, minLongitude: b.west, maxLongitude: b.east)
    }

    /// East and north size of a box in metres (a ``LocalPlane`` at its middle latitude).
    public static func size(of e: Extent) -> SIMD2<Double> {
        let plane = LocalPlane(origin: GeoPoint(latitude: (e.minLatitude + e.maxLatitude) / 2, longitude: e.minLongitude))
        return plane.project(GeoPoint(latitude: e.maxLatitude, longitude: e.maxLongitude))
            - plane.project(GeoPoint(latitude: e.minLatitude, longitude: e.minLongitude))
    }

    /// Whether ticket `t` can take the group `fs` and still fit `limits` (an area defect on either side makes
    /// the area limit apply).
    public static func fits(_ fs: [Finding], into t: Ticket, limits: WorkOrderLimits) -> Bool {
        guard let u = union(bounds(of: t), bounds(of: fs)) else { return true }
        return limits.fits(size(of: u), area: t.isAreaDefect || fs.contains(where: \.isAreaDefect))
    }

    /// Every finding of a frame cut to fit `limits` (see ``pieces(of:limits:)``), in order.
    public static func workOrderPieces(_ fs: [Finding], limits: WorkOrderLimits) -> [Finding] {
        fs.flatMap { pieces(of: $0, limits: limits) }
    }

    /// A finding cut into pieces that each fit `limits`: a finding that does not fit is clipped to the cells of the
    /// work-order grid (``WorkOrderGrid``), so the same crack seen from two frames or two surveys is cut at the same
    /// places. A piece keeps the class, subtype, confidence, width and pixel box of the finding; its outline is the
    /// finding's outline clipped to the cell, its centre the middle of that, and length and area (metres and pixels)
    /// the finding's times the piece's share of the outline (its area for polygons, its length for lines).
    /// An area defect (``Finding/isAreaDefect``) without an area gets its polygon's area first.
    /// Findings without a located outline of two points or more are returned as they are.
    public static func pieces(of finding: Finding, limits: WorkOrderLimits) -> [Finding] {
        var f = finding
        guard let outline = f.geoOutline, outline.points.count >= 2, let centre = Merging.Shape(f)?.center else { return [f] }
        let area = f.isAreaDefect
        let grid = WorkOrderGrid(limits: limits, area: area, near: centre)
        let whole = ClipShape(points: outline.points.map(grid.plane.project), closed: outline.kind == .polygon && outline.points.count >= 3)
        if area, f.areaM2 == nil, whole.closed {
            // Measured in a plane at the finding (the grid's plane may lie kilometres away).
            f.areaM2 = ClipShape(points: outline.points.map(LocalPlane(origin: centre).project), closed: true).measure
        }
        let (lo, hi) = whole.box
        guard !limits.fits(hi - lo, area: area), grid.side.isFinite else { return [f] }
        let i0 = Int((lo.x / grid.side).rounded(.down)), i1 = Int((hi.x / grid.side).rounded(.down))
        let j0 = Int((lo.y / grid.side).rounded(.down)), j1 = Int((hi.y / grid.side).rounded(.down))
        // 4096 cells at most: a runaway outline cannot flood the database.
        guard (i1 - i0 + 1) * (j1 - j0 + 1) <= 4096 else { return [f] }
        var done: [ClipShape] = []
        for i in i0...i1 {
            let column = whole.clipped(axis: 0, from: Double(i) * grid.side, to: Double(i + 1) * grid.side)
            guard column.points.count >= (column.closed ? 3 : 2) else { continue }
            for j in j0...j1 {
                let piece = column.clipped(axis: 1, from: Double(j) * grid.side, to: Double(j + 1) * grid.side)
                if piece.points.count >= (piece.closed ? 3 : 2), piece.measure > 0 || !piece.closed { done.append(piece) }
            }
        }
        guard done.count > 1 else { return [f] }
        let total = whole.measure
        return done.map { piece in
            let share = total > 0 ? piece.measure / total : 1 / Double(done.count)
            var p = f
            let (lo, hi) = piece.box
            let c = grid.plane.unproject((lo + hi) / 2)
            p.latitude = c.latitude
            p.longitude = c.longitude
            p.geoOutline = GeoOutline(kind: outline.kind, points: piece.points.map(grid.plane.unproject))
            p.lengthM = f.lengthM.map { $0 * share }
            p.areaM2 = f.areaM2.map { $0 * share }
            p.lengthPx = f.lengthPx.map { $0 * share }
            p.areaPx = f.areaPx.map { $0 * share }
            return p
        }
    }

    /// The groups of ``Merging/cluster(_:)``, each cut into runs that fit `limits`. A group that does not fit is cut by
    /// the work-order grid: its findings go to the cell of their centre (a cell's findings that still do not fit are
    /// cut greedily along the group's longer side), and neighbouring cells, in order along that side, join while their
    /// box fits. Cutting by a fixed grid keeps runs in the same places from frame to frame and survey to survey, so a
    /// later sighting finds the same tickets. Runs are ordered by their first index.
    public static func workOrders(_ fs: [Finding], merging: Merging, limits: WorkOrderLimits) -> [[Int]] {
        let groups = merging.cluster(fs)
        guard limits != .unlimited else { return groups }
        var runs: [[Int]] = []
        for group in groups {
            let boxes = group.map { bounds(of: [fs[$0]]) }
            let area = group.contains { fs[$0].isAreaDefect }
            guard group.count > 1, let all = boxes.reduce(Extent?.none, union), !limits.fits(size(of: all), area: area),
                  let first = Merging.Shape(fs[group[0]])?.center else {
                runs.append(group)
                continue
            }
            let s = size(of: all)
            let eastward = s.x >= s.y
            let grid = WorkOrderGrid(limits: limits, area: area, near: first)
            // Findings by cell, cells in order along the longer side.
            var cells: [SIMD2<Int>: [Int]] = [:]
            for i in group.indices {
                let b = boxes[i]!
                let v = grid.plane.project(GeoPoint(latitude: (b.minLatitude + b.maxLatitude) / 2, longitude: (b.minLongitude + b.maxLongitude) / 2))
                cells[SIMD2(Int((v.x / grid.side).rounded(.down)), Int((v.y / grid.side).rounded(.down))), default: []].append(i)
            }
            let order = cells.keys.sorted { eastward ? ($0.x, $0.y) < ($1.x, $1.y) : ($0.y, $0.x) < ($1.y, $1.x) }
            let key: (Int) -> Double = { i in
                let b = boxes[i]!
                return eastward ? b.minLongitude + b.maxLongitude : b.minLatitude + b.maxLatitude
            }
            // Each cell's findings, cut greedily where they do not fit; then neighbouring pieces joined while they fit.
            var pieces: [(members: [Int], box: Extent?)] = []
            for cell in order {
                var run: [Int] = [], box: Extent?
                for i in cells[cell]!.sorted(by: { (key($0), $0) < (key($1), $1) }) {
                    if !run.isEmpty, let u = union(box, boxes[i]), !limits.fits(size(of: u), area: area) {
                        pieces.append((run, box))
                        (run, box) = ([], nil)
                    }
                    run.append(i)
                    box = union(box, boxes[i])
                }
                pieces.append((run, box))
            }
            var joined: [(members: [Int], box: Extent?)] = []
            for p in pieces {
                if let last = joined.last, let u = union(last.box, p.box), limits.fits(size(of: u), area: area) {
                    joined[joined.count - 1] = (last.members + p.members, u)
                } else {
                    joined.append(p)
                }
            }
            runs += joined.map { $0.members.map { group[$0] }.sorted() }
        }
        return runs.sorted { $0[0] < $1[0] }
    }
}

extension IngestPlan {
    /// A stored finding of a ticket that is cut up: its id, frame and survey.
    public struct Member: Sendable {
        /// Stored id.
        public var id: Int64
        /// Its frame.
        public var frameId: Int64
        /// The frame's survey.
        public var surveyId: Int64
        /// The finding.
        public var finding: Finding

        /// Creates a member.
        public init(id: Int64, frameId: Int64, surveyId: Int64, finding: Finding) {
            self.id = id
            self.frameId = frameId
            self.surveyId = surveyId
            self.finding = finding
        }
    }

    /// One work order of a ticket that is cut up (``split(_:members:limits:model:actor:at:)``).
    public struct SplitPart: Sendable {
        /// The ticket to write: the original (its id kept) for the first part, new ones (id `nil`) for the rest.
        public var ticket: Ticket
        /// Stored findings that belong to it.
        public var findingIds: [Int64]
        /// Pieces of stored findings too large for the limits, to store (in their finding's frame) for it.
        public var newFindings: [(frameId: Int64, finding: Finding)]
        /// Events to insert once it has its id (``events(for:)``).
        public var pendingEvents: [TicketEvent]

        /// The events with the ticket's id filled in.
        public func events(for id: Int64) -> [TicketEvent] {
            pendingEvents.map { var e = $0; e.ticketId = id; return e }
        }
    }

    /// How a stored ticket larger than `limits` (tickets merged before work orders, or under larger limits) is cut
    /// into work orders. Its findings that are larger than the limits are cut into pieces as an ingest cuts them
    /// (``pieces(of:limits:)``; the stores replace them by their pieces: `replaced`), then grouped as an ingest groups
    /// them (``workOrders(_:merging:limits:)``), and each group becomes a ticket measured from its own findings,
    /// survey by survey, with the original's status, dates, source and texts. The part holding the oldest finding keeps
    /// the original's id, Open311 keys and remote ids; the others are new tickets whose `created` event names the
    /// original.
    /// - Parameters: members: the ticket's stored findings.
    /// - Returns: the parts and the ids of the findings replaced by pieces; nothing when the ticket fits or cannot be cut.
    public static func split(_ t: Ticket, members: [Member], limits: WorkOrderLimits, model: PriorityModel, actor: String,
                             at now: Date) -> (parts: [SplitPart], replaced: [Int64]) {
        guard let id = t.id, !members.isEmpty, !fits(members.map(\.finding), into: t, limits: limits) else { return ([], []) }
        // Entries: stored findings as they are (id) and pieces of the ones too large (no id yet).
        var entries: [(id: Int64?, order: Int64, frameId: Int64, surveyId: Int64, finding: Finding)] = []
        var replaced: [Int64] = []
        for m in members {
            let pieces = pieces(of: m.finding, limits: limits)
            if pieces.count > 1 { replaced.append(m.id) }
            for p in pieces { entries.append((pieces.count > 1 ? nil : m.id, m.id, m.frameId, m.surveyId, p)) }
        }
        let runs = workOrders(entries.map(\.finding), merging: Merging(), limits: limits)
            .map { $0.map { entries[$0] } }
            .sorted { $0.map(\.order).min()! < $1.map(\.order).min()! }
        guard runs.count > 1 else { return ([], []) }
        let note = "work-order limits \(limits.crackExtentM) m of crack, \(limits.areaM2) m²"
        let parts = runs.enumerated().map { n, run in
            let bySurvey = Dictionary(grouping: run, by: \.surveyId).sorted { $0.key < $1.key }
            var p = makeTicket(bySurvey[0].value.map(\.finding), surveyId: bySurvey[0].key, at: t.createdAt)
            for (survey, fs) in bySurvey.dropFirst() { update(&p, with: fs.map(\.finding), surveyId: survey, at: t.lastSeen) }
            p.status = t.status
            (p.createdAt, p.firstSeen, p.lastSeen, p.updatedAt) = (t.createdAt, t.firstSeen, t.lastSeen, now)
            (p.source, p.details, p.mediaUrl, p.address, p.attributes) = (t.source, t.details, t.mediaUrl, t.address, t.attributes)
            model.rank(&p)
            let stored = run.compactMap(\.id), new = run.filter { $0.id == nil }.map { (frameId: $0.frameId, finding: $0.finding) }
            if n == 0 {
                p.id = id
                (p.externalKey, p.remoteId, p.remoteStatus) = (t.externalKey, t.remoteId, t.remoteStatus)
                let e = TicketEvent(ticketId: id, at: now, actor: actor, kind: .split,
                                    note: "cut into \(runs.count) work orders (\(note)); this one keeps \(run.count) of \(entries.count) findings")
                return SplitPart(ticket: p, findingIds: stored, newFindings: new, pendingEvents: [e])
            }
            let e = TicketEvent(ticketId: 0, at: now, actor: actor, kind: .created, toStatus: t.status,
                                note: "split from ticket \(id) (\(note)) with \(run.count) findings")
            return SplitPart(ticket: p, findingIds: stored, newFindings: new, pendingEvents: [e])
        }
        return (parts, replaced)
    }
}

/// The fixed grid that cuts large findings and long groups into work orders: squares of 99 % of `crackExtentM / √2`
/// (cracks: any piece inside one has a box diagonal within the limit) or of `√areaM2` (area defects), in a
/// ``LocalPlane`` at the south-west corner of the 0.1° block around the defect, so every frame and survey cuts a
/// defect at the same places (the 1 % covers the plane's distortion across the block).
struct WorkOrderGrid {
    let side: Double
    let plane: LocalPlane

    init(limits: WorkOrderLimits, area: Bool, near p: GeoPoint) {
        side = 0.99 * (area ? limits.areaM2.squareRoot() : limits.crackExtentM / Double(2).squareRoot())
        plane = LocalPlane(origin: GeoPoint(latitude: (p.latitude * 10).rounded(.down) / 10, longitude: (p.longitude * 10).rounded(.down) / 10))
    }
}

/// A polygon or polyline in a ``LocalPlane`` that ``IngestPlan/pieces(of:limits:)`` clips into slabs.
struct ClipShape {
    var points: [SIMD2<Double>]
    var closed: Bool

    /// Lower and upper corners of the box.
    var box: (SIMD2<Double>, SIMD2<Double>) {
        var lo = SIMD2(repeating: Double.infinity), hi = SIMD2(repeating: -Double.infinity)
        for p in points {
            lo = pointwiseMin(lo, p)
            hi = pointwiseMax(hi, p)
        }
        return (lo, hi)
    }

    /// Area (polygons, shoelace formula) or length (lines) in the plane's units.
    var measure: Double {
        guard points.count >= 2 else { return 0 }
        if closed {
            var s = 0.0
            for i in points.indices {
                let a = points[i], b = points[(i + 1) % points.count]
                s += a.x * b.y - b.x * a.y
            }
            return abs(s) / 2
        }
        return zip(points, points.dropFirst()).reduce(0) { sum, seg in
            let d = seg.1 - seg.0
            return sum + (d * d).sum().squareRoot()
        }
    }

    /// The part with `from <= p[axis] <= to`: Sutherland–Hodgman for polygons (against the two edges in turn),
    /// segment clipping for lines (pieces that leave and come back are joined).
    func clipped(axis: Int, from a: Double, to b: Double) -> ClipShape {
        func cross(_ p: SIMD2<Double>, _ q: SIMD2<Double>, at v: Double) -> SIMD2<Double> {
            let t = (v - p[axis]) / (q[axis] - p[axis])
            return p + (q - p) * t
        }
        if closed {
            var ring = points
            for (edge, keep) in [(a, { (p: SIMD2<Double>) in p[axis] >= a }), (b, { (p: SIMD2<Double>) in p[axis] <= b })] {
                guard !ring.isEmpty else { break }
                var out: [SIMD2<Double>] = []
                for i in ring.indices {
                    let p = ring[i], q = ring[(i + 1) % ring.count]
                    switch (keep(p), keep(q)) {
                    case (true, true): out.append(q)
                    case (true, false): out.append(cross(p, q, at: edge))
                    case (false, true): out.append(cross(p, q, at: edge)); out.append(q)
                    case (false, false): break
                    }
                }
                ring = out
            }
            return ClipShape(points: ring, closed: true)
        }
        var out: [SIMD2<Double>] = []
        for (p, q) in zip(points, points.dropFirst()) {
            let (lo, hi) = (min(p[axis], q[axis]), max(p[axis], q[axis]))
            guard hi >= a, lo <= b else { continue }
            var s = p, e = q
            if p[axis] != q[axis] {
                if s[axis] < a { s = cross(p, q, at: a) } else if s[axis] > b { s = cross(p, q, at: b) }
                if e[axis] < a { e = cross(p, q, at: a) } else if e[axis] > b { e = cross(p, q, at: b) }
            }
            if out.last != s { out.append(s) }
            if out.last != e { out.append(e) }
        }
        return ClipShape(points: out, closed: false)
    }
}
