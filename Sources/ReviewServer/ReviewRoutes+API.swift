import Foundation
import HTTPTypes
import Hummingbird
import Tickets

/// The review pages' JSON API (the same sessions and roles as the pages), described by ``OpenAPIDocument``
/// (`GET /api/v1/openapi.yaml`):
/// - `GET /api/v1/tickets` (the list's filters, sorting and paging as query parameters) and `GET /api/v1/tickets/{id}`
///   (the ticket, its sightings and its history): viewer role.
/// - `POST /api/v1/tickets/{id}/status` with `{"status": "confirmed", "note": "…"}`: moves a ticket through its life
///   cycle (reviewer role); the session's CSRF token in the `X-CSRF-Token` header. Answers `{"id", "status",
///   "allowedNext"}`, or `{"error"}` with 401 (no session), 403 (role or token), 404, 409 (a move the life cycle does
///   not allow), 413 or 415.
extension ReviewRoutes {
    /// Runs an API handler for a logged-in user with at least `role` whose request carries the session's CSRF token;
    /// errors become JSON.
    func api(_ request: Request, role: UserRole, _ body: (Viewer) async throws -> Response) async -> Response {
        var response: Response
        do {
            guard let viewer = try await viewer(request) else { throw Failure(.unauthorized, "Log in first.") }
            guard viewer.user.role >= role else {
                throw Failure(.forbidden, "Your role (\(viewer.user.role.rawValue)) may not do this.")
            }
            // Reads are safe; everything that changes state carries the session's token.
            if request.method != .get && request.method != .head {
                guard let token = request.headers[HTTPField.Name("X-CSRF-Token")!],
                      ReviewAuth.constantTimeEqual(token, viewer.session.csrfToken) else {
                    throw Failure(.forbidden, "Missing or wrong X-CSRF-Token header.")
                }
            }
            response = try await body(viewer)
        } catch let f as Failure {
            response = Self.json(f.status, ["error": f.message])
        } catch let e as TicketError where e.code == .notFound {
            response = Self.json(.notFound, ["error": e.message])
        } catch let e as TicketError where e.code == .invalidTransition {
            response = Self.json(.conflict, ["error": e.message])
        } catch {
            response = Self.json(.internalServerError, ["error": "Internal error."])
        }
        response.headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        response.headers[.cacheControl] = "no-store"
        return response
    }

    /// `POST /api/v1/tickets/{id}/status`.
    func setStatus(_ request: Request, _ viewer: Viewer, ticketId: Int64) async throws -> Response {
        let buffer = try await RequestBody.collect(request, type: "application/json", limit: configuration.maxFormBytes) {
            $0 == .wrongType ? Failure(.unsupportedMediaType, "Send application/json.")
                : Failure(.contentTooLarge, "The body is larger than \(configuration.maxFormBytes) bytes.")
        }
        guard let body = StatusChangeBody(json: Data(buffer.readableBytesView)) else {
            throw Failure(.badRequest, "Give {\"status\": \"confirmed\"} (and optionally a note).")
        }
        let name = body.status
        guard let status = TicketStatus(rawValue: name) else {
            throw Failure(.badRequest, "Unknown status \(name); one of " + TicketStatus.allCases.map(\.rawValue).joined(separator: ", ") + ".")
        }
        guard let current = try await store.ticket(id: ticketId) else { throw Failure(.notFound, "No ticket \(ticketId).") }
        guard current.status.canMove(to: status) else {
            throw Failure(.conflict, "#\(ticketId) is \(current.status.rawValue): it cannot become \(status.rawValue).")
        }
        let t = try await store.transition(ticketId: ticketId, to: status, actor: viewer.user.name, note: body.note)
        return Self.json(.ok, ["id": ticketId, "status": t.status.rawValue,
                               "allowedNext": t.status.allowedNext.map(\.rawValue).sorted()])
    }

    /// `GET /api/v1/tickets`: a page of the ranked list.
    func ticketList(_ request: Request) async throws -> Response {
        let (rows, shown, page, pages) = try await rankedPage(ListQuery(request))
        var items: [[String: Any]] = []
        for (rank, t) in shown {
            var item = try Self.object(t)
            item["rank"] = rank
            items.append(item)
        }
        return Self.json(.ok, ["tickets": items, "total": rows.count, "page": page, "pages": pages])
    }

    /// `GET /api/v1/tickets/{id}`: the ticket, its sightings (with the frame each was seen in) and its history.
    func ticketDetail(_ id: Int64) async throws -> Response {
        guard let t = try await store.ticket(id: id) else { throw Failure(.notFound, "No ticket \(id).") }
        let sightings = try await store.findings(ticketId: id).map { rec -> [String: Any] in
            var o = (try? Self.object(rec.finding)) ?? [:]
            o["id"] = rec.id ?? 0
            o["frameId"] = rec.frameId
            if let fid = rec.id { o["crop"] = "/tickets/\(id)/findings/\(fid)/crop.png"; o["frame"] = "/tickets/\(id)/findings/\(fid)/frame" }
            return o
        }
        let history = try await store.events(ticketId: id).map { (try? Self.object($0)) ?? [:] }
        return Self.json(.ok, ["ticket": try Self.object(t), "sightings": sightings, "history": history])
    }

    /// A Codable value as a JSON object (dates ISO 8601).
    static func object<T: Encodable>(_ value: T) throws -> [String: Any] {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        return (try JSONSerialization.jsonObject(with: try encoder.encode(value)) as? [String: Any]) ?? [:]
    }

    /// A JSON response.
    static func json(_ status: HTTPResponse.Status, _ object: [String: Any]) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return Response(status: status, headers: [.contentType: "application/json"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: [UInt8](data))))
    }

    /// The thumbnail of a ticket: the overlay crop of its most confident sighting whose frame is stored.
    func thumbnail(ticketId: Int64) async throws -> Response {
        let findings = try await store.findings(ticketId: ticketId)
        guard let best = findings.max(by: { $0.finding.confidence < $1.finding.confidence }), let fid = best.id else {
            throw Failure(.notFound, "No sighting with a picture.")
        }
        return try await crop(ticketId: ticketId, findingId: fid)
    }
}
