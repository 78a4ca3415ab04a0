import Hummingbird
import NIOCore

/// The request context of `pavewatch serve`: Hummingbird's basic context plus the client's address, which
/// the login throttle keys on.
public struct ServerRequestContext: RequestContext, RemoteAddressRequestContext {
    /// Hummingbird's per-request storage.
    public var coreContext: CoreRequestContextStorage
    /// The connected client (`nil` in router tests without a socket).
    public let remoteAddress: SocketAddress?

    /// Creates the context of a request that arrived on `source.channel`.
    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}
