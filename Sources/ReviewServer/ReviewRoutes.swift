import Findings
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Tickets

/// The review pages for municipal engineers, server-rendered HTML with every asset in the binary:
///
/// - `GET /login`, `POST /login`, `POST /logout`: password login (bcrypt), session cookie, rate limit.
/// - `GET /`: the ranked list with filters (`class`, `severity`, `status`, `survey`, rectangle `south`,
///   `west`, `north`, `east`), sorting (`sort`, `dir`) and pagination (`page`).
/// - `GET /map`: SVG map of defects, footprints and tracks; each defect links to its page.
/// - `GET /tickets/{id}`: crop with outline, measurements, sightings with growth, history, actions.
/// - `GET /tickets/{id}/findings/{finding}/crop.png`: the overlay crop (the frame path comes from the store).
/// - `POST /tickets/{id}/{confirm|reject|dispatch|fixed|merge}`: reviewer or admin, with the CSRF token.
/// - `GET /surveys`, `GET /surveys/{id}`: frames, frames without position, coverage.
/// - `GET /condition?survey=ID`: condition index map and table per unit; `GET /kpi`: maintenance KPIs.
///
/// Viewers may read everything; reviewers and admins may also act. Every action is a ticket event whose
/// actor is the user's name.
public struct ReviewRoutes<Context: RequestContext>: Sendable {
    let store: any ReviewStore
    let configuration: ReviewConfiguration
    let throttle: LoginThrottle

    /// Creates the routes.
    public init(store: any ReviewStore, configuration: ReviewConfiguration) {
        self.store = store
        self.configuration = configuration
        self.throttle = LoginThrottle(configuredFailures: configuration.maxLoginFailures, backoff: configuration.loginBackoff,
                                      maxBackoff: configuration.maxLoginBackoff, window: configuration.loginWindow)
    }

    /// An answer that is not a page: a status with a message, shown as a small page.
    typealias Failure = RouteFailure

    /// Actions a reviewer can take on a ticket, by path component.
    static var actions: [String: TicketStatus?] {
        ["confirm": .confirmed, "reject": .rejected, "dispatch": .dispatched, "fixed": .fixed, "merge": nil]
    }

