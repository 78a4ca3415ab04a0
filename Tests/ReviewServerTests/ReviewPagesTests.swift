import Codecs
import Findings
import GRDB
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ImagingCore
import ReviewServer
import TestSupport
import Testing
import Tickets

@Suite("Review pages")
struct ReviewPagesTests {
    @Test("Every page redirects to the login page without a session; POSTs are 401")
    func loginRequired() async throws {
        try await withPages { client, fx in
            for path in ["/", "/map", "/tickets/\(fx.crack)", "/tickets/\(fx.crack)/findings/1/crop.png", "/surveys",
                         "/surveys/\(fx.surveyId)"] {
                let r = try await client.page(path)
                #expect(r.status == .seeOther, "\(path)")
                #expect(r.headers[.location]?.hasPrefix("/login?next=") == true, "\(path)")
            }
            let post = try await client.form("/tickets/\(fx.crack)/confirm", [("csrf", "x")])
            #expect(post.status == .unauthorized)
            #expect(try await fx.store.ticket(id: fx.crack)?.status == .new)
        }
    }

    @Test("Login sets an HttpOnly SameSite session cookie; wrong passwords and missing CSRF are refused")
    func login() async throws {
        try await withPages { client, fx in
            let (cookie, csrf) = try await client.loginForm()
            let wrong = try await client.form("/login", [("csrf", csrf), ("name", "rita"), ("password", "nope")], cookie: cookie)
            #expect(wrong.status == .unauthorized)
            #expect(wrong.headers[values: .setCookie].allSatisfy { !$0.hasPrefix("pw_session=") })
            let unknown = try await client.form("/login", [("csrf", csrf), ("name", "nobody"), ("password", ReviewFixture.password)], cookie: cookie)
            #expect(unknown.status == .unauthorized)
            let noCSRF = try await client.form("/login", [("name", "rita"), ("password", ReviewFixture.password)], cookie: cookie)
            #expect(noCSRF.status == .forbidden)
            let noCookie = try await client.form("/login", [("csrf", csrf), ("name", "rita"), ("password", ReviewFixture.password)])
            #expect(noCookie.status == .forbidden)
            let ok = try await client.form("/login", [("csrf", csrf), ("name", "rita"), ("password", ReviewFixture.password),
                                                      ("next", "//evil.example/")], cookie: cookie)
            #expect(ok.status == .seeOther)
            #expect(ok.headers[.location] == "/", "an off-site next is not followed")
            let set = try #require(ok.headers[values: .setCookie].first { $0.hasPrefix("pw_session=") })
            #expect(set.contains("HttpOnly") && set.contains("SameSite=Strict") && set.contains("Path=/"))
            #expect(!set.contains("Secure"))
            let session = String(set.prefix { $0 != ";" })
            let home = try await client.page("/", ReviewSession(cookie: session, csrf: ""))
            #expect(home.status == .ok)
            #expect(home.html.contains("rita (reviewer)"))
            #expect(home.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true)
        }
    }

    @Test("Secure cookies when configured")
    func secureCookie() async throws {
        try await withPages(ReviewConfiguration(secureCookies: true)) { client, _ in
            let r = try await client.page("/login")
            #expect(r.headers[values: .setCookie].first?.contains("; Secure") == true)
        }
    }

    @Test("Login is rate limited per name after repeated failures")
    func rateLimit() async throws {
        // A backoff far longer than three bcrypt checks take on a loaded machine, so the fourth try is still refused.
        try await withPages(ReviewConfiguration(maxLoginFailures: 3, loginBackoff: 120)) { client, _ in
            let (cookie, csrf) = try await client.loginForm()
            for _ in 0..<3 {
                let r = try await client.form("/login", [("csrf", csrf), ("name", "rita"), ("password", "guess")], cookie: cookie)
                #expect(r.status == .unauthorized)
            }
            let limited = try await client.form("/login", [("csrf", csrf), ("name", "rita"), ("password", ReviewFixture.password)], cookie: cookie)
            #expect(limited.status == .tooManyRequests)
            // Another name is not locked out.
            _ = try await client.login("vera")
        }
    }

    @Test("A viewer reads every page but cannot act")
    func viewer() async throws {
        try await withPages { client, fx in
            let s = try await client.login("vera")
            for path in ["/", "/map", "/tickets/\(fx.crack)", "/surveys", "/surveys/\(fx.surveyId)"] {
                let r = try await client.page(path, s)
                #expect(r.status == .ok, "\(path)")
                #expect(r.headers[.contentType]?.hasPrefix("text/html") == true)
            }
            let ticket = try await client.page("/tickets/\(fx.crack)", s)
            #expect(!ticket.html.contains("action-confirm"))
            for action in ["confirm", "reject", "dispatch", "fixed", "merge"] {
                let r = try await client.form("/tickets/\(fx.crack)/\(action)", [("csrf", s.csrf), ("into", "\(fx.leak)")], s)
                #expect(r.status == .forbidden, "\(action)")
            }
            #expect(try await fx.store.ticket(id: fx.crack)?.status == .new)
        }
    }

