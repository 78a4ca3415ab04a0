import Foundation
import Hummingbird
import Tickets

/// Settings of the review pages (`/`, `/map`, `/tickets/{id}`, `/surveys`, `/login`).
public struct ReviewConfiguration: Sendable {
    /// Optional background map: a tile URL template with `{z}`, `{x}`, `{y}` (Web Mercator, e.g. a local
    /// tile server `http://tiles.local/{z}/{x}/{y}.png`). `nil`: the map is drawn from stored coordinates only.
    public var tileURL: String?
    /// Optional offline base map (``MBTiles``), served as `/tiles/{z}/{x}/{y}`; wins over ``tileURL``.
    public var tiles: MBTiles?
    /// Folder of the field crews' repair photos (``RepairPhotos``); nil: "fixed" takes no photo.
    public var photoDirectory: String?
    /// Session lifetime.
    public var sessionLifetime: TimeInterval
    /// Adds `Secure` to cookies (set when served over HTTPS).
    public var secureCookies: Bool
    /// Largest form body accepted, in bytes.
    public var maxFormBytes: Int
    /// Failed logins allowed per client address and user name before each further attempt of that pair must
    /// wait (see ``LoginThrottle``); attempts that come too early get 429 with `Retry-After`.
    public var maxLoginFailures: Int
    /// The first wait in seconds after ``maxLoginFailures`` failures; it doubles with each further failure.
    public var loginBackoff: TimeInterval
    /// The longest wait in seconds.
    public var maxLoginBackoff: TimeInterval
    /// Seconds after its last failure when a client and name pair is forgotten.
    public var loginWindow: TimeInterval
    /// bcrypt cost of the check made for unknown user names, so that they take as long as real ones: the cost
    /// `pavewatch users add` uses (12 unless `--cost` says otherwise).
    public var passwordCost: UInt8
    /// Rows per page of the ranked list.
    public var pageSize: Int
    /// Road segments the condition page rates (`serve --segments`); `nil`: sample units.
    public var segments: [RoadSegment]? = nil
    /// Road width around a segment's centre line, metres.
    public var roadWidthM: Double = 7

    /// Creates a configuration.
    public init(tileURL: String? = nil, tiles: MBTiles? = nil, photoDirectory: String? = nil, sessionLifetime: TimeInterval = 12 * 3600, secureCookies: Bool = false,
                maxFormBytes: Int = 16 * 1024, maxLoginFailures: Int = 5, loginBackoff: TimeInterval = 1,
                maxLoginBackoff: TimeInterval = 60, loginWindow: TimeInterval = 900,
                passwordCost: UInt8 = PasswordHash.defaultCost, pageSize: Int = 50) {
        self.tileURL = tileURL
        self.tiles = tiles
        self.photoDirectory = photoDirectory
        self.sessionLifetime = sessionLifetime
        self.secureCookies = secureCookies
        self.maxFormBytes = maxFormBytes
        self.maxLoginFailures = maxLoginFailures
        self.loginBackoff = loginBackoff
        self.maxLoginBackoff = maxLoginBackoff
        self.loginWindow = loginWindow
        self.passwordCost = passwordCost
        self.pageSize = pageSize
    }
}

/// Adds the review pages to `router`.
/// - Parameters:
///   - router: the server's router.
///   - store: the store with the review pages' users and sessions (both stores implement ``ReviewStore``).
///   - configuration: settings of the pages.
public func registerReviewPages<Context: RequestContext>(on router: Router<Context>, store: any ReviewStore,
                                                         configuration: ReviewConfiguration) {
    ReviewRoutes<Context>(store: store, configuration: configuration).register(on: router)
}
