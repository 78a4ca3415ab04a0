import Findings
import Foundation
import Testing
import TestSupport
@testable import Tickets

/// The merge through the spatial indexes gives the tickets that the merge rules give by a plain scan of every
/// ticket and sighting, and its work per finding stays flat as findings and sightings pile up.
@Suite struct IngestScalingTests {
    /// The plain scan below is the merge without work-order limits (``WorkOrderTests`` test those).
    static let unlimited = PriorityModel(workOrder: .unlimited)

    @Test(arguments: StoreBackend.allCases) func sameTicketsAsAPlainScan(_ backend: StoreBackend) async throws {
        // A street flown twice: cracks and areas, each seen in about three frames per pass, chained in places.
        let frames = SyntheticSurvey(seed: 17, lengthM: 60, density: 0.8, passes: 2).frames()
        let store = try await backend.store(model: Self.unlimited)
        var reference = PlainScanMerge()
        var findings = 0
        for (n, frame) in frames.enumerated() {
            _ = try await store.ingest(SurveyBatch(surveyName: "s", frames: [frame]), actor: "test")
            reference.ingest(frame.report.findings, firstIndex: findings, surveyId: 1, frame: n)
            findings += frame.report.findings.count
        }
        #expect(findings > 250)
        let tickets = try await store.tickets(TicketQuery(orderByPriority: false))
        #expect(tickets.count == reference.tickets.count)
        #expect(tickets.count > 20 && tickets.count < findings / 2)
        var stored: [[Int]] = []
        for t in tickets {
            stored.append(try await store.findings(ticketId: t.id!).map { Int($0.id! - 1) }.sorted())
        }
        #expect(stored == reference.tickets.map { $0.findingIndices.sorted() })
        #expect(tickets.map(\.sightings) == reference.tickets.map(\.ticket.sightings))
    }

    @Test(arguments: StoreBackend.allCases) func comparisonsPerFindingStayFlat(_ backend: StoreBackend) async throws {
        // Eight passes over the same 40 m: every defect gains about three sightings per pass.
        let store = try await backend.store(model: Self.unlimited)
        var perPass: [Double] = []
        for pass in 0..<8 {
            let frames = SyntheticSurvey(seed: 5, lengthM: 40, density: 0.8, passes: 1, name: "p\(pass)-").frames()
            var comparisons = 0, findings = 0
            for frame in frames {
                let s = try await store.ingest(SurveyBatch(surveyName: "s", frames: [frame]), actor: "test")
                comparisons += s.comparisons
                findings += s.findingsAdded
            }
            perPass.append(Double(comparisons) / Double(findings))
        }
        // The first pass meets only its own frames' tickets; from the second on, every defect has a ticket.
        let later = perPass[1...]
        #expect(later.max()! <= 1.5 * later.min()! + 0.5, "comparisons per finding by pass: \(perPass)")
        #expect(later.max()! <= 4, "comparisons per finding by pass: \(perPass)")
    }

    @Test func comparisonsPerFindingStayFlatAlongAStreet() async throws {
        // One long street: the second half meets as many tickets per finding as the first.
        let store = try SQLiteTicketStore.inMemory(model: Self.unlimited)
        let frames = SyntheticSurvey(seed: 9, lengthM: 400, density: 0.8, passes: 1).frames()
        var halves = [(comparisons: 0, candidates: 0, findings: 0), (comparisons: 0, candidates: 0, findings: 0)]
        for (n, frame) in frames.enumerated() {
            let s = try await store.ingest(SurveyBatch(surveyName: "s", frames: [frame]), actor: "test")
            let h = n < frames.count / 2 ? 0 : 1
            halves[h].comparisons += s.comparisons
            halves[h].candidates += s.candidatesRead
            halves[h].findings += s.findingsAdded
        }
        let comparisons = halves.map { Double($0.comparisons) / Double($0.findings) }
        let candidates = halves.map { Double($0.candidates) / Double($0.findings) }
        #expect(comparisons[1] <= 1.5 * comparisons[0] + 0.5, "comparisons per finding: \(comparisons)")
        #expect(candidates[1] <= 1.5 * candidates[0] + 0.5, "candidates read per finding: \(candidates)")
    }

