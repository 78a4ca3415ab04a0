import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import NIOPosix
import ReviewServer
import Testing
import Tickets

/// Connection limits of `pavewatch serve` (issue 22: slow-loris).
@Suite struct ServerLimitsTests {
    /// Whether `channel` is closed by the server within `seconds` (polled: waiting on its close future could
    /// not be cancelled).
    static func closes(_ channel: any Channel, within seconds: Double) async throws -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        while channel.isActive && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        return !channel.isActive
    }

    @Test func headersDribbledSlowerThanTheIdleTimeoutCloseTheConnection() async throws {
        let app = buildApplication(store: try SQLiteTicketStore.inMemory(), open311: Open311Configuration(apiKeys: []),
                                   host: "127.0.0.1", port: 0,
                                   logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
                                   idleTimeout: .seconds(1))
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let clock = ContinuousClock()
            let start = clock.now
            let slow = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: port).get()
            // Headers begun but never finished: one line now and then, as a slow-loris client sends them.
            // (Writes may meet a connection the server has closed already on a slow machine.)
            try? await slow.writeAndFlush(ByteBuffer(string: "GET /health HTTP/1.1\r\nHost: x\r\n"))
            for i in 0..<20 where slow.isActive {
                try await Task.sleep(for: .milliseconds(250))
                try? await slow.writeAndFlush(ByteBuffer(string: "X-Line-\(i): 1\r\n"))
            }
            #expect(try await Self.closes(slow, within: 2), "the server closes a connection whose headers never end")
            let lasted = clock.now - start
            #expect(lasted >= .milliseconds(900) && lasted < .seconds(10), "closed after \(lasted)")
            let idle = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: port).get()
            #expect(try await Self.closes(idle, within: 5), "and one that sends nothing")
            // Without the bound both would stay open and keep the server from shutting down.
            try? await slow.close()
            try? await idle.close()
        }
    }
}
