import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A minimal W3C WebDriver client (the HTTP protocol chromedriver speaks), enough for the browser test:
/// sessions, navigation, elements, clicks, keys, text, scripts and screenshots.
struct WebDriver {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static let elementKey = "element-6066-11e4-a52e-4f735466cecf"

    /// The chromium and chromedriver executables, when both are installed.
    static var executables: (chromium: String, driver: String)? {
        let dirs = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":").map(String.init) + ["/usr/bin", "/usr/lib/chromium"]
        func find(_ names: [String]) -> String? {
            for d in dirs { for n in names where FileManager.default.isExecutableFile(atPath: "\(d)/\(n)") { return "\(d)/\(n)" } }
            return nil
        }
        guard let browser = find(["chromium", "chromium-browser", "google-chrome"]), let driver = find(["chromedriver"]) else { return nil }
        return (browser, driver)
    }

    let http: HTTPClient
    let base: String
    var session = ""

    init(http: HTTPClient, port: Int) {
        self.http = http
        self.base = "http://127.0.0.1:\(port)"
    }

    /// Sends one command and returns its `value`.
    @discardableResult
    func command(_ method: HTTPMethod, _ path: String, _ body: [String: Any]? = nil) async throws -> Any {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        request.headers.add(name: "Content-Type", value: "application/json")
        if let body {
            request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
        } else if method == .POST {
            request.body = .bytes(ByteBuffer(string: "{}"))
        }
        let response = try await http.execute(request, timeout: .seconds(60))
        let data = try await response.body.collect(upTo: 64 << 20)
        let json = try JSONSerialization.jsonObject(with: Data(data.readableBytesView)) as? [String: Any]
        let value = json?["value"] ?? NSNull()
        if response.status.code >= 400 {
            let message = (value as? [String: Any])?["message"] as? String ?? "\(value)"
            throw Failure(description: "WebDriver \(method) \(path): \(response.status.code) \(message.prefix(400))")
        }
        return value
    }

    /// Starts headless Chromium.
    mutating func start(chromium: String) async throws {
        let caps: [String: Any] = ["capabilities": ["alwaysMatch": [
            "browserName": "chrome",
            "goog:chromeOptions": ["binary": chromium,
                                   "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                                            "--window-size=1280,1000", "--no-first-run", "--disable-extensions"]],
        ]]]
        let value = try await command(.POST, "/session", caps)
        guard let id = (value as? [String: Any])?["sessionId"] as? String else { throw Failure(description: "no session id in \(value)") }
        session = id
    }

    func quit() async { _ = try? await command(.DELETE, "/session/\(session)") }

    func go(_ url: String) async throws { try await command(.POST, "/session/\(session)/url", ["url": url]) }

    func url() async throws -> String { try await command(.GET, "/session/\(session)/url") as? String ?? "" }

    func element(_ css: String) async throws -> String {
        let v = try await command(.POST, "/session/\(session)/element", ["using": "css selector", "value": css])
        guard let id = (v as? [String: Any])?[Self.elementKey] as? String else { throw Failure(description: "no element \(css)") }
        return id
    }

    func elements(_ css: String) async throws -> [String] {
        let v = try await command(.POST, "/session/\(session)/elements", ["using": "css selector", "value": css])
        return (v as? [[String: Any]] ?? []).compactMap { $0[Self.elementKey] as? String }
    }

    func click(_ css: String) async throws { try await command(.POST, "/session/\(session)/element/\(try await element(css))/click") }

    func type(_ css: String, _ text: String) async throws {
        let e = try await element(css)
        try await command(.POST, "/session/\(session)/element/\(e)/clear")
        try await command(.POST, "/session/\(session)/element/\(e)/value", ["text": text])
    }

    func text(_ css: String) async throws -> String {
        try await command(.GET, "/session/\(session)/element/\(try await element(css))/text") as? String ?? ""
    }

    /// Resizes the browser window (a phone's viewport: 390 × 844).
    func window(width: Int, height: Int) async throws {
        try await command(.POST, "/session/\(session)/window/rect", ["width": width, "height": height])
    }

    /// Presses and releases each key in turn (W3C key actions: real keyboard events in the focused page).
    func press(_ keys: String) async throws {
        var actions: [[String: Any]] = []
        for k in keys { actions += [["type": "keyDown", "value": String(k)], ["type": "keyUp", "value": String(k)]] }
        try await command(.POST, "/session/\(session)/actions", ["actions": [["type": "key", "id": "keyboard", "actions": actions]]])
    }

    func script(_ source: String) async throws -> Any {
        try await command(.POST, "/session/\(session)/execute/sync", ["script": source, "args": [Any]()])
    }

    /// Waits until `script` returns true (up to `seconds`).
    func wait(_ script: String, seconds: Double = 10) async throws {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end {
            if try await self.script(script) as? Bool == true { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw Failure(description: "timed out waiting for \(script)")
    }

    func screenshot() async throws -> [UInt8] {
        guard let b64 = try await command(.GET, "/session/\(session)/screenshot") as? String,
              let data = Data(base64Encoded: b64) else { throw Failure(description: "no screenshot") }
        return Array(data)
    }
}