    @Test func bestMatchPicksTheClosestThenTheFirstTicket() {
        let merging = Merging()
        let f = Fixtures.crack(east: 0, north: 0, uncertaintyM: 0.2)
        func ticket(_ id: Int64, north: Double, sightings: Int) -> (ticket: Ticket, members: [Finding]) {
            let members = (0..<sightings).map { _ in Fixtures.crack(east: 0, north: north, uncertaintyM: 0.2) }
            var t = IngestPlan.makeTicket(members, surveyId: 1, at: Date(timeIntervalSinceReferenceDate: 0))
            t.id = id
            return (t, members)
        }
        // 0.3 m and 0.2 m away, both within reach (0.2 + 0.2 + 0.05); the closer one wins, measured once each.
        var comparisons = 0
        let far = ticket(1, north: 0.3, sightings: 50), near = ticket(2, north: 0.2, sightings: 50)
        #expect(IngestPlan.bestMatch(for: [f], among: [far, near], merging: merging, comparisons: &comparisons)?.id == 2)
        #expect(comparisons <= 4)
        // Equally close: the first candidate (the older ticket) wins, as a plain scan finds it.
        comparisons = 0
        let twin = ticket(3, north: -0.2, sightings: 50)
        #expect(IngestPlan.bestMatch(for: [f], among: [near, twin], merging: merging, comparisons: &comparisons)?.id == 2)
        #expect(IngestPlan.bestMatch(for: [f], among: [twin, near], merging: merging, comparisons: &comparisons)?.id == 3)
        // Out of reach: nothing.
        #expect(IngestPlan.bestMatch(for: [f], among: [ticket(4, north: 1, sightings: 5)], merging: merging) == nil)
    }
}

/// The merge rules by a plain scan (the ingest before the spatial indexes): single-link groups by testing every
/// pair, and for each group the ticket with the smallest gap (the older one on a tie) over every ticket and every
/// finding merged into it.
struct PlainScanMerge {
    var tickets: [(ticket: Ticket, members: [Finding], findingIndices: [Int])] = []
    let merging = Merging()

    /// The gap when the two shapes match (same class, gap within both uncertainties and the tolerance).
    func gap(_ a: Merging.Shape, _ b: Merging.Shape) -> Double? {
        guard a.defectClass == b.defectClass else { return nil }
        let g = merging.gap(a, b)
        return g <= a.uncertaintyM + b.uncertaintyM + merging.toleranceM ? g : nil
    }

    mutating func ingest(_ fs: [Finding], firstIndex: Int, surveyId: Int64, frame: Int) {
        let shapes = fs.map(Merging.Shape.init)
        var parent = Array(fs.indices)
        func root(_ i: Int) -> Int { parent[i] == i ? i : root(parent[i]) }
        for i in fs.indices {
            for j in fs.indices where j > i {
                guard let a = shapes[i], let b = shapes[j], gap(a, b) != nil else { continue }
                let (ri, rj) = (root(i), root(j))
                if ri != rj { parent[max(ri, rj)] = min(ri, rj) }
            }
        }
        var groups: [Int: [Int]] = [:]
        for i in fs.indices { groups[root(i), default: []].append(i) }
        for key in groups.keys.sorted() {
            let group = groups[key]!, members = group.map { fs[$0] }
            var best: (gap: Double, index: Int)?
            for (k, t) in tickets.enumerated() {
                let targets = [Merging.Shape(t.ticket)].compactMap { $0 } + t.members.compactMap { Merging.Shape($0) }
                for s in members.compactMap(Merging.Shape.init) {
                    for target in targets {
                        guard let g = gap(s, target) else { continue }
                        if best == nil || g < best!.gap { best = (g, k) }
                    }
                }
            }
            let now = Date(timeIntervalSinceReferenceDate: 0)
            let result = IngestPlan.apply(members, to: best.map { tickets[$0.index].ticket }, surveyId: surveyId,
                                          surveyName: "s", actor: "test", model: PriorityModel(), at: now)
            let indices = group.map { firstIndex + $0 }
            if let best {
                tickets[best.index].ticket = result.ticket
                tickets[best.index].members += members
                tickets[best.index].findingIndices += indices
            } else {
                var t = result.ticket
                t.id = Int64(tickets.count + 1)
                tickets.append((t, members, indices))
            }
        }
    }
}

