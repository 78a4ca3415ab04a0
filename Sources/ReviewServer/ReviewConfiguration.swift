import Foundation
import Hummingbird
import Tickets

/// Settings of the review pages (`/`, `/map`, `/tickets/{id}`, `/surveys`, `/login`).
public struct ReviewConfiguration: Sendable {
    /// Optional background map: a tile URL template with `{z}`, `{x}`, `{y}` (Web Mercator, e.g. a local
    /// tile server `http://tiles.local/{z}/{x}/{y}.png`). `nil`: the map is drawn from stored coordinates only.
    public var tileURL: String?
    /// Session lifetime.
    public var sessionLifetime: TimeInterval
    /// Adds `Secure` to cookies (set when served over HTTPS).
    public var secureCookies: Bool
    /// Largest form body accepted, in bytes.
    public var maxFormBytes: Int
    /// Failed logins allowed per user name within ``loginWindow``; further attempts get 429.
    public var maxLoginFailures: Int
    /// Failed logins allowed for all names together within ``loginWindow``.
    public var maxLoginFailuresTotal: Int
    /// The rate-limit window in seconds.
    public var loginWindow: TimeInterval
    /// Rows per page of the ranked list.
    public var pageSize: Int

    /// Creates a configuration.
    public init(tileURL: String? = nil, sessionLifetime: TimeInterval = 12 * 3600, secureCookies: Bool = false,
                maxFormBytes: Int = 16 * 1024, maxLoginFailures: Int = 5, maxLoginFailuresTotal: Int = 100,
                loginWindow: TimeInterval = 300, pageSize: Int = 50) {
        self.tileURL = tileURL
        self.sessionLifetime = sessionLifetime
        self.secureCookies = secureCookies
        self.maxFormBytes = maxFormBytes
        self.maxLoginFailures = maxLoginFailures
        self.maxLoginFailuresTotal = maxLoginFailuresTotal
        self.loginWindow = loginWindow
        self.pageSize = pageSize
    }
}

/// Adds the review pages to `router` when `store` also implements ``ReviewStore`` (users and sessions).
/// - Parameters:
///   - router: the server's router.
///   - store: the ticket store.
///   - configuration: settings of the pages.
public func registerReviewPages<Context: RequestContext>(on router: Router<Context>, store: any TicketStore,
                                                         configuration: ReviewConfiguration) {
    guard let reviewStore = store as? any ReviewStore else { return }
    ReviewRoutes<Context>(store: reviewStore, configuration: configuration).register(on: router)
}
