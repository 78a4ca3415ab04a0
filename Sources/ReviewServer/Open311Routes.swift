import Findings
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Tickets

/// The Open311 GeoReport v2 endpoints under `/open311/v2`:
/// `discovery`, `services`, `services/{code}`, `POST requests`, `GET requests`, `GET requests/{id}`,
/// each as `.json` and `.xml`. Errors are GeoReport error lists (`[{code, description}]`) with status
/// 400 (bad input), 403 (API key missing or wrong), 404 (unknown service, request, or any path under
/// `/open311`), 405 (wrong method, with `Allow`), 413 (body too large). Text fields must not contain NUL characters.
/// `POST requests` takes `lat` and `long`, or `address_string` / `address_id` alone (stored without a position:
/// there is no geocoder; a reviewer places it). Empty parameters count as absent; a parameter given twice is 400; wrong `api_key`s are throttled per client
/// (429 with `Retry-After`); an unknown `service_code` on POST is 404; `start_date` and `end_date`
/// together may span at most 90 days (400 beyond), and are W3C datetimes to the minute or finer.
/// `GET requests` without `service_request_id` or dates lists the last 90 days (GeoReport default), at most
/// ``Open311Configuration/maxResults`` (1000), highest priority first; `service_request_id` overrides the
/// other filters. Every database access goes through ``TicketStore`` (bound parameters only).
public struct Open311Routes<Context: RequestContext>: Sendable {
    let store: any TicketStore
    let configuration: Open311Configuration
    /// Slows down `api_key` guessing per client (the name in its keys is always `api_key`).
    let keyThrottle: LoginThrottle

    /// Creates the routes.
    public init(store: any TicketStore, configuration: Open311Configuration) {
        self.store = store
        self.configuration = configuration
        keyThrottle = LoginThrottle(configuredFailures: configuration.maxKeyFailures, backoff: configuration.keyBackoff,
                                    maxBackoff: configuration.maxKeyBackoff, window: max(900, configuration.maxKeyBackoff))
    }

    enum Format: String { case json, xml }

    /// A request answered with a GeoReport error list.
    typealias Failure = RouteFailure

    /// Adds the routes to `router` (under `/open311/v2`), and ``Open311NotFoundMiddleware`` for the paths under
    /// `/open311` that no route takes.
    public func register(on router: Router<Context>) {
        router.add(middleware: Open311NotFoundMiddleware())
        let g = router.group("open311/v2")
        for format in [Format.json, .xml] {
            let ext = format.rawValue
            g.get("discovery.\(ext)") { _, _ in self.handle(format) { self.discovery() } }
            g.get("services.\(ext)") { _, _ in self.handle(format) { self.services() } }
            g.get("services/{code}.\(ext)") { _, context in
                self.handle(format) { try self.definition(context.parameters.get("code")) }
            }
            g.post("requests.\(ext)") { request, context in
                await self.handleAsync(format) { try await self.create(request, context: context) }
            }
            g.get("requests.\(ext)") { request, _ in
                await self.handleAsync(format) { try await self.list(request) }
            }
            g.get("requests/{id}.\(ext)") { _, context in
                await self.handleAsync(format) { try await self.one(context.parameters.get("id")) }
            }
        }
        // Known paths with another method: 405 in the GeoReport error format, with `Allow`.
        for format in [Format.json, .xml] {
            let ext = format.rawValue
            let getOnly = ["discovery.\(ext)", "services.\(ext)", "services/{code}.\(ext)", "requests/{id}.\(ext)"]
            for path in getOnly + ["requests.\(ext)"] {
                let allowed: [HTTPRequest.Method] = path.hasPrefix("requests.") ? [.get, .head, .post] : [.get, .head]
                for method in [HTTPRequest.Method.get, .post, .put, .delete, .patch] where !allowed.contains(method) {
                    g.on(RouterPath(path), method: method) { _, _ in
                        var r = self.errorResponse(format, Failure(.methodNotAllowed, "method not allowed"))
                        r.headers[.allow] = allowed.map(\.rawValue).joined(separator: ", ")
                        return r
                    }
                }
            }
        }
        // Any other path under /open311: 404 in the GeoReport error format (see ``Open311NotFoundMiddleware``).
    }

