import Hummingbird
import NIOCore

/// The request context of `pavewatch serve`: Hummingbird's basic context plus the client's address, which
/// the login and API-key throttles key on.
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

/// The client's IP address from a request context, or `unknown` when the context does not know it (router tests).
func clientAddress(_ context: some RequestContext) -> String {
    guard let address = (context as? any RemoteAddressRequestContext)?.remoteAddress else { return "unknown" }
    return address.ipAddress ?? "\(address)"
}