    @Test("Reviewer actions need the session's CSRF token and are events with the user's name",
          arguments: ["reviewer", "admin"])
    func actions(role: String) async throws {
        try await withPages { client, fx in
            let s = try await client.login(role == "admin" ? "adam" : "rita")
            let user = role == "admin" ? "adam" : "rita"
            #expect(try await client.form("/tickets/\(fx.crack)/confirm", [], s).status == .forbidden)
            #expect(try await client.form("/tickets/\(fx.crack)/confirm", [("csrf", String(repeating: "0", count: 64))], s).status == .forbidden)
            let other = try await client.login("vera")
            #expect(try await client.form("/tickets/\(fx.crack)/confirm", [("csrf", other.csrf)], s).status == .forbidden,
                    "another session's token")
            #expect(try await fx.store.ticket(id: fx.crack)?.status == .new)

            let ok = try await client.form("/tickets/\(fx.crack)/confirm", [("csrf", s.csrf), ("note", "seen <on site>")], s)
            #expect(ok.status == .seeOther)
            #expect(ok.headers[.location] == "/tickets/\(fx.crack)?done=confirm")
            #expect(try await fx.store.ticket(id: fx.crack)?.status == .confirmed)
            let event = try #require(try await fx.store.events(ticketId: fx.crack).last)
            #expect(event.actor == user && event.toStatus == .confirmed && event.note == "seen <on site>")
            let page = try await client.page("/tickets/\(fx.crack)?done=confirm", s)
            #expect(page.html.contains("seen &lt;on site&gt;"))
            #expect(!page.html.contains("seen <on site>"))

            #expect(try await client.form("/tickets/\(fx.crack)/dispatch", [("csrf", s.csrf)], s).status == .seeOther)
            #expect(try await fx.store.ticket(id: fx.crack)?.status == .dispatched)
            #expect(try await fx.store.outboxItems().contains { $0.ticketId == fx.crack }, "dispatch enqueues forwarding")
            #expect(try await client.form("/tickets/\(fx.crack)/fixed", [("csrf", s.csrf)], s).status == .seeOther)
            #expect(try await fx.store.ticket(id: fx.crack)?.status == .fixed)
            // fixed → confirmed is not a legal transition.
            #expect(try await client.form("/tickets/\(fx.crack)/confirm", [("csrf", s.csrf)], s).status == .conflict)
            #expect(try await client.form("/tickets/\(fx.leak)/reject", [("csrf", s.csrf)], s).status == .seeOther)
            #expect(try await fx.store.ticket(id: fx.leak)?.status == .rejected)
        }
    }

    @Test("Unknown tickets, sightings, surveys and actions are 404")
    func notFound() async throws {
        try await withPages { client, fx in
            let s = try await client.login("rita")
            #expect(try await client.page("/tickets/9999", s).status == .notFound)
            #expect(try await client.page("/tickets/abc", s).status == .notFound)
            #expect(try await client.page("/tickets/\(fx.crack)/findings/9999/crop.png", s).status == .notFound)
            let leakFinding = try #require(try await fx.store.findings(ticketId: fx.leak).first?.id)
            #expect(try await client.page("/tickets/\(fx.crack)/findings/\(leakFinding)/crop.png", s).status == .notFound,
                    "a finding of another ticket")
            #expect(try await client.page("/tickets/\(fx.crack)/findings/..%2F..%2Fetc%2Fpasswd/crop.png", s).status == .notFound)
            #expect(try await client.page("/surveys/9999", s).status == .notFound)
            #expect(try await client.form("/tickets/9999/confirm", [("csrf", s.csrf)], s).status == .notFound)
            #expect(try await client.form("/tickets/\(fx.crack)/delete", [("csrf", s.csrf)], s).status == .notFound)
        }
    }

    @Test("The crop is a PNG of the stored frame with the outline drawn")
    func crop() async throws {
        try await withPages { client, fx in
            let s = try await client.login("vera")
            let finding = try #require(try await fx.store.findings(ticketId: fx.crack).first?.id)
            let r = try await client.page("/tickets/\(fx.crack)/findings/\(finding)/crop.png", s)
            #expect(r.status == .ok)
            #expect(r.headers[.contentType] == "image/png")
            let bytes = Array(r.body.readableBytesView)
            #expect(bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]))
            let png = try ImageDecoder.decode(bytes, options: DecodeOptions(format: .rgb8)).pixels
            // The severity-coloured outline appears in the crop; the frame itself is grey.
            var coloured = 0
            for y in 0..<png.height {
                for x in 0..<png.width {
                    let c = (0..<3).map { Int(png[x, y, channel: $0]) }
                    if c.max()! - c.min()! > 100 { coloured += 1 }
                }
            }
            #expect(coloured > 50)
        }
    }

    @Test("Filters, sorting and pagination of the ranked list")
    func listFilters() async throws {
        try await withPages(ReviewConfiguration(pageSize: 2)) { client, fx in
            let s = try await client.login("vera")
            func ids(_ path: String) async throws -> [Int64] {
                let html = try await client.page(path, s).html
                return html.components(separatedBy: "<tr data-ticket=\"").dropFirst().compactMap { Int64($0.prefix { $0 != "\"" }) }
            }
            #expect(try await ids("/").count == 2)
            #expect(try await client.page("/", s).html.contains("id=\"next\""))
            #expect(try await ids("/?page=2").count == 1)
            #expect(Set(try await ids("/?page=1") + ids("/?page=2")) == [fx.crack, fx.leak, fx.farCrack])
            #expect(try await ids("/?class=leak") == [fx.leak])
            #expect(Set(try await ids("/?class=crack")) == [fx.crack, fx.farCrack])
            #expect(try await ids("/?status=confirmed").isEmpty)
            #expect(try await ids("/?survey=\(fx.surveyId)&page=2").count == 1)
            #expect(try await ids("/?survey=9999").isEmpty)
            // A rectangle around the origin leaves out the crack 1 km away.
            #expect(Set(try await ids("/?south=47.37&west=8.54&north=47.38&east=8.545")) == [fx.crack, fx.leak])
            let high = try await fx.store.tickets(TicketQuery()).filter { $0.severity == .high }.compactMap(\.id)
            #expect(Set(try await ids("/?severity=high")) == Set(high))
            // Sort by size: the 2.2 m × 24 mm crack before the 0.3 m × 1 mm one; descending reverses.
            let bySize = try await ids("/?class=crack&sort=size")
            #expect(bySize == [fx.crack, fx.farCrack])
            #expect(try await ids("/?class=crack&sort=size&dir=desc") == [fx.farCrack, fx.crack])
            // The survey name is escaped in the filter.
            let page = try await client.page("/", s).html
            #expect(page.contains("north &lt;ring&gt;") && !page.contains("north <ring>"))
        }
    }

    @Test("Map: SVG with defects linking to their pages, footprints, scale bar; optional tile background")
    func map() async throws {
        try await withPages(ReviewConfiguration(tileURL: "http://tiles.local/{z}/{x}/{y}.png")) { client, fx in
            let s = try await client.login("vera")
            let r = try await client.page("/map", s)
            #expect(r.status == .ok)
            let html = r.html
            for id in [fx.crack, fx.leak, fx.farCrack] { #expect(html.contains("href=\"/tickets/\(id)\"")) }
            #expect(html.contains("<svg") && html.contains("<polygon") && html.contains(">N</text>"))
            #expect(html.contains("<image href=\"http://tiles.local/"))
            #expect(r.headers[.contentSecurityPolicy]?.contains("http://tiles.local") == true)
        }
    }

    @Test("Map: Leaflet from the binary over /map.geojson (defects coloured and linked, footprints, track); scripts only from this origin")
    func leafletMap() async throws {
        try await withPages(ReviewConfiguration(tileURL: "http://tiles.local/{z}/{x}/{y}.png")) { client, fx in
            let s = try await client.login("vera")
            let page = try await client.page("/map", s)
            let html = page.html
            #expect(html.contains("<script src=\"/static/leaflet/leaflet.js\"></script><script src=\"/static/map.js\"></script>"))
            #expect(html.contains("data-tiles=\"http://tiles.local/{z}/{x}/{y}.png\"") && html.contains("data-geojson=\"/map.geojson\""))
            #expect(html.contains("<noscript><div id=\"map\"><svg"), "the drawn map stays for browsers without JavaScript")
            let csp = page.headers[.contentSecurityPolicy] ?? ""
            #expect(csp.contains("script-src 'self'") && !csp.contains("unsafe-eval") && !csp.contains("script-src 'unsafe-inline'"))
            // The data: three defects with their colours and links, footprints, the track.
            let data = try await client.page("/map.geojson", s)
            #expect(data.status == .ok && data.headers[.contentType] == "application/geo+json")
            let fc = try #require(try JSONSerialization.jsonObject(with: Data(data.body.readableBytesView)) as? [String: Any])
            let features = try #require(fc["features"] as? [[String: Any]])
            let props = features.compactMap { $0["properties"] as? [String: Any] }
            let defects = props.filter { $0["kind"] as? String == "defect" }
            #expect(Set(defects.compactMap { $0["id"] as? Int64 }) == Set([fx.crack, fx.leak, fx.farCrack]))
            #expect(defects.allSatisfy { ($0["url"] as? String) == "/tickets/\($0["id"] as? Int64 ?? 0)" && ($0["colour"] as? String)?.hasPrefix("#") == true })
            #expect(props.contains { $0["kind"] as? String == "frame" })
            // Filters apply: leaks only.
            let leaks = try await client.page("/map.geojson?class=leak", s)
            #expect(String(buffer: leaks.body).contains("\"kind\":\"defect\"") && !String(buffer: leaks.body).contains("\"class\":\"crack\""))
            // Without a session: no data.
            #expect(try await client.page("/map.geojson").status == .seeOther)
            // The library and the script, served without a session, cacheable.
            for (path, type) in [("/static/leaflet/leaflet.js", "text/javascript"), ("/static/leaflet/leaflet.css", "text/css"),
                                 ("/static/leaflet/images/layers.png", "image/png"), ("/static/map.js", "text/javascript"),
                                 ("/static/leaflet/LICENSE.txt", "text/plain")] {
                let r = try await client.page(path)
                #expect(r.status == .ok && (r.headers[.contentType] ?? "").hasPrefix(type), "\(path)")
                #expect(r.body.readableBytes > 100 && r.headers[.cacheControl]?.contains("max-age") == true, "\(path)")
            }
            #expect(String(buffer: try await client.page("/static/leaflet/LICENSE.txt").body).contains("BSD-2-clause"))
            #expect(try await client.page("/static/leaflet/../../etc/passwd").status == .notFound)
        }
    }

    @Test("JSON API: a reviewer moves a ticket with the session's CSRF token; every other request is refused with a JSON error")
    func statusAPI() async throws {
        try await withPages { client, fx in
            let rita = try await client.login("rita"), vera = try await client.login("vera")
            func post(_ path: String, _ body: String, _ session: ReviewSession?, csrf: String?,
                      type: String = "application/json") async throws -> (HTTPResponse.Status, [String: Any]) {
                var h: HTTPFields = [.contentType: type]
                if let session { h[.cookie] = session.cookie }
                if let csrf { h[HTTPField.Name("X-CSRF-Token")!] = csrf }
                let r = try await client.execute(uri: path, method: .post, headers: h, body: ByteBuffer(string: body))
                let json = (try? JSONSerialization.jsonObject(with: Data(r.body.readableBytesView))) as? [String: Any] ?? [:]
                return (r.status, json)
            }
            let path = "/api/v1/tickets/\(fx.crack)/status", confirm = #"{"status": "confirmed", "note": "seen"}"#
            #expect(try await post(path, confirm, nil, csrf: nil).0 == .unauthorized)
            #expect(try await post(path, confirm, rita, csrf: nil).0 == .forbidden)
            #expect(try await post(path, confirm, rita, csrf: "wrong").0 == .forbidden)
            #expect(try await post(path, confirm, vera, csrf: vera.csrf).0 == .forbidden, "a viewer may not")
            #expect(try await post(path, "status=confirmed", rita, csrf: rita.csrf, type: "application/x-www-form-urlencoded").0 == .unsupportedMediaType)
            #expect(try await post(path, "{", rita, csrf: rita.csrf).0 == .badRequest)
            #expect(try await post(path, #"{"status": "done"}"#, rita, csrf: rita.csrf).0 == .badRequest)
            #expect(try await post("/api/v1/tickets/999999/status", confirm, rita, csrf: rita.csrf).0 == .notFound)
            #expect(try await fx.store.ticket(id: fx.crack)?.status == .new, "nothing changed so far")
            let (ok, body) = try await post(path, confirm, rita, csrf: rita.csrf)
            #expect(ok == .ok && body["status"] as? String == "confirmed" && body["allowedNext"] as? [String] == ["dispatched", "rejected"])
            #expect(try await fx.store.ticket(id: fx.crack)?.status == .confirmed)
            #expect(try await fx.store.events(ticketId: fx.crack).last?.note == "seen")
            let (conflict, error) = try await post(path, #"{"status": "fixed"}"#, rita, csrf: rita.csrf)
            #expect(conflict == .conflict && (error["error"] as? String)?.contains("cannot become fixed") == true)
            // The list: reviewers get the keyboard triage and its token, viewers neither; thumbnails per row.
            let listed = try await client.page("/", rita).html
            #expect(listed.contains("data-csrf=\"\(rita.csrf)\"") && listed.contains("/static/triage.js"))
            #expect(listed.contains("src=\"/tickets/\(fx.crack)/thumb.png\""))
            let viewed = try await client.page("/", vera).html
            #expect(!viewed.contains("data-csrf") && !viewed.contains("triage.js"))
            let thumb = try await client.page("/tickets/\(fx.crack)/thumb.png", vera)
            #expect(thumb.status == .ok && thumb.headers[.contentType] == "image/png")
        }
    }

    @Test("Frame viewer: the whole frame with every finding in it outlined, the defect's other sightings beside it")
    func frameViewer() async throws {
        try await withPages { client, fx in
            let s = try await client.login("vera")
            let sightings = try await fx.store.findings(ticketId: fx.crack)
            let rec = try #require(sightings.first)
            let ticketPage = try await client.page("/tickets/\(fx.crack)", s).html
            #expect(ticketPage.contains("href=\"/tickets/\(fx.crack)/findings/\(rec.id!)/frame\""))
            let r = try await client.page("/tickets/\(fx.crack)/findings/\(rec.id!)/frame", s)
            #expect(r.status == .ok)
            let html = r.html
            #expect(html.contains("data-image=\"/frames/\(rec.frameId)/image.jpg\"") && html.contains("/static/frame.js"))
            // The outlines: this finding (current) and the other defects' findings in the same frame.
            let attr = try #require(html.components(separatedBy: "data-outlines=\"").dropFirst().first?.prefix { $0 != "\"" })
            let json = String(attr).replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&amp;", with: "&")
                .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&#39;", with: "'")
            let outlines = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])
            #expect(outlines.filter { $0["current"] as? Bool == true }.count == 1)
            #expect(outlines.allSatisfy { ($0["points"] as? [[Double]])?.count ?? 0 >= 2 })
            var inFrame = 0
            for t in try await fx.store.tickets(TicketQuery()) {
                inFrame += try await fx.store.findings(ticketId: t.id!).filter { $0.frameId == rec.frameId }.count
            }
            #expect(outlines.count == inFrame, "every finding of the frame, \(inFrame)")
            // The image: a JPEG of the stored frame, no larger than the viewer's side.
            let image = try await client.page("/frames/\(rec.frameId)/image.jpg", s)
            #expect(image.status == .ok && image.headers[.contentType] == "image/jpeg")
            let decoded = try ImageDecoder.decode(Array(image.body.readableBytesView))
            let frame = try #require(try await fx.store.frames().first { $0.id == rec.frameId })
            #expect(max(decoded.pixels.width, decoded.pixels.height) <= 2048)
            #expect(abs(Double(decoded.pixels.width) / Double(decoded.pixels.height) - Double(frame.width) / Double(frame.height)) < 0.02)
            #expect(try await client.page("/frames/\(rec.frameId)/image.jpg").status == .seeOther, "no image without a session")
            #expect(try await client.page("/frames/999999/image.jpg", s).status == .notFound)
            #expect(try await client.page("/tickets/\(fx.crack)/findings/999999/frame", s).status == .notFound)
        }
    }

    @Test("JSON API reads: the ranked list with the page's filters and a defect with sightings and history; the OpenAPI document names only routed paths")
    func readAPI() async throws {
        try await withPages { client, fx in
            let vera = try await client.login("vera")
            func json(_ path: String, _ s: ReviewSession?) async throws -> (HTTPResponse.Status, [String: Any]) {
                let r = try await client.page(path, s)
                return (r.status, (try? JSONSerialization.jsonObject(with: Data(r.body.readableBytesView))) as? [String: Any] ?? [:])
            }
            #expect(try await json("/api/v1/tickets", nil).0 == .unauthorized, "JSON, not a redirect, without a session")
            let (ok, list) = try await json("/api/v1/tickets", vera)
            #expect(ok == .ok && list["total"] as? Int == 3)
            let tickets = try #require(list["tickets"] as? [[String: Any]])
            #expect(tickets.map { $0["rank"] as? Int } == [1, 2, 3])
            #expect(Set(tickets.compactMap { $0["id"] as? Int64 }) == Set([fx.crack, fx.leak, fx.farCrack]))
            #expect(tickets.allSatisfy { $0["class"] != nil && $0["status"] as? String == "new" && $0["severity"] != nil })
            let leaks = try await json("/api/v1/tickets?class=leak", vera).1
            #expect((leaks["tickets"] as? [[String: Any]])?.compactMap { $0["id"] as? Int64 } == [fx.leak])
            let (found, detail) = try await json("/api/v1/tickets/\(fx.crack)", vera)
            #expect(found == .ok && (detail["ticket"] as? [String: Any])?["id"] as? Int64 == fx.crack)
            let sightings = try #require(detail["sightings"] as? [[String: Any]])
            #expect(!sightings.isEmpty && sightings.allSatisfy { ($0["crop"] as? String)?.hasSuffix("/crop.png") == true })
            #expect(detail["history"] is [Any])
            #expect(try await json("/api/v1/tickets/999999", vera).0 == .notFound)
            // The document: every path it names answers (ids filled in), none is a 404.
            let doc = try await client.page("/api/v1/openapi.yaml")
            #expect(doc.status == .ok && (doc.headers[.contentType] ?? "").hasPrefix("application/yaml"))
            let text = String(buffer: doc.body)
            let paths = text.split(separator: "\n").filter { $0.hasPrefix("  /") }.map { String($0.dropFirst(2).dropLast()) }
            #expect(paths.count == 6, "\(paths)")
            let frame = try #require(try await fx.store.findings(ticketId: fx.crack).first?.frameId)
            for path in paths {
                let concrete = path.replacingOccurrences(of: "/frames/{id}", with: "/frames/\(frame)").replacingOccurrences(of: "{id}", with: "\(fx.crack)")
                if path.hasSuffix("/status") {
                    let r = try await client.execute(uri: concrete, method: .post, headers: [.cookie: vera.cookie], body: ByteBuffer())
                    #expect(r.status == .forbidden, "\(concrete): routed, and refused to a viewer")
                } else {
                    #expect(try await client.page(concrete, vera).status == .ok, "\(concrete)")
                }
            }
        }
    }

    @Test("Field crew: 'fixed' with a phone photo stores a re-encoded JPEG with the photo's GPS position and shows it on the defect page")
    func repairPhoto() async throws {
        let photos = FileManager.default.temporaryDirectory.appendingPathComponent("repair-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: photos) }
        try await withPages(ReviewConfiguration(photoDirectory: photos)) { client, fx in
            let rita = try await client.login("rita")
            for action in ["confirm", "dispatch"] {
                #expect(try await client.form("/tickets/\(fx.crack)/\(action)", [("csrf", rita.csrf)], rita).status == .seeOther)
            }
            let page = try await client.page("/tickets/\(fx.crack)", rita).html
            #expect(page.contains("enctype=\"multipart/form-data\"") && page.contains("name=\"photo\"") && page.contains("capture=\"environment\""))
            // A real drone frame with EXIF GPS stands in for the crew's phone photo.
            let original = try [UInt8](Data(contentsOf: TestSupport.repositoryRoot.appendingPathComponent("datasets/demo-survey/IMG_161122_164145_0090_RGB.JPG")))
            func upload(_ bytes: [UInt8], csrf: String) async throws -> TestResponse {
                let boundary = "----pw\(UUID().uuidString)"
                var body = [UInt8]()
                func field(_ name: String, _ value: String) {
                    body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8)
                }
                field("csrf", csrf)
                field("note", "patched")
                body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"../../evil.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n".utf8)
                body += bytes + Array("\r\n--\(boundary)--\r\n".utf8)
                return try await client.execute(uri: "/tickets/\(fx.crack)/fixed", method: .post,
                                                headers: [.contentType: "multipart/form-data; boundary=\(boundary)", .cookie: rita.cookie],
                                                body: ByteBuffer(bytes: body))
            }
            // Not an image: refused, nothing changes.
            let bad = try await upload(Array("not a photo".utf8), csrf: rita.csrf)
            #expect(bad.status == .unprocessableContent, "\(bad.status) \(String(buffer: bad.body).suffix(300))")
            #expect(try await upload(original, csrf: "wrong").status == .forbidden)
            #expect(try await fx.store.ticket(id: fx.crack)?.status == .dispatched)
            #expect(try await upload(original, csrf: rita.csrf).status == .seeOther)
            #expect(try await fx.store.ticket(id: fx.crack)?.status == .fixed)
            #expect(try await fx.store.events(ticketId: fx.crack).last?.note == "patched")
            let stored = try FileManager.default.contentsOfDirectory(atPath: photos).sorted()
            #expect(stored.count == 2 && stored.contains("ticket-\(fx.crack).json"))
            let name = try #require(stored.first { $0.hasSuffix(".jpg") })
            #expect(name.hasPrefix("ticket-\(fx.crack)-") && !FileManager.default.fileExists(atPath: photos + "/../../evil.jpg"))
            let photo = try await client.page("/tickets/\(fx.crack)/repair-photos/\(name)", rita)
            #expect(photo.status == .ok && photo.headers[.contentType] == "image/jpeg")
            let bytes = Array(photo.body.readableBytesView)
            let decoded = try ImageDecoder.decode(bytes)
            #expect(max(decoded.pixels.width, decoded.pixels.height) <= 2048 && decoded.metadata.latitude == nil, "re-encoded, no EXIF kept")
            let original0090 = try ImageDecoder.decode(original).metadata
            let shown = try await client.page("/tickets/\(fx.crack)", rita).html
            #expect(shown.contains("Repair photos") && shown.contains(String(format: "at %.6f, %.6f", original0090.latitude!, original0090.longitude!)))
            #expect(try await client.page("/tickets/\(fx.crack)/repair-photos/..%2F\(name)", rita).status == .notFound)
            #expect(try await client.page("/tickets/\(fx.leak)/repair-photos/\(name)", rita).status == .notFound)
        }
    }

    @Test("Map: defects in two towns far apart draw the area with the most defects and link the other")
    func mapAreas() async throws {
        try await withPages { client, fx in
            // An Open311 report 9,000 km away from the fixture's survey near Zürich.
            let (far, _) = try await fx.store.createServiceRequest(
                ServiceRequestInput(defectClass: .crack, latitude: 34.5864, longitude: 135.4514, description: "quay wall"),
                actor: "open311:test")
            let s = try await client.login("vera")
            let html = try await client.page("/map", s).html
            #expect(html.contains("lie in 2 areas far apart"))
            for id in [fx.crack, fx.leak, fx.farCrack] { #expect(html.contains("href=\"/tickets/\(id)\"")) }
            #expect(!html.contains("href=\"/tickets/\(far.id!)\""), "area 1 is Zürich (3 defects)")
            // The second area's link is a map rectangle around the far defect alone.
            let links = html.components(separatedBy: "<a href=\"/map?").dropFirst().map { String($0.prefix { $0 != "\"" }) }
            try #require(links.count == 2)
            let other = try await client.page("/map?" + links[1].replacingOccurrences(of: "&amp;", with: "&"), s).html
            #expect(other.contains("href=\"/tickets/\(far.id!)\""))
            #expect(!other.contains("href=\"/tickets/\(fx.crack)\"") && !other.contains("areas far apart"))
            #expect(other.contains("1 defects (click one to open it), 0 frames"))
        }
    }

    @Test("Defect page: crop, measurements, every sighting with growth, history")
    func defectPage() async throws {
        try await withPages { client, fx in
            let s = try await client.login("rita")
            let html = try await client.page("/tickets/\(fx.crack)", s).html
            let findings = try await fx.store.findings(ticketId: fx.crack)
            #expect(findings.count == 2)
            for f in findings { #expect(html.contains("/tickets/\(fx.crack)/findings/\(f.id!)/crop.png")) }
            #expect(html.contains("+20 %"), "second sighting's width 24 mm against 20 mm")
            #expect(html.contains("survey:north"))
            #expect(html.contains("id=\"action-confirm\"") && html.contains("id=\"action-reject\""))
            #expect(!html.contains("id=\"action-fixed\""), "new → fixed is not offered")
        }
    }

    @Test("Merge moves the sightings and rejects the merged ticket")
    func merge() async throws {
        try await withPages { client, fx in
            let s = try await client.login("rita")
            let before = try #require(try await fx.store.ticket(id: fx.crack)).sightings
            let r = try await client.form("/tickets/\(fx.farCrack)/merge", [("csrf", s.csrf), ("into", "\(fx.crack)")], s)
            #expect(r.status == .seeOther)
            #expect(r.headers[.location] == "/tickets/\(fx.crack)?done=merge")
            #expect(try await fx.store.ticket(id: fx.crack)?.sightings == before + 1)
            #expect(try await fx.store.ticket(id: fx.farCrack)?.status == .rejected)
            #expect(try await fx.store.findings(ticketId: fx.farCrack).isEmpty)
            #expect(try await fx.store.events(ticketId: fx.farCrack).last?.actor == "rita")
            #expect(try await client.form("/tickets/\(fx.leak)/merge", [("csrf", s.csrf), ("into", "\(fx.leak)")], s).status == .conflict)
            #expect(try await client.form("/tickets/\(fx.leak)/merge", [("csrf", s.csrf), ("into", "9999")], s).status == .notFound)
            #expect(try await client.form("/tickets/\(fx.leak)/merge", [("csrf", s.csrf)], s).status == .badRequest)
        }
    }

    @Test("Survey pages: frames, coverage, escaping")
    func surveys() async throws {
        try await withPages { client, fx in
            let s = try await client.login("vera")
            let list = try await client.page("/surveys", s).html
            #expect(list.contains("north &lt;ring&gt;"))
            let one = try await client.page("/surveys/\(fx.surveyId)", s).html
            #expect(one.contains("2 frames processed; 2 with a position, 2 with a ground footprint"))
            // Two 9.0 m × 8.9 m footprints shifted by 2.2 m north: about 100 m² together.
            let area = try #require(one.components(separatedBy: "coverage ").dropFirst().first.flatMap { Double($0.prefix { $0.isNumber }) })
            #expect(area > 90 && area < 115, "coverage \(area)")
            #expect(one.contains("frame0.png") && !one.contains(fx.directory.path), "only file names are shown")
            #expect(one.contains("No frame failed."))
            // What the frames surveyed: 2 × 17.7 m² of paved surface, detection limits 8 and 9 mm, per frame too.
            #expect(one.contains("Paved surface surveyed: 35 m²; detection limit 8.0–9.0 mm"), "\(one)")
            #expect(one.contains("<td>90</td><td>18</td><td>9.0</td>"))
            // A frame the survey could not analyse is listed with its reason, escaped, without its folder.
            _ = try await fx.store.recordFrameFailure(surveyName: "north <ring>", path: fx.directory.path + "/bad<1>.jpg",
                                                      reason: "truncated JPEG <eof>", at: Date())
            let failed = try await client.page("/surveys/\(fx.surveyId)", s).html
            #expect(failed.contains("bad&lt;1&gt;.jpg") && failed.contains("truncated JPEG &lt;eof&gt;"))
            #expect(!failed.contains(fx.directory.path))
            #expect(try await client.page("/surveys", s).html.contains("<td>1</td>"))
        }
    }

    @Test("Oversized forms are refused, logout ends the session")
    func limitsAndLogout() async throws {
        try await withPages(ReviewConfiguration(maxFormBytes: 512)) { client, fx in
            let s = try await client.login("rita")
            let big = try await client.form("/tickets/\(fx.crack)/confirm", [("csrf", s.csrf), ("note", String(repeating: "x", count: 2000))], s)
            #expect(big.status == .contentTooLarge)
            #expect(try await fx.store.ticket(id: fx.crack)?.status == .new)
            #expect(try await client.form("/logout", [], s).status == .forbidden)
            #expect(try await client.form("/logout", [("csrf", s.csrf)], s).status == .seeOther)
            #expect(try await client.page("/", s).status == .seeOther, "the session is gone")
        }
    }

    @Test("Output is escaped: an Open311 description with markup")
    func escaping() async throws {
        try await withPages { client, fx in
            let (t, _) = try await fx.store.createServiceRequest(
                ServiceRequestInput(defectClass: .crack, latitude: 47.3769, longitude: 8.5417,
                                    description: "<script>alert('x')</script>", address: "Main St \"5\""), actor: "open311:test")
            let s = try await client.login("vera")
            let html = try await client.page("/tickets/\(t.id!)", s).html
            #expect(!html.contains("<script>"))
            #expect(html.contains("&lt;script&gt;alert(&apos;x&apos;)&lt;/script&gt;"))
            #expect(html.contains("Main St &quot;5&quot;"))
        }
    }
}

/// The offline base map: an MBTiles file served as `/tiles/{z}/{x}/{y}` to logged-in users.
@Suite("Review map: MBTiles")
struct MBTilesTests {
    /// An MBTiles file with one PNG tile at z 1, x 0, XYZ row 0 (TMS row 1).
    static func file(format: String = "png") throws -> (path: String, tile: [UInt8]) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("map-\(UUID()).mbtiles").path
        var img = PixelBuffer(width: 4, height: 4, format: .rgb8)
        img[1, 2, channel: 0] = 200
        let tile = try ImageEncoder.png(img)
        let db = try DatabaseQueue(path: path)
        try db.write { db in
            try db.execute(sql: "CREATE TABLE metadata (name TEXT, value TEXT); CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB)")
            try db.execute(sql: "INSERT INTO metadata VALUES ('format', ?), ('name', 'test city'), ('attribution', '© test <b>')", arguments: [format])
            try db.execute(sql: "INSERT INTO tiles VALUES (1, 0, 1, ?)", arguments: [Data(tile)])
        }
        return (path, tile)
    }

    @Test("tiles come from the file (TMS rows flipped), only with a session; the map page points Leaflet at them")
    func serves() async throws {
        let (path, tile) = try Self.file()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let tiles = try MBTiles(path: path)
        #expect(tiles.contentType == "image/png" && tiles.name == "test city")
        try await withPages(ReviewConfiguration(tiles: tiles)) { client, _ in
            #expect(try await client.page("/tiles/1/0/0.png").status == .seeOther, "no tiles without a session")
            let s = try await client.login("vera")
            let r = try await client.page("/tiles/1/0/0.png", s)
            #expect(r.status == .ok && r.headers[.contentType] == "image/png")
            #expect(Array(r.body.readableBytesView) == tile)
            #expect(try await client.page("/tiles/1/0/1.png", s).status == .notFound)
            #expect(try await client.page("/tiles/1/5/0.png", s).status == .notFound)
            let html = try await client.page("/map", s).html
            #expect(html.contains("data-tiles=\"/tiles/{z}/{x}/{y}\"") && html.contains("data-attribution=\"© test &lt;b&gt;\""))
        }
    }

    @Test("a missing file, a database that is not MBTiles, and vector tiles are refused naming the file")
    func refuses() throws {
        #expect(throws: MBTiles.Failure.self) { _ = try MBTiles(path: "/nonexistent/city.mbtiles") }
        let other = FileManager.default.temporaryDirectory.appendingPathComponent("not-tiles-\(UUID()).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: other) }
        try DatabaseQueue(path: other).write { try $0.execute(sql: "CREATE TABLE t (a)") }
        do { _ = try MBTiles(path: other); Issue.record("accepted a database without tiles") } catch {
            #expect("\(error)".contains(other) && "\(error)".contains("no tiles table"))
        }
        let (vector, _) = try Self.file(format: "pbf")
        defer { try? FileManager.default.removeItem(atPath: vector) }
        do { _ = try MBTiles(path: vector); Issue.record("accepted vector tiles") } catch {
            #expect("\(error)".contains("pbf"))
        }
    }
}
