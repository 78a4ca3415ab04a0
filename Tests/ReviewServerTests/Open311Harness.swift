import Findings
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Geodesy
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import ReviewServer
import Testing
import Tickets

/// Runs `body` against `pavewatch serve`'s application on a real loopback port, with a store holding two
/// survey tickets (a crack and a leak).
func withOpen311Server(keys: [String] = ["key-one", "key-two"], maxBodyBytes: Int = 64 * 1024,
                       publicURL: String? = "http://pavewatch.test:8080", contact: String = "",
                       maxKeyFailures: Int = 10, keyBackoff: TimeInterval = 1,
                       _ body: @Sendable (any TestClientProtocol, SQLiteTicketStore) async throws -> Void) async throws {
    let store = try SQLiteTicketStore.inMemory()
    let p = GeoPoint(latitude: 47.3769, longitude: 8.5417)
    let crack = Finding(defectClass: .crack, subtype: "transverse", confidence: 0.9,
                        bbox: BoundingBox(x: 0, y: 0, width: 1, height: 1), latitude: p.latitude,
                        longitude: p.longitude, uncertaintyM: 0.5, lengthM: 2, widthMm: 20)
    let leak = Finding(defectClass: .leak, confidence: 0.6, bbox: BoundingBox(x: 0, y: 0, width: 1, height: 1),
                       latitude: p.latitude + 0.001, longitude: p.longitude, uncertaintyM: 0.5, areaM2: 3)
    _ = try await store.ingest(SurveyBatch(surveyName: "s", frames: [
        .init(report: FrameReport(file: "f.jpg", width: 10, height: 10, findings: [crack, leak]), contentHash: "h"),
    ]), actor: "survey:s")
    let app = buildApplication(store: store, open311: Open311Configuration(apiKeys: keys, contact: contact, publicURL: publicURL,
                                                                 maxBodyBytes: maxBodyBytes,
                                                                 maxKeyFailures: maxKeyFailures, keyBackoff: keyBackoff),
                               host: "127.0.0.1", port: 0,
                               logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
    try await app.test(.live) { client in try await body(client, store) }
}

extension TestClientProtocol {
    /// POSTs a form to `path`.
    func post(_ path: String, _ form: [(String, String)], headers: HTTPFields = [:]) async throws -> TestResponse {
        var h = headers
        if h[.contentType] == nil { h[.contentType] = "application/x-www-form-urlencoded" }
        return try await execute(uri: path, method: .post, headers: h,
                                 body: ByteBuffer(string: FormURLEncoded.encode(form)))
    }

    func get(_ path: String) async throws -> TestResponse {
        try await execute(uri: path, method: .get)
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }

    /// The body parsed as JSON.
    func json() throws -> Any { try JSONSerialization.jsonObject(with: Data(text.utf8)) }

    /// The body as a list of JSON objects.
    func list() throws -> [[String: Any]] {
        try #require(try json() as? [[String: Any]], "not a JSON list: \(text)")
    }

    /// The GeoReport error list `[{code, description}]`, checked against the status.
    func expectError(_ status: HTTPResponse.Status, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(self.status == status, "\(text)", sourceLocation: sourceLocation)
        let l = try list()
        #expect(l.count == 1, sourceLocation: sourceLocation)
        #expect(l.first?["code"] as? Int == Int(status.code), sourceLocation: sourceLocation)
        #expect((l.first?["description"] as? String)?.isEmpty == false, sourceLocation: sourceLocation)
    }
}

/// Parses XML and records element names and the text of leaf elements.
final class XMLProbe: NSObject, XMLParserDelegate {
    var elements: [String] = []
    var texts: [String: [String]] = [:]
    private var current = ""

    static func parse(_ text: String) -> XMLProbe? {
        let probe = XMLProbe()
        let parser = XMLParser(data: Data(text.utf8))
        parser.delegate = probe
        return parser.parse() ? probe : nil
    }

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
        elements.append(elementName)
        current = ""
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { current += string }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?,
                qualifiedName qName: String?) {
        texts[elementName, default: []].append(current)
        current = ""
    }
}