    /// Adds the routes to `router`.
    public func register(on router: Router<Context>) {
        // Make the unknown-name hash now, so that the first unknown name is not slower than the ones after it.
        let cost = configuration.passwordCost
        Task.detached(priority: .background) { _ = ReviewAuth.dummyHash(cost: cost) }
        router.get("login") { request, _ in await self.guarded(request, viewer: nil) { self.loginPage(request, error: nil) } }
        router.post("login") { request, context in
            await self.guarded(request, viewer: nil) { try await self.login(request, context) }
        }
        router.post("logout") { request, _ in
            await self.page(request, role: .viewer) { viewer in try await self.logout(request, viewer) }
        }
        router.get("/") { request, _ in
            await self.page(request, role: .viewer) { viewer in try await self.listPage(request, viewer) }
        }
        router.get("map") { request, _ in
            await self.page(request, role: .viewer) { viewer in try await self.mapPage(request, viewer) }
        }
        router.get("tiles/{z}/{x}/{y}") { request, context in
            await self.page(request, role: .viewer) { _ in
                guard let tiles = self.configuration.tiles,
                      let z = context.parameters.get("z").flatMap(Int.init), let x = context.parameters.get("x").flatMap(Int.init),
                      let y = context.parameters.get("y").flatMap { Int($0.split(separator: ".").first ?? "") },
                      let bytes = try tiles.tile(z: z, x: x, y: y) else { throw Failure(.notFound, "no tile") }
                return Response(status: .ok, headers: [.contentType: tiles.contentType, .cacheControl: "private, max-age=3600"],
                                body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
            }
        }
        router.get("map.geojson") { request, _ in
            await self.page(request, role: .viewer) { _ in try await self.mapData(request) }
        }
        for path in StaticAssets.files.keys {
            router.get(RouterPath(path)) { request, _ in
                await self.guarded(request, viewer: nil) {
                    guard let r = StaticAssets.response(path) else { throw Failure(.notFound, "not found") }
                    return r
                }
            }
        }
        router.get("tickets/{id}") { request, context in
            await self.page(request, role: .viewer) { viewer in
                try await self.ticketPage(try self.id(context, "id"), viewer, message: request.uri.queryParameters.get("done"))
            }
        }
        router.get("tickets/{id}/findings/{finding}/crop.png") { request, context in
            await self.page(request, role: .viewer) { _ in
                try await self.crop(ticketId: try self.id(context, "id"), findingId: try self.id(context, "finding"))
            }
        }
        router.get("tickets/{id}/findings/{finding}/frame") { request, context in
            await self.page(request, role: .viewer) { viewer in
                try await self.framePage(ticketId: try self.id(context, "id"), findingId: try self.id(context, "finding"), viewer)
            }
        }
        router.get("frames/{id}/image.jpg") { request, context in
            await self.page(request, role: .viewer) { _ in try await self.frameImage(frameId: try self.id(context, "id")) }
        }
        router.get("tickets/{id}/repair-photos/{name}") { request, context in
            await self.page(request, role: .viewer) { _ in
                try self.repairPhoto(ticketId: try self.id(context, "id"), name: context.parameters.get("name") ?? "")
            }
        }
        router.get("tickets/{id}/thumb.png") { request, context in
            await self.page(request, role: .viewer) { _ in try await self.thumbnail(ticketId: try self.id(context, "id")) }
        }
        router.get("api/v1/tickets") { request, _ in
            await self.api(request, role: .viewer) { _ in try await self.ticketList(request) }
        }
        router.get("api/v1/tickets/{id}") { request, context in
            await self.api(request, role: .viewer) { _ in try await self.ticketDetail(try self.id(context, "id")) }
        }
        router.get("api/v1/openapi.yaml") { request, _ in
            await self.guarded(request, viewer: nil) {
                Response(status: .ok, headers: [.contentType: "application/yaml; charset=utf-8", .cacheControl: "public, max-age=3600"],
                         body: ResponseBody(byteBuffer: ByteBuffer(string: OpenAPIDocument.yaml)))
            }
        }
        router.post("api/v1/tickets/{id}/status") { request, context in
            await self.api(request, role: .reviewer) { viewer in
                try await self.setStatus(request, viewer, ticketId: try self.id(context, "id"))
            }
        }
        router.post("tickets/{id}/{action}") { request, context in
            await self.page(request, role: .reviewer) { viewer in
                try await self.act(request, viewer, ticketId: try self.id(context, "id"),
                                   action: context.parameters.get("action") ?? "")
            }
        }
        router.get("condition") { request, _ in
            await self.page(request, role: .viewer) { viewer in try await self.conditionPage(request, viewer) }
        }
        router.get("kpi") { request, _ in
            await self.page(request, role: .viewer) { viewer in try await self.kpiPage(viewer) }
        }
        router.get("surveys") { request, _ in
            await self.page(request, role: .viewer) { viewer in try await self.surveysPage(viewer) }
        }
        router.get("surveys/{id}") { request, context in
            await self.page(request, role: .viewer) { viewer in try await self.surveyPage(try self.id(context, "id"), viewer) }
        }
    }

    func id(_ context: Context, _ name: String) throws -> Int64 {
        guard let text = context.parameters.get(name), let v = Int64(text), v > 0 else {
            throw Failure(.notFound, "not found")
        }
        return v
    }

    // MARK: Guards

    /// Runs a handler for a logged-in user with at least `role`. GET (or HEAD) without a session redirects to the
    /// login page; POST without a session is 401, with too low a role 403, without the session's CSRF token 403.
    func page(_ request: Request, role: UserRole, _ body: (Viewer) async throws -> Response) async -> Response {
        await guarded(request, viewer: nil) {
            guard let viewer = try await self.viewer(request) else {
                if request.method == .get || request.method == .head {
                    let next = request.uri.path
                    return Self.redirect("/login?next=" + HTML.query(next))
                }
                throw Failure(.unauthorized, "Please log in.")
            }
            guard viewer.user.role >= role else {
                throw Failure(.forbidden, "Your role (\(viewer.user.role.rawValue)) may not do this.")
            }
            return try await body(viewer)
        }
    }

    /// Maps errors to pages and adds the security headers.
    func guarded(_ request: Request, viewer: Viewer?, _ body: () async throws -> Response) async -> Response {
        var response: Response
        do {
            if (request.uri.query?.utf8.count ?? 0) > 4096 { throw Failure(.uriTooLong, "The query is too long.") }
            response = try await body()
        } catch let f as Failure {
            response = Self.htmlResponse(f.status, Self.layout(title: "\(f.status.code)", viewer: viewer,
                                                                body: "<p class=\"err\">\(HTML.escape(f.message))</p>"))
            response.headers.append(contentsOf: f.headers)
        } catch let e as TicketError where e.code == .notFound {
            response = Self.htmlResponse(.notFound, Self.layout(title: "Not found", viewer: viewer,
                                                                 body: "<p class=\"err\">\(HTML.escape(e.message))</p>"))
        } catch let e as TicketError where e.code == .invalidTransition {
            response = Self.htmlResponse(.conflict, Self.layout(title: "Not allowed", viewer: viewer,
                                                                 body: "<p class=\"err\">\(HTML.escape(e.message))</p>"))
        } catch {
            response = Self.htmlResponse(.internalServerError, Self.layout(title: "Error", viewer: viewer,
                                                                            body: "<p class=\"err\">Internal error.</p>"))
        }
        // Scripts only from this origin (Leaflet and the map's script, /static/), no inline script.
        var csp = "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:"
        if let tile = configuration.tileURL, let origin = Self.origin(of: tile) { csp += " " + origin }
        csp += "; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        response.headers[.contentSecurityPolicy] = csp
        response.headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "same-origin"
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
        return response
    }

    static func origin(of url: String) -> String? {
        guard let u = URL(string: url.replacingOccurrences(of: "{", with: "").replacingOccurrences(of: "}", with: "")),
              let scheme = u.scheme, let host = u.host else { return nil }
        return "\(scheme)://\(host)" + (u.port.map { ":\($0)" } ?? "")
    }

    /// The session's user, if the request carries a live session cookie.
    func viewer(_ request: Request) async throws -> Viewer? {
        guard let token = ReviewAuth.cookies(request)[ReviewAuth.sessionCookie], token.utf8.count == 64 else { return nil }
        guard let (session, user) = try await store.session(tokenHash: ContentHash.sha256Hex(Array(token.utf8)),
                                                            now: Date()) else { return nil }
        return Viewer(user: user, session: session)
    }

    /// The form fields of a POST body (at most ``ReviewConfiguration/maxFormBytes``).
    func form(_ request: Request) async throws -> [String: String] {
        let buffer = try await RequestBody.collect(request, type: "application/x-www-form-urlencoded", limit: configuration.maxFormBytes) {
            $0 == .wrongType ? Failure(.unsupportedMediaType, "Forms must be application/x-www-form-urlencoded.")
                : Failure(.contentTooLarge, "The form is larger than \(configuration.maxFormBytes) bytes.")
        }
        guard let pairs = FormURLEncoded.decode(String(buffer: buffer)) else { throw Failure(.badRequest, "Malformed form.") }
        var fields: [String: String] = [:]
        for (k, v) in pairs where fields[k] == nil { fields[k] = v }
        return fields
    }

    /// Checks the form's CSRF token against the session's.
    func checkCSRF(_ fields: [String: String], _ viewer: Viewer) throws {
        guard let token = fields["csrf"], ReviewAuth.constantTimeEqual(token, viewer.session.csrfToken) else {
            throw Failure(.forbidden, "Missing or wrong CSRF token: reload the page and try again.")
        }
    }

    // MARK: Login

    func loginPage(_ request: Request, error: String?, status: HTTPResponse.Status = .ok) -> Response {
        let existing = ReviewAuth.cookies(request)[ReviewAuth.loginCookie].flatMap { $0.utf8.count == 64 ? $0 : nil }
        let token = existing ?? ReviewAuth.randomToken()
        let next = Self.safeNext(request.uri.queryParameters.get("next"))
        let body = """
        <h1>Log in</h1>
        \(error.map { "<p class=\"err\">\(HTML.escape($0))</p>" } ?? "")
        <form method="post" action="/login" id="login">
        <input type="hidden" name="csrf" value="\(HTML.escape(token))">
        <input type="hidden" name="next" value="\(HTML.escape(next))">
        <p><label>Name <input name="name" id="name" autocomplete="username" required></label></p>
        <p><label>Password <input name="password" id="password" type="password" autocomplete="current-password" required></label></p>
        <p><button type="submit" id="login-button">Log in</button></p>
        </form>
        """
        var r = Self.htmlResponse(status, Self.layout(title: "Log in", viewer: nil, body: body))
        if existing == nil {
            r.headers.append(HTTPField(name: .setCookie, value: ReviewAuth.setCookie(
                ReviewAuth.loginCookie, token, maxAge: 3600, secure: configuration.secureCookies)))
        }
        return r
    }

    /// The page to go to after login: only a same-site path is followed, anything else gives `/`.
    ///
    /// Browsers drop tabs, CR and LF from a `Location` and read a backslash as a slash, so
    /// `/<TAB>/evil.example` or `/\/evil.example` would lead off-site as `//evil.example`. Those characters (and
    /// the other C0 controls and DEL) are removed first, and the result must start with exactly one `/`.
    /// - Parameters: next: the `next` field of the login form (untrusted).
    /// - Returns: a path starting with a single `/`, shorter than 512 bytes.
    static func safeNext(_ next: String?) -> String {
        guard let next else { return "/" }
        let cleaned = String(String.UnicodeScalarView(next.unicodeScalars.filter {
            $0.value >= 0x20 && $0.value != 0x7F && $0 != "\\"
        }))
        guard cleaned.hasPrefix("/"), !cleaned.hasPrefix("//"), cleaned.utf8.count < 512 else { return "/" }
        return cleaned
    }

    /// `POST /login`: checks the password, throttled per client address and name (``LoginThrottle``); failures
    /// and refusals are logged at `info` with the name and the client.
    func login(_ request: Request, _ context: Context) async throws -> Response {
        let fields = try await form(request)
        guard let sent = fields["csrf"], let cookie = ReviewAuth.cookies(request)[ReviewAuth.loginCookie],
              ReviewAuth.constantTimeEqual(sent, cookie) else {
            throw Failure(.forbidden, "Missing or wrong CSRF token: reload the login page and try again.")
        }
        let name = fields["name"] ?? "", password = fields["password"] ?? ""
        let client = clientAddress(context)
        // User names have at most 64 characters; the prefix bounds what the throttle keeps per guess.
        let key = LoginThrottle.Key(client: client, name: String(name.prefix(64)))
        let logged: Logger.Metadata = ["login.name": "\(name.prefix(64))", "client.address": "\(client)"]
        if case .wait(let seconds) = await throttle.check(key) {
            context.logger.info("login refused: too many failures", metadata: logged.merging(["login.retryAfter": "\(seconds)"]) { $1 })
            throw Failure(.tooManyRequests, "Too many failed logins; try again in \(seconds) s.",
                          headers: [.retryAfter: String(seconds)])
        }
        let user = try await store.user(named: name)
        // Unknown names cost the same bcrypt work as real ones, so timing does not tell which names exist.
        let hash = user?.passwordHash ?? ReviewAuth.dummyHash(cost: configuration.passwordCost)
        let ok = ReviewAuth.verify(password, hash: hash) && user != nil
        guard let user, ok else {
            let failures = await throttle.fail(key)
            context.logger.info("login failed", metadata: logged.merging(["login.failures": "\(failures)"]) { $1 })
            return loginPage(request, error: "Wrong name or password.", status: .unauthorized)
        }
        await throttle.succeed(key)
        // A session this browser already had (perhaps another user's) ends: one login, one session.
        if let previous = ReviewAuth.cookies(request)[ReviewAuth.sessionCookie], previous.utf8.count == 64 {
            try await store.deleteSession(tokenHash: ContentHash.sha256Hex(Array(previous.utf8)))
        }
        let token = ReviewAuth.randomToken()
        let session = UserSession(tokenHash: ContentHash.sha256Hex(Array(token.utf8)), userName: user.name,
                                  csrfToken: ReviewAuth.randomToken(),
                                  expiresAt: Date().addingTimeInterval(configuration.sessionLifetime))
        try await store.createSession(session)
        var r = Self.redirect(Self.safeNext(fields["next"]))
        r.headers.append(HTTPField(name: .setCookie, value: ReviewAuth.setCookie(
            ReviewAuth.sessionCookie, token, maxAge: Int(configuration.sessionLifetime), secure: configuration.secureCookies)))
        r.headers.append(HTTPField(name: .setCookie, value: ReviewAuth.setCookie(
            ReviewAuth.loginCookie, "", maxAge: 0, secure: configuration.secureCookies)))
        return r
    }

    func logout(_ request: Request, _ viewer: Viewer) async throws -> Response {
        try checkCSRF(try await form(request), viewer)
        try await store.deleteSession(tokenHash: viewer.session.tokenHash)
        var r = Self.redirect("/login")
        r.headers.append(HTTPField(name: .setCookie, value: ReviewAuth.setCookie(
            ReviewAuth.sessionCookie, "", maxAge: 0, secure: configuration.secureCookies)))
        return r
    }

    // MARK: Actions

    func act(_ request: Request, _ viewer: Viewer, ticketId: Int64, action: String) async throws -> Response {
        guard let target = Self.actions[action] else { throw Failure(.notFound, "Unknown action.") }
        // "fixed" may carry the crew's photo (a multipart form); the rest are plain forms.
        let isUpload = (request.headers[.contentType] ?? "").lowercased().hasPrefix("multipart/form-data")
        let (fields, photo) = isUpload && target == .fixed ? try await uploadForm(request) : (try await form(request), nil)
        try checkCSRF(fields, viewer)
        guard try await store.ticket(id: ticketId) != nil else { throw Failure(.notFound, "No ticket \(ticketId).") }
        let note = fields["note"].flatMap { $0.isEmpty ? nil : String($0.prefix(2000)) }
        var landing = ticketId
        if let status = target {
            if let photo, !photo.isEmpty {
                guard let dir = configuration.photoDirectory else { throw Failure(.badRequest, "This server keeps no photos.") }
                guard let current = try await store.ticket(id: ticketId), current.status.canMove(to: status) else {
                    throw Failure(.conflict, "This defect cannot be marked fixed now.")
                }
                do {
                    _ = try RepairPhotos(directory: dir).store(photo, ticketId: ticketId, actor: viewer.user.name)
                } catch let e as RepairPhotos.Failure {
                    throw Failure(.unprocessableContent, e.description)
                }
            }
            _ = try await store.transition(ticketId: ticketId, to: status, actor: viewer.user.name, note: note)
        } else {
            guard let into = fields["into"].flatMap({ Int64($0.trimmingCharacters(in: .whitespaces)) }) else {
                throw Failure(.badRequest, "Give the id of the ticket to merge into.")
            }
            _ = try await store.merge(ticketId: ticketId, into: into, actor: viewer.user.name)
            landing = into
        }
        return Self.redirect("/tickets/\(landing)?done=\(action)")
    }

    // MARK: Responses

    static func htmlResponse(_ status: HTTPResponse.Status, _ html: String) -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }

    static func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }

    /// The page frame: header with navigation and the user, then `body`.
    static func layout(title: String, viewer: Viewer?, body: String) -> String {
        var user = ""
        if let viewer {
            user = """
            <span class="user">\(HTML.escape(viewer.user.name)) (\(viewer.user.role.rawValue))
            <form method="post" action="/logout"><input type="hidden" name="csrf" value="\(HTML.escape(viewer.session.csrfToken))">
            <button type="submit" id="logout">Log out</button></form></span>
            """
        }
        return """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
        <title>\(HTML.escape(title)) · Pavewatch</title><style>\(HTML.css)</style></head><body>
        <header><a href="/">Pavewatch</a><a href="/">Defects</a><a href="/map">Map</a><a href="/surveys">Surveys</a><a href="/condition">Condition</a><a href="/kpi">KPIs</a>\(user)</header>
        <main>\(body)</main></body></html>
        """
    }
}
