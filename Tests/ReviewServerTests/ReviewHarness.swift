import Codecs
import Findings
import Foundation
import Geodesy
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ImagingCore
import Logging
import NIOCore
import ReviewServer
import Testing
import Tickets

/// A store for the review-page tests: three survey tickets over two real PNG frames on disk (a long
/// transverse crack, a leak, a short crack far away), and the users `vera` (viewer), `rita` (reviewer)
/// and `adam` (admin), all with ``ReviewFixture/password``.
struct ReviewFixture {
    static let password = "correct horse battery"
    let store: any ReviewStore
    let directory: URL
    /// Ticket ids by role in the fixture.
    var crack: Int64 = 0
    var leak: Int64 = 0
    var farCrack: Int64 = 0
    var surveyId: Int64 = 0

    /// Fills `backing` (default: a new in-memory SQLite store).
    init(store backing: (any ReviewStore)? = nil) async throws {
        store = try backing ?? SQLiteTicketStore.inMemory()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("pavewatch-review-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let origin = GeoPoint(latitude: 47.3769, longitude: 8.5417)
        var frames: [SurveyBatch.Frame] = []
        for i in 0..<2 {
            // Grey asphalt-like noise with a dark crack from (60, 200) to (560, 260).
            var img = PixelBuffer(width: 640, height: 480, format: .rgb8)
            var seed: UInt64 = 12345 &+ UInt64(i)
            for y in 0..<480 {
                for x in 0..<640 {
                    seed = seed &* 6364136223846793005 &+ 1442695040888963407
                    let v = UInt8(110 + Int(seed >> 59))
                    for c in 0..<3 { img[x, y, channel: c] = v }
                }
            }
            for t in 0...500 {
                let x = 60 + t, y = 200 + t * 60 / 500 + Int(6 * sin(Double(t) / 25))
                for dy in -2...2 { for c in 0..<3 { img[x, y + dy, channel: c] = 30 } }
            }
            let path = directory.appendingPathComponent("frame\(i).png").path
            try Data(try ImageEncoder.png(img)).write(to: URL(fileURLWithPath: path))
            let lat = origin.latitude + Double(i) * 0.00002
            let footprint = [(-1.0, -1.0), (1, -1), (1, 1), (-1, 1)].map {
                GeoPoint(latitude: lat + $0.1 * 0.00004, longitude: origin.longitude + $0.0 * 0.00006)
            }
            let crack = Finding(defectClass: .crack, subtype: "transverse", confidence: 0.9 - Double(i) * 0.1,
                                bbox: BoundingBox(x: 55, y: 190, width: 510, height: 85),
                                outline: [[55, 195], [565, 255], [565, 275], [55, 215]],
                                latitude: origin.latitude, longitude: origin.longitude, uncertaintyM: 0.5,
                                lengthM: 2 + Double(i) * 0.2, widthMm: 20 + Double(i) * 4)
            var findings = [crack]
            if i == 0 {
                findings.append(Finding(defectClass: .leak, confidence: 0.6, bbox: BoundingBox(x: 300, y: 300, width: 120, height: 90),
                                        latitude: origin.latitude + 0.00003, longitude: origin.longitude + 0.00003,
                                        uncertaintyM: 0.5, areaM2: 3))
                findings.append(Finding(defectClass: .crack, subtype: "longitudinal", confidence: 0.5,
                                        bbox: BoundingBox(x: 10, y: 10, width: 40, height: 20),
                                        latitude: origin.latitude + 0.01, longitude: origin.longitude + 0.01,
                                        uncertaintyM: 0.5, lengthM: 0.3, widthMm: 1))
            }
            var report = FrameReport(file: path, width: 640, height: 480, findings: findings, latitude: lat,
                                     longitude: origin.longitude, altitudeM: 30, gsdCmPerPx: 0.8, footprint: footprint,
                                     capturedAt: "2026-11-2\(i)T10:00:00Z")
            report.surfaceFraction = 0.9
            report.surveyedAreaM2 = 17.7
            report.detectionLimitMm = 8 + Double(i)
            frames.append(.init(report: report, contentHash: "hash-\(i)"))
        }
        let summary = try await store.ingest(SurveyBatch(surveyName: "north <ring>", frames: frames), actor: "survey:north")
        surveyId = summary.surveyId
        let tickets = try await store.tickets(TicketQuery(orderByPriority: false))
        crack = try #require(tickets.first { $0.defectClass == .crack && $0.subtype == "transverse" }?.id)
        leak = try #require(tickets.first { $0.defectClass == .leak }?.id)
        farCrack = try #require(tickets.first { $0.subtype == "longitudinal" }?.id)
        for (name, role) in [("vera", UserRole.viewer), ("rita", .reviewer), ("adam", .admin)] {
            try await store.saveUser(UserAccount(name: name, role: role, passwordHash: PasswordHash.make(Self.password, cost: 4)))
        }
    }

    func removeFiles() { try? FileManager.default.removeItem(at: directory) }

    func application(_ review: ReviewConfiguration = ReviewConfiguration()) -> some ApplicationProtocol {
        buildApplication(store: store, open311: Open311Configuration(apiKeys: ["k"]), review: review,
                         host: "127.0.0.1", port: 0,
                         logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
    }
}

/// Runs `body` against the router of a fresh ``ReviewFixture``.
func withPages(_ review: ReviewConfiguration = ReviewConfiguration(),
               _ body: @Sendable (any TestClientProtocol, ReviewFixture) async throws -> Void) async throws {
    let fx = try await ReviewFixture()
    defer { fx.removeFiles() }
    try await fx.application(review).test(.router) { client in try await body(client, fx) }
}

/// A logged-in browser-like client: its cookie and the session's CSRF token.
struct ReviewSession {
    var cookie: String
    var csrf: String
}

extension TestClientProtocol {
    /// GET with an optional session cookie.
    func page(_ path: String, _ session: ReviewSession? = nil) async throws -> TestResponse {
        var h: HTTPFields = [:]
        if let session { h[.cookie] = session.cookie }
        return try await execute(uri: path, method: .get, headers: h)
    }

    /// POSTs a form with an optional session cookie.
    func form(_ path: String, _ fields: [(String, String)], _ session: ReviewSession? = nil,
              cookie: String? = nil) async throws -> TestResponse {
        var h: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
        if let c = cookie ?? session?.cookie { h[.cookie] = c }
        return try await execute(uri: path, method: .post, headers: h, body: ByteBuffer(string: FormURLEncoded.encode(fields)))
    }

    /// The login form's pre-session cookie and CSRF token.
    func loginForm() async throws -> (cookie: String, csrf: String) {
        let r = try await page("/login")
        #expect(r.status == .ok)
        let set = try #require(r.headers[values: .setCookie].first { $0.hasPrefix("pw_login=") })
        let cookie = String(set.prefix { $0 != ";" })
        return (cookie, try #require(r.hiddenField("csrf")))
    }

    /// Logs in and returns the session.
    func login(_ name: String, password: String = ReviewFixture.password) async throws -> ReviewSession {
        let (cookie, csrf) = try await loginForm()
        let r = try await form("/login", [("csrf", csrf), ("name", name), ("password", password), ("next", "/")], cookie: cookie)
        #expect(r.status == .seeOther, "login of \(name) answered \(r.status)")
        let set = try #require(r.headers[values: .setCookie].first { $0.hasPrefix("pw_session=") })
        let sessionCookie = String(set.prefix { $0 != ";" })
        let home = try await page("/", ReviewSession(cookie: sessionCookie, csrf: ""))
        return ReviewSession(cookie: sessionCookie, csrf: try #require(home.hiddenField("csrf")))
    }
}

extension TestResponse {
    var html: String { String(buffer: body) }

    /// The value of the first hidden input named `name`.
    func hiddenField(_ name: String) -> String? {
        let text = html
        guard let r = text.range(of: "type=\"hidden\" name=\"\(name)\" value=\"") else { return nil }
        return String(text[r.upperBound...].prefix { $0 != "\"" })
    }
}
