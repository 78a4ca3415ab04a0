import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Issue 22 item 4: the security headers of every page, and no inline script a strict Content-Security-Policy
/// would have to allow.
@Suite("Security headers of the review pages")
struct SecurityHeadersTests {
    @Test("Every page: CSP with scripts from the server only, no framing, nosniff; no inline script or on* handler in any page")
    func everyPage() async throws {
        try await withPages { client, fx in
            let s = try await client.login("vera")
            let pages = ["/", "/map", "/tickets/\(fx.crack)", "/tickets/\(fx.leak)", "/surveys", "/surveys/\(fx.surveyId)",
                         "/condition", "/kpi", "/?class=crack&sort=severity&page=1"]
            var checked: [String] = []
            for path in pages + ["/login"] {
                let r = try await client.page(path, path == "/login" ? nil : s)
                #expect(r.status == .ok, "\(path): \(r.status)")
                let csp = r.headers[.contentSecurityPolicy] ?? ""
                let directives = Dictionary(csp.split(separator: ";").map { d -> (String, String) in
                    let parts = d.trimmingCharacters(in: .whitespaces).split(separator: " ", maxSplits: 1)
                    return (String(parts.first ?? ""), parts.count > 1 ? String(parts[1]) : "")
                }, uniquingKeysWith: { a, _ in a })
                #expect(directives["default-src"] == "'none'", "\(path): \(csp)")
                #expect(directives["script-src"] == "'self'", "\(path): scripts from the server only: \(csp)")
                #expect(directives["frame-ancestors"] == "'none'", "\(path): \(csp)")
                #expect(r.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff", "\(path)")
                let html = String(buffer: r.body)
                // Every <script> has a src and no body; no element carries an event handler attribute.
                let scripts = html.matches(of: #/<script\b([^>]*)>([\s\S]*?)</script>/#.ignoresCase())
                for m in scripts {
                    #expect(m.1.contains("src="), "\(path): a script without src: \(m.0.prefix(120))")
                    #expect(m.2.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "\(path): an inline script body")
                }
                #expect(html.firstMatch(of: #/<[^>]+\son[a-z]+\s*=/#.ignoresCase()) == nil, "\(path): an on* handler")
                #expect(html.range(of: "javascript:", options: .caseInsensitive) == nil, "\(path): a javascript: URL")
                checked.append(path)
            }
            #expect(checked.count == pages.count + 1)
        }
    }
}