    static func format(of request: Request) -> Format {
        request.uri.path.hasSuffix(".xml") ? .xml : .json
    }

    // MARK: Rendering

    struct Reply {
        var status: HTTPResponse.Status = .ok
        var document: Open311Document
        var root: String
    }

    func handle(_ format: Format, _ body: () throws -> Reply) -> Response {
        do {
            return Self.render(format, try body())
        } catch let f as Failure {
            return errorResponse(format, f)
        } catch {
            return errorResponse(format, Failure(.internalServerError, "internal error"))
        }
    }

    func handleAsync(_ format: Format, _ body: () async throws -> Reply) async -> Response {
        do {
            return Self.render(format, try await body())
        } catch let f as Failure {
            return errorResponse(format, f)
        } catch {
            return errorResponse(format, Failure(.internalServerError, "internal error"))
        }
    }

    static func render(_ format: Format, _ reply: Reply) -> Response {
        let text: String
        let type: String
        switch format {
        case .json:
            text = reply.document.json
            type = "application/json; charset=utf-8"
        case .xml:
            text = reply.document.xml(root: reply.root)
            type = "text/xml; charset=utf-8"
        }
        return Response(status: reply.status, headers: [.contentType: type],
                        body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    func errorResponse(_ format: Format, _ f: Failure) -> Response { Self.errorResponse(format, f) }

    /// The GeoReport error list `[{code, description}]` of `f`, with its status.
    static func errorResponse(_ format: Format, _ f: Failure) -> Response {
        let doc = Open311Document.array(element: "error", [
            .object([("code", .integer(Int64(f.status.code))), ("description", .string(f.message))]),
        ])
        var response = render(format, Reply(status: f.status, document: doc, root: "errors"))
        for field in f.headers { response.headers.append(field) }
        return response
    }

    // MARK: Discovery and services

    /// `discovery`: the endpoint at the configured public URL (never the request's `Host`), and a contact.
    func discovery() -> Reply {
        let base = (configuration.publicURL ?? "") + "/open311/v2"
        let contact = configuration.contact.isEmpty
            ? "The operator of the Pavewatch server at \(configuration.publicURL ?? "this address")"
            : configuration.contact
        let endpoint = Open311Document.object([
            ("specification", .string("http://wiki.open311.org/GeoReport_v2")),
            ("url", .string(base)),
            ("changeset", .string("2026-11-25T00:00:00Z")),
            ("type", .string("production")),
            ("formats", .array(element: "format", [.string("application/json"), .string("text/xml")])),
        ])
        return Reply(document: .object([
            ("changeset", .string("2026-11-25T00:00:00Z")),
            ("contact", .string(contact)),
            ("key_service", .string("Ask the operator of this Pavewatch server for an API key.")),
            ("endpoints", .array(element: "endpoint", [endpoint])),
        ]), root: "discovery")
    }

    func services() -> Reply {
        Reply(document: .array(element: "service", DefectClass.allCases.map(Open311Catalog.service)), root: "services")
    }

    func definition(_ code: String?) throws -> Reply {
        guard let code, let c = DefectClass(rawValue: code) else {
            throw Failure(.notFound, "service_code not found")
        }
        return Reply(document: Open311Catalog.definition(c), root: "service_definition")
    }

    // MARK: Requests

    func parseQuery(_ request: Request) throws -> [(String, String)] {
        let q = request.uri.query ?? ""
        guard q.utf8.count <= configuration.maxQueryBytes else { throw Failure(.badRequest, "query string too long") }
        guard let pairs = FormURLEncoded.decode(q) else { throw Failure(.badRequest, "malformed query string") }
        try Self.refuseRepeated(pairs)
        return pairs
    }

    /// Refuses a parameter given more than once (GeoReport names each once; keeping only the first would hide the
    /// others silently). `attribute[…]` keys count one by one.
    static func refuseRepeated(_ pairs: [(String, String)]) throws {
        var seen = Set<String>()
        for (k, _) in pairs where !seen.insert(k).inserted {
            throw Failure(.badRequest, "parameter \(k.prefix(40)) is given more than once")
        }
    }

    /// `POST requests`: creates a service request; wrong `api_key`s are throttled per client (429 with `Retry-After`
    /// after ``Open311Configuration/maxKeyFailures``, waits doubling) and logged with the client's address.
    func create(_ request: Request, context: Context) async throws -> Reply {
        let buffer = try await RequestBody.collect(request, type: "application/x-www-form-urlencoded", limit: configuration.maxBodyBytes) {
            $0 == .wrongType ? Failure(.badRequest, "the body must be application/x-www-form-urlencoded")
                : Failure(.contentTooLarge, "request body larger than \(configuration.maxBodyBytes) bytes")
        }
        guard let pairs = FormURLEncoded.decode(String(buffer: buffer)) else {
            throw Failure(.badRequest, "malformed form body")
        }
        try Self.refuseRepeated(pairs)
        var fields: [String: String] = [:]
        var attributes: [String: String] = [:]
        guard !pairs.contains(where: { $0.0.unicodeScalars.contains("\u{0}") || $0.1.unicodeScalars.contains("\u{0}") }) else {
            throw Failure(.badRequest, "fields must not contain NUL characters")
        }
        // An empty value is the same as no value (GeoReport optional parameters).
        for (k, v) in pairs where !v.isEmpty {
            if k.hasPrefix("attribute[") && k.hasSuffix("]") {
                let code = String(k.dropFirst("attribute[".count).dropLast())
                attributes[code] = v
            } else if fields[k] == nil {
                fields[k] = v
            }
        }
        guard let key = fields["api_key"], !key.isEmpty else { throw Failure(.forbidden, "api_key is missing") }
        let client = LoginThrottle.Key(client: clientAddress(context), name: "api_key")
        if case .wait(let seconds) = await keyThrottle.check(client) {
            context.logger.info("Open311 create refused: too many wrong api_keys",
                                metadata: ["client.address": "\(client.client)", "retryAfter": "\(seconds)"])
            throw Failure(.tooManyRequests, "too many wrong api_key attempts; try again in \(seconds) s",
                          headers: [.retryAfter: String(seconds)])
        }
        guard let keyIndex = configuration.apiKeys.firstIndex(where: { Self.constantTimeEqual($0, key) }) else {
            let failures = await keyThrottle.fail(client)
            context.logger.info("Open311 create: wrong api_key",
                                metadata: ["client.address": "\(client.client)", "failures": "\(failures)"])
            throw Failure(.forbidden, "api_key is not valid")
        }
        await keyThrottle.succeed(client)
        guard let code = fields["service_code"], !code.isEmpty else {
            throw Failure(.badRequest, "service_code is missing")
        }
        guard let c = DefectClass(rawValue: code) else { throw Failure(.notFound, "service_code not found") }
        // GeoReport: lat and long, or address_string, or address_id. A request located by address only is stored
        // without a position (this server has no geocoder); a reviewer places it.
        let lat: Double?, lon: Double?
        switch (fields["lat"], fields["long"]) {
        case let (latText?, lonText?):
            guard latText.count <= 40, lonText.count <= 40, let la = Double(latText), let lo = Double(lonText),
                  la.isFinite, lo.isFinite, (-90...90).contains(la), (-180...180).contains(lo) else {
                throw Failure(.badRequest, "lat/long are not valid WGS84 degrees")
            }
            (lat, lon) = (la, lo)
        case (nil, nil) where fields["address_string"] != nil || fields["address_id"] != nil:
            (lat, lon) = (nil, nil)
        case (nil, nil):
            throw Failure(.badRequest, "lat and long, or address_string or address_id, are required")
        default:
            throw Failure(.badRequest, "lat and long go together: give both, or an address instead")
        }
        let description = fields["description"]
        if let d = description, d.count > configuration.maxDescription {
            throw Failure(.badRequest, "description is longer than \(configuration.maxDescription) characters")
        }
        let media = fields["media_url"].flatMap { $0.isEmpty ? nil : $0 }
        if let m = media {
            guard m.count <= 2048, let u = URL(string: m), let s = u.scheme?.lowercased(), s == "http" || s == "https",
                  u.host != nil else {
                throw Failure(.badRequest, "media_url is not a valid http(s) URL")
            }
        }
        let address = fields["address_string"]
        if let a = address, a.count > 500 { throw Failure(.badRequest, "address_string is longer than 500 characters") }
        for k in ["address_id", "email", "first_name", "last_name", "phone", "device_id", "account_id", "jurisdiction_id"] {
            if let v = fields[k], v.count > 200 { throw Failure(.badRequest, "\(k) is longer than 200 characters") }
        }
        guard attributes.count <= 20 else { throw Failure(.badRequest, "too many attributes") }
        let known = Open311Catalog.attributes(c)
        for (k, v) in attributes {
            guard let a = known.first(where: { $0.code == k }) else {
                throw Failure(.badRequest, "attribute[\(k.prefix(40))] is not an attribute of \(c.rawValue)")
            }
            guard a.validate(v) else { throw Failure(.badRequest, "attribute[\(k)] has an invalid value") }
        }
        let idem = request.headers[HTTPField.Name("Idempotency-Key")!]
        if let idem, idem.isEmpty || idem.count > 200 {
            throw Failure(.badRequest, "Idempotency-Key must be 1 to 200 characters")
        }
        let input = ServiceRequestInput(defectClass: c, latitude: lat, longitude: lon, description: description,
                                        mediaUrl: media, address: address, addressId: fields["address_id"],
                                        attributes: attributes,
                                        idempotencyKey: idem)
        let (ticket, created) = try await store.createServiceRequest(input, actor: "open311:key\(keyIndex + 1)")
        let doc = Open311Document.array(element: "request", [.object([
            ("service_request_id", .string(String(ticket.id ?? 0))),
            ("service_notice", .string("")),
            ("account_id", .null),
        ])])
        return Reply(status: created ? .created : .ok, document: doc, root: "service_requests")
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        var diff = UInt8(x.count == y.count ? 0 : 1)
        for i in 0..<max(x.count, y.count) {
            diff |= (i < x.count ? x[i] : 0) ^ (i < y.count ? y[i] : 0)
        }
        return diff == 0
    }

    /// A W3C datetime with a time zone, to the minute (`2026-12-07T07:15Z`), the second
    /// (`2026-12-07T07:15:30+01:00`) or a fraction of a second.
    static func parseDate(_ s: String) -> Date? {
        guard s.count <= 40 else { return nil }
        var text = s
        // Minute precision (YYYY-MM-DDThh:mmTZD): ISO8601DateFormatter wants the seconds.
        if let m = s.wholeMatch(of: #/(\d{4}-\d{2}-\d{2}T\d{2}:\d{2})(Z|[+-]\d{2}:\d{2})/#) {
            text = "\(m.1):00\(m.2)"
        }
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        if let d = f.date(from: text) { return d }
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.date(from: text)
    }

    /// The longest span of `start_date` to `end_date` (GeoReport v2: 90 days).
    static var maxDateSpan: TimeInterval { 90 * 86_400 }

    func list(_ request: Request) async throws -> Reply {
        var fields: [String: String] = [:]
        // An empty value is the same as no value (GeoReport optional parameters).
        for (k, v) in try parseQuery(request) where fields[k] == nil && !v.isEmpty { fields[k] = v }
        var q = TicketQuery(limit: configuration.maxResults)
        if let ids = fields["service_request_id"] {
            let parts = ids.split(separator: ",", omittingEmptySubsequences: false)
            guard parts.count <= 100 else { throw Failure(.badRequest, "at most 100 service_request_id values") }
            q.ids = try parts.map { p in
                guard p.count <= 19, let id = Int64(p), id > 0 else {
                    throw Failure(.badRequest, "service_request_id must be a list of positive integers")
                }
                return id
            }
        } else {
            if let codes = fields["service_code"] {
                q.classes = try codes.split(separator: ",", omittingEmptySubsequences: false).map { c in
                    guard let dc = DefectClass(rawValue: String(c)) else {
                        throw Failure(.badRequest, "service_code is not valid")
                    }
                    return dc
                }
            }
            if let st = fields["status"] {
                var statuses: [TicketStatus] = []
                for s in st.split(separator: ",", omittingEmptySubsequences: false) {
                    guard let m = TicketStatus.matching(open311: String(s)) else {
                        throw Failure(.badRequest, "status must be open or closed")
                    }
                    statuses += m
                }
                q.statuses = statuses
            }
            if let s = fields["start_date"] {
                guard let d = Self.parseDate(s) else { throw Failure(.badRequest, "start_date is not a W3C datetime") }
                q.createdFrom = d
            }
            if let s = fields["end_date"] {
                guard let d = Self.parseDate(s) else { throw Failure(.badRequest, "end_date is not a W3C datetime") }
                q.createdTo = d
            }
            if let a = q.createdFrom, let b = q.createdTo {
                guard a <= b else { throw Failure(.badRequest, "start_date is after end_date") }
                guard b.timeIntervalSince(a) <= Self.maxDateSpan else {
                    throw Failure(.badRequest, "start_date and end_date may span at most 90 days")
                }
            }
            if q.createdFrom == nil, q.createdTo == nil {
                q.createdFrom = Date().addingTimeInterval(-90 * 86_400)
            }
        }
        let tickets = try await store.tickets(q)
        return Reply(document: .array(element: "request", tickets.map(requestDocument)), root: "service_requests")
    }

    func one(_ idText: String?) async throws -> Reply {
        guard let idText, idText.count <= 19, let id = Int64(idText), id > 0,
              let t = try await store.ticket(id: id) else {
            throw Failure(.notFound, "service_request_id not found")
        }
        return Reply(document: .array(element: "request", [requestDocument(t)]), root: "service_requests")
    }

    func requestDocument(_ t: Ticket) -> Open311Document {
        var notes = "pavewatch status \(t.status.rawValue), severity \(t.severity.rawValue), priority \(t.priority)"
        if let w = t.widthMm { notes += String(format: ", width %.1f mm", w) }
        if let l = t.lengthM { notes += String(format: ", length %.2f m", l) }
        if let a = t.areaM2 { notes += String(format: ", area %.2f m²", a) }
        return .object([
            ("service_request_id", .string(String(t.id ?? 0))),
            ("status", .string(t.status.open311Status)),
            ("status_notes", .string(notes)),
            ("service_name", .string(Open311Catalog.name(t.defectClass))),
            ("service_code", .string(t.defectClass.rawValue)),
            ("description", .optional(t.details ?? t.subtype.map { "\($0) \(t.defectClass.rawValue)" })),
            ("agency_responsible", .string(configuration.agency)),
            ("service_notice", .string("")),
            ("requested_datetime", .string(t.createdAt.formatted(.iso8601))),
            ("updated_datetime", .string(t.updatedAt.formatted(.iso8601))),
            ("expected_datetime", .null),
            ("address", .optional(t.address)),
            ("address_id", .optional(t.attributes?[Ticket.addressIdAttribute])),
            ("zipcode", .null),
            ("lat", .optional(t.latitude)),
            ("long", .optional(t.longitude)),
            ("media_url", .optional(t.mediaUrl)),
        ])
    }
}
