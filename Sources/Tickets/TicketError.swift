/// Errors of the ticket store, merging and forwarding.
public struct TicketError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        let name: String
        public var description: String { name }
        /// No ticket with that id.
        public static let notFound = Code(name: "notFound")
        /// The status change is not allowed from the ticket's current status.
        public static let invalidTransition = Code(name: "invalidTransition")
        /// The input (JSON, YAML, request field) is malformed.
        public static let invalidInput = Code(name: "invalidInput")
        /// The database file could not be opened or migrated.
        public static let database = Code(name: "database")
        /// The database server could not be reached, closed the connection or did not answer in time; what the
        /// operation wrote was rolled back, and trying again later may succeed.
        public static let unavailable = Code(name: "unavailable")
        /// The Open311 peer refused or failed a request.
        public static let peer = Code(name: "peer")
    }

    /// The kind of error.
    public var code: Code
    /// A message for people.
    public var message: String
    /// The error underneath, if any.
    public var underlying: (any Error)?
    /// A file, ticket or peer the error is about.
    public var location: String?

    /// Creates an error.
    public init(_ code: Code, _ message: String, underlying: (any Error)? = nil, location: String? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
        self.location = location
    }

    public var description: String {
        var s = location.map { "\($0): \(message)" } ?? message
        if let underlying { s += " (\(underlying))" }
        return s
    }
}
