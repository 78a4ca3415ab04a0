import Hummingbird
import NIOCore

/// The bounded body of a POST of one media type (the Open311 and review forms, the JSON API).
enum RequestBody {
    /// Why a body was refused; each route answers it with its own status and words.
    enum Refusal: Error {
        /// The `Content-Type` is not the one the route reads.
        case wrongType
        /// The body is larger than the route's limit (or could not be read).
        case tooLarge
    }

    /// The body of `request`, when its `Content-Type` starts with `type` (any case) and it holds at most `limit`
    /// bytes.
    /// - Parameters: type: lowercase media type, e.g. `application/json`; limit: bytes; refuse: the route's error
    ///   for a refusal.
    /// - Throws: what `refuse` makes of a ``Refusal``.
    static func collect<E: Error>(_ request: Request, type: String, limit: Int,
                                  refuse: (Refusal) -> E) async throws(E) -> ByteBuffer {
        guard (request.headers[.contentType] ?? "").lowercased().hasPrefix(type) else { throw refuse(.wrongType) }
        do { return try await request.body.collect(upTo: limit) } catch { throw refuse(.tooLarge) }
    }
}
