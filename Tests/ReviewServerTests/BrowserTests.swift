import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdTesting
import ReviewServer
import TestSupport
import Testing
import Tickets

/// Drives real headless Chromium through chromedriver (W3C WebDriver over HTTP) against `pavewatch serve`'s
/// application on a loopback port: log in, filter the list, open a defect, confirm it, reject another, and
/// check the database. Screenshots of the list, a defect page and the map are written to
/// `.build/review-screenshots/` (or `$PAVEWATCH_SCREENSHOTS`) and attached to the test.
/// Needs the Debian packages `chromium` and `chromium-driver` (scripts/setup installs them).
@Suite("Review pages in headless Chromium", .serialized)
struct BrowserTests {
    static let skipReason: Comment = "chromium and chromedriver are not installed (apt-get install chromium chromium-driver)"

    @Test("Log in, filter, open, confirm, reject; the Leaflet map; keyboard and bulk triage (five confirmed from the keyboard); a phone upload; the frame viewer; screenshots", .enabled(if: WebDriver.executables != nil, skipReason),
          .timeLimit(.minutes(3)))
    func reviewInBrowser() async throws {
        let (chromium, driverPath) = try #require(WebDriver.executables)
        let fx = try await ReviewFixture()
        defer { fx.removeFiles() }
        let shots = Self.screenshotDirectory()
        try FileManager.default.createDirectory(at: shots, withIntermediateDirectories: true)

        let (driverProcess, driverPort) = try await Self.startDriver(driverPath)
        defer { Self.stop(driverProcess) }
        let http = HTTPClient.shared
        try await fx.application(ReviewConfiguration(photoDirectory: fx.directory.appendingPathComponent("photos").path)).test(.live) { client in
            let port = try #require(client.port)
            let site = "http://127.0.0.1:\(port)"
            var wd = WebDriver(http: http, port: driverPort)
            try await wd.start(chromium: chromium)
            do {
                try await Self.drive(wd, site: site, fx: fx, shots: shots)
            } catch {
                if let png = try? await wd.screenshot() {
                    try? Data(png).write(to: shots.appendingPathComponent("failure.png"))
                }
                await wd.quit()
                throw error
            }
            try? await wd.go("about:blank")
            await wd.quit()
        }

        // The database after the browser's clicks.
        #expect(try await fx.store.ticket(id: fx.crack)?.status == .fixed)
        #expect(try await fx.store.ticket(id: fx.leak)?.status == .rejected)
        #expect(try await fx.store.ticket(id: fx.farCrack)?.status == .dispatched)
        #expect(try await fx.store.events(ticketId: fx.farCrack).suffix(4).map(\.toStatus) == [.confirmed, .rejected, .confirmed, .dispatched])
        let confirm = try #require(try await fx.store.events(ticketId: fx.crack).dropLast(2).last)
        #expect(confirm.actor == "rita" && confirm.toStatus == .confirmed && confirm.note == "checked on site")
        #expect(try await fx.store.events(ticketId: fx.leak).last?.actor == "rita")
    }

