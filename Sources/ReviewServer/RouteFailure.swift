import HTTPTypes

/// A request the routes answer with an error instead of their usual body: a status, a message for people and
/// extra headers (`Retry-After`). The review pages show it as a small page (``ReviewRoutes``), the Open311
/// routes as a GeoReport error list (``Open311Routes``).
struct RouteFailure: Error {
    var status: HTTPResponse.Status
    var message: String
    /// Extra response headers (`Retry-After`).
    var headers: HTTPFields = [:]
    init(_ status: HTTPResponse.Status, _ message: String, headers: HTTPFields = [:]) {
        self.status = status
        self.message = message
        self.headers = headers
    }
}
