import Foundation

/// Settings of the Open311 GeoReport v2 endpoints.
public struct Open311Configuration: Sendable {
    /// API keys allowed to create requests. Their position names the actor in ticket events (`open311:key1`);
    /// the keys themselves are never logged or stored.
    public var apiKeys: [String]
    /// `agency_responsible` of every request.
    public var agency: String
    /// Contact shown by `discovery` (empty: a line naming the server's public URL).
    public var contact: String
    /// The server's public base URL as clients reach it (scheme, host, optional port and path prefix, no
    /// trailing slash), e.g. `https://roads.example.org`: `discovery` names `<publicURL>/open311/v2`. Never
    /// taken from the request's `Host`, which a client (or a shared cache in front) controls. `nil`: the
    /// relative `/open311/v2`.
    public var publicURL: String?
    /// Largest accepted request body in bytes (413 above).
    public var maxBodyBytes: Int
    /// Largest accepted query string in bytes (400 above).
    public var maxQueryBytes: Int
    /// Largest `description` in characters (400 above).
    public var maxDescription: Int
    /// Most results of `GET requests` (the GeoReport default is 1000).
    public var maxResults: Int
    /// Wrong `api_key`s a client may send before each further attempt must wait (429 with `Retry-After`).
    public var maxKeyFailures: Int
    /// The first wait in seconds after ``maxKeyFailures`` wrong keys; it doubles with each further one.
    public var keyBackoff: TimeInterval
    /// The longest wait in seconds.
    public var maxKeyBackoff: TimeInterval

    /// Creates a configuration.
    public init(apiKeys: [String], agency: String = "Pavewatch", contact: String = "", publicURL: String? = nil,
                maxBodyBytes: Int = 64 * 1024, maxQueryBytes: Int = 8 * 1024, maxDescription: Int = 4000,
                maxResults: Int = 1000, maxKeyFailures: Int = 10, keyBackoff: TimeInterval = 1,
                maxKeyBackoff: TimeInterval = 300) {
        self.apiKeys = apiKeys
        self.agency = agency
        self.contact = contact
        self.publicURL = publicURL
        self.maxBodyBytes = maxBodyBytes
        self.maxQueryBytes = maxQueryBytes
        self.maxDescription = maxDescription
        self.maxResults = maxResults
        self.maxKeyFailures = maxKeyFailures
        self.keyBackoff = keyBackoff
        self.maxKeyBackoff = maxKeyBackoff
    }
}

extension Open311Configuration {
    /// A public URL checked and normalised: `http` or `https`, a host, no query or fragment; the trailing
    /// slash is dropped.
    /// - Parameters: text: the URL as given (`serve --public-url`).
    /// - Returns: `nil` when `text` is not such a URL.
    public static func publicURL(parsing text: String) -> String? {
        guard text.utf8.count <= 2048, let components = URLComponents(string: text),
              let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = components.host, !host.isEmpty, components.query == nil, components.fragment == nil,
              components.user == nil, components.password == nil else { return nil }
        var url = text
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }

    /// The public URL a server bound to `host`:`port` has when nobody says otherwise: `http://host:port`, with
    /// an IPv6 address in brackets, and the machine's host name for the wildcard addresses `0.0.0.0` and `::`.
    /// - Parameters: host: the address bound; port: the port bound.
    public static func publicURL(host: String, port: Int) -> String {
        var name = host
        if ["0.0.0.0", "::", "[::]", ""].contains(host) { name = ProcessInfo.processInfo.hostName }
        if name.contains(":") && !name.hasPrefix("[") { name = "[\(name)]" }
        return "http://\(name):\(port)"
    }
}