    static func drive(_ wd: WebDriver, site: String, fx: ReviewFixture, shots: URL) async throws {
        func save(_ name: String) async throws {
            let png = try await wd.screenshot()
            #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
            try Data(png).write(to: shots.appendingPathComponent(name))
            Attachment.record(png, named: name)
        }
        // Not logged in: the list sends the browser to the login page.
        try await wd.go(site + "/")
        #expect(try await wd.url().contains("/login?next="))
        try await wd.type("#name", "rita")
        try await wd.type("#password", ReviewFixture.password)
        try await wd.click("#login-button")
        try await wd.wait("return document.getElementById('tickets') !== null")
        #expect(try await wd.elements("#tickets tbody tr").count == 3)
        try await save("list.png")

        // Filter: class = leak only.
        try await wd.click("#f-class option[value=leak]")
        try await wd.click("#apply")
        try await wd.wait("return location.search.indexOf('class=leak') >= 0")
        #expect(try await wd.elements("#tickets tbody tr").count == 1)
        #expect(try await wd.text("#tickets tbody tr").contains("leak"))
        // Back to cracks: open the worst one from the list.
        try await wd.go(site + "/?class=crack")
        #expect(try await wd.elements("#tickets tbody tr").count == 2)
        try await wd.click("#tickets tbody tr:first-child a.ticket-link")
        try await wd.wait("return location.pathname === '/tickets/\(fx.crack)'")
        try await wd.wait("var i = document.getElementById('crop'); return i !== null && i.complete && i.naturalWidth > 0")
        try await save("defect.png")

        // Confirm it, with a note.
        try await wd.type("form[action='/tickets/\(fx.crack)/confirm'] input[name=note]", "checked on site")
        try await wd.click("#action-confirm")
        try await wd.wait("return document.getElementById('done') !== null")
        #expect(try await wd.text("#status") == "confirmed")
        #expect(try await wd.text("#history").contains("rita"))

        // Reject the leak as a false positive.
        try await wd.go(site + "/tickets/\(fx.leak)")
        try await wd.click("#action-reject")
        try await wd.wait("return document.getElementById('done') !== null")
        #expect(try await wd.text("#status") == "rejected")

        // The map: Leaflet draws one circle per defect with the layer control; clicking one opens it.
        try await wd.go(site + "/map")
        try await wd.wait("var m = document.getElementById('leaflet'); return m !== null && m.getAttribute('data-ready') === '3'")
        #expect(try await wd.elements("#leaflet path.defect").count == 3)
        #expect(try await wd.elements("#leaflet .leaflet-control-layers").count == 1)
        #expect(try await wd.elements("#map").isEmpty, "the drawn fallback map stays in <noscript>")
        try await save("map.png")
        try await wd.click("#leaflet path.defect-\(fx.farCrack)")
        try await wd.wait("return location.pathname === '/tickets/\(fx.farCrack)'")

        // Keyboard triage in the list, no page reload: select the far crack, confirm it, reject it, undo the reject.
        try await wd.go(site + "/?class=crack")
        try await wd.wait("return document.querySelectorAll('#tickets img.thumb').length === 2")
        for _ in 0..<3 where try await wd.script("return document.getElementById('tickets').getAttribute('data-selected')") as? String != "\(fx.farCrack)" {
            try await wd.press("j")
        }
        let row = "#tickets tr[data-ticket=\"\(fx.farCrack)\"] td.status"
        try await wd.script("window.pavewatchMarker = 1")  // gone if the page reloads
        try await wd.press("c")
        try await wd.wait("return document.querySelector('\(row)').textContent === 'confirmed'")
        try await wd.press("r")
        try await wd.wait("return document.querySelector('\(row)').textContent === 'rejected'")
        try await wd.press("u")
        try await wd.wait("return document.querySelector('\(row)').textContent === 'confirmed'")
        #expect(try await wd.text("#triage-status").contains("(undone)"))
        #expect(try await wd.script("return window.pavewatchMarker === 1") as? Bool == true, "no page reload")
        try await save("triage.png")

        // Bulk: pick both cracks (x on each), dispatch them with one key.
        for target in [fx.crack, fx.farCrack] {
            for _ in 0..<3 where try await wd.script("return document.getElementById('tickets').getAttribute('data-selected')") as? String != "\(target)" {
                try await wd.press(target == fx.crack ? "k" : "j")
            }
            try await wd.press("x")
        }
        #expect(try await wd.elements("#tickets input.pick:checked").count == 2)
        try await wd.press("d")
        for target in [fx.crack, fx.farCrack] {
            try await wd.wait("return document.querySelector('#tickets tr[data-ticket=\"\(target)\"] td.status').textContent === 'dispatched'")
        }

        // Five more reports come in (Open311, near the survey); the reviewer confirms all five from the keyboard, one
        // after the other, without a page load.
        var reports: [Int64] = []
        for i in 0..<5 {
            let (t, _) = try await fx.store.createServiceRequest(
                ServiceRequestInput(defectClass: .crack, latitude: 47.3769 + Double(i) * 0.001, longitude: 8.5417,
                                    description: "report \(i)"), actor: "open311:test")
            reports.append(t.id!)
        }
        try await wd.go(site + "/?status=new")
        try await wd.wait("return document.querySelectorAll('#tickets tbody tr').length === 5")
        try await wd.script("window.pavewatchMarker = 2")
        // From the first row down: j selects the next, c confirms it.
        for i in 0..<5 {
            try await wd.press("j")
            try await wd.press("c")
            try await wd.wait("return document.querySelectorAll('#tickets tbody tr td.status')[\(i)].textContent === 'confirmed'")
        }
        #expect(try await wd.script("return window.pavewatchMarker === 2") as? Bool == true, "no page reload")
        for id in reports { #expect(try await fx.store.ticket(id: id)?.status == .confirmed, "#\(id)") }

        // The field crew on a phone: mark the dispatched crack fixed with a photo from the camera.
        try await wd.window(width: 390, height: 844)
        try await wd.go(site + "/tickets/\(fx.crack)")
        let phonePhoto = TestSupport.repositoryRoot.appendingPathComponent("datasets/demo-survey/IMG_161122_164145_0090_RGB.JPG").path
        try await wd.type("#photo", phonePhoto)
        try await wd.type("form[action='/tickets/\(fx.crack)/fixed'] input[name=note]", "patched")
        try await save("phone-fixed-form.png")
        try await wd.click("#action-fixed")
        try await wd.wait("return document.getElementById('done') !== null")
        #expect(try await wd.text("#status") == "fixed")
        try await wd.wait("var i = document.querySelector('#repair img.crop'); return i !== null && i.complete && i.naturalWidth > 0")
        try await save("phone-repair.png")
        try await wd.window(width: 1280, height: 900)

        // The frame viewer: the whole frame on Leaflet with the findings outlined, this one thicker.
        let sighting = try #require(try await fx.store.findings(ticketId: fx.crack).first?.id)
        try await wd.go(site + "/tickets/\(fx.crack)/findings/\(sighting)/frame")
        try await wd.wait("var v = document.getElementById('frame-viewer'); return v !== null && Number(v.getAttribute('data-ready')) >= 1")
        try await wd.wait("var i = document.querySelector('#frame-viewer img.leaflet-image-layer'); return i !== null && i.complete && i.naturalWidth > 0")
        #expect(try await wd.elements("#frame-viewer path.outline.current").count == 1)
        try await save("frame.png")
    }

    /// Where screenshots go: `$PAVEWATCH_SCREENSHOTS`, else `.build/review-screenshots` in the package.
    static func screenshotDirectory() -> URL {
        if let dir = ProcessInfo.processInfo.environment["PAVEWATCH_SCREENSHOTS"], !dir.isEmpty {
            return URL(fileURLWithPath: dir)
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/review-screenshots")
    }

    /// Stops chromedriver: SIGTERM, then SIGKILL if it is still running a second later (left running, every test
    /// run would leave one behind).
    static func stop(_ p: Process) {
        guard p.isRunning else { return }
        p.terminate()
        for _ in 0..<20 where p.isRunning { usleep(50_000) }
        if p.isRunning { kill(p.processIdentifier, SIGKILL) }
        // Polled with a limit rather than `waitUntilExit`, which can wait for good if the exit is missed.
        for _ in 0..<100 where p.isRunning { usleep(50_000) }
    }

    /// Starts chromedriver on a free port and waits until it answers `/status`.
    static func startDriver(_ path: String) async throws -> (Process, Int) {
        var lastError = ""
        for _ in 0..<5 {
            let port = Int.random(in: 20_000..<60_000)
            let p = Process()
            p.executableURL = URL(fileURLWithPath: path)
            p.arguments = ["--port=\(port)", "--allowed-ips=127.0.0.1"]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            let http = HTTPClient.shared
            for _ in 0..<100 {
                guard p.isRunning else { break }
                if let r = try? await http.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/status"), timeout: .seconds(2)),
                   r.status == .ok {
                    return (p, port)
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            lastError = "chromedriver did not answer on port \(port)"
            stop(p)
        }
        throw WebDriver.Failure(description: lastError)
    }
}