/// Dense synthetic survey frames (seeded): a street 10 m wide flown east, a frame every 5 m with a 15 m
/// footprint, so each defect is seen in about three frames, shifted by a few centimetres each time. Cracks are
/// LineStrings (6-16 points, 0.5-3 m), crack areas and leaks Polygons (12-32 points, 0.5-2 m across).
struct SyntheticSurvey {
    var seed: UInt64
    var lengthM: Double
    /// Defects per metre of street.
    var density: Double
    var passes: Int
    var name = "f"

    struct Defect {
        var finding: Finding
        var east, north: Double
        var points: [SIMD2<Double>]
    }

    func frames() -> [SurveyBatch.Frame] {
        var rng = TestSupport.SeededRandom(seed: seed)
        func unit() -> Double { Double(rng.next() >> 11) / Double(1 << 53) }
        func uniform(_ r: ClosedRange<Double>) -> Double { r.lowerBound + (r.upperBound - r.lowerBound) * unit() }
        var defects: [Defect] = []
        for _ in 0..<Int(lengthM * density) {
            let east = uniform(0...lengthM), north = uniform(-4.5...4.5)
            var points: [SIMD2<Double>] = []
            let kind = unit()
            if kind < 0.6 {
                let n = Int(uniform(6...16)), length = uniform(0.5...3), angle = uniform(0...Double.pi)
                for i in 0..<n {
                    let t = (Double(i) / Double(n - 1) - 0.5) * length
                    points.append(SIMD2(t * cos(angle) + uniform(-0.03...0.03), t * sin(angle) + uniform(-0.03...0.03)))
                }
            } else {
                let n = Int(uniform(12...32)), r = uniform(0.25...1)
                for i in 0..<n {
                    let a = 2 * Double.pi * Double(i) / Double(n)
                    points.append(SIMD2(r * (1 + 0.2 * sin(3 * a)) * cos(a), 0.7 * r * sin(a)))
                }
            }
            let leak = kind > 0.85
            let f = Finding(defectClass: leak ? .leak : .crack, subtype: leak ? nil : (kind < 0.6 ? "transverse" : "alligator"),
                            confidence: uniform(0.5...0.99), bbox: BoundingBox(x: 0, y: 0, width: 10, height: 10),
                            uncertaintyM: uniform(0.3...0.6), lengthM: kind < 0.6 ? uniform(0.5...3) : nil,
                            widthMm: kind < 0.6 ? uniform(1...12) : nil, areaM2: kind < 0.6 ? nil : uniform(0.2...2))
            defects.append(Defect(finding: f, east: east, north: north, points: points))
        }
        var frames: [SurveyBatch.Frame] = []
        for pass in 0..<passes {
            var x = 0.0
            while x <= lengthM {
                var fs: [Finding] = []
                for d in defects where abs(d.east - x) <= 7.5 {
                    let dx = uniform(-0.15...0.15), dy = uniform(-0.15...0.15)
                    let pts = d.points.map {
                        Fixtures.point(east: d.east + $0.x + dx + uniform(-0.01...0.01), north: d.north + $0.y + dy + uniform(-0.01...0.01))
                    }
                    let c = Fixtures.point(east: d.east + dx, north: d.north + dy)
                    var f = d.finding
                    f.latitude = c.latitude
                    f.longitude = c.longitude
                    f.confidence = min(1, f.confidence * uniform(0.9...1.1))
                    f.geoOutline = GeoOutline(kind: d.finding.lengthM == nil ? .polygon : .lineString, points: pts)
                    fs.append(f)
                }
                frames.append(Fixtures.frame("\(name)\(pass)-\(frames.count)", fs))
                x += 5
            }
        }
        return frames
    }
}
