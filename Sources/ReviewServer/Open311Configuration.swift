/// Settings of the Open311 GeoReport v2 endpoints.
public struct Open311Configuration: Sendable {
    /// API keys allowed to create requests. Their position names the actor in ticket events (`open311:key1`);
    /// the keys themselves are never logged or stored.
    public var apiKeys: [String]
    /// `agency_responsible` of every request.
    public var agency: String
    /// Contact shown by `discovery`.
    public var contact: String
    /// Largest accepted request body in bytes (413 above).
    public var maxBodyBytes: Int
    /// Largest accepted query string in bytes (400 above).
    public var maxQueryBytes: Int
    /// Largest `description` in characters (400 above).
    public var maxDescription: Int
    /// Most results of `GET requests` (the GeoReport default is 1000).
    public var maxResults: Int

    /// Creates a configuration.
    public init(apiKeys: [String], agency: String = "Pavewatch", contact: String = "",
                maxBodyBytes: Int = 64 * 1024, maxQueryBytes: Int = 8 * 1024, maxDescription: Int = 4000,
                maxResults: Int = 1000) {
        self.apiKeys = apiKeys
        self.agency = agency
        self.contact = contact
        self.maxBodyBytes = maxBodyBytes
        self.maxQueryBytes = maxQueryBytes
        self.maxDescription = maxDescription
        self.maxResults = maxResults
    }
}
