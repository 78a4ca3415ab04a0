import Findings
import Geodesy
import TestSupport
import Foundation
import ReviewServer
import Testing
import Tickets

/// `pavewatch users add` (password on standard input) and `pavewatch export --training` of the real executable.
@Suite struct CLIReviewCommandsTests {
    /// Runs the executable with `input` on standard input; returns the exit status and the output.
    func run(_ binary: URL, _ args: [String], input: String) async throws -> (Int32, String) {
        let p = Process()
        p.executableURL = binary
        p.arguments = args
        let stdin = Pipe(), stdout = Pipe()
        p.standardInput = stdin
        p.standardOutput = stdout
        p.standardError = stdout
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "PAVEWATCH_DB")
        p.environment = env
        try p.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        try await CLIProcess.wait(p, seconds: 60)
        let out = String(decoding: stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return (p.terminationStatus, out)
    }

    @Test func usersAddReadsThePasswordFromStandardInput() async throws {
        try await CLIProcess.withWorkFolder { binary, dir in
            let db = dir.appendingPathComponent("t.sqlite").path
            var (status, out) = try await run(binary, ["users", "add", "rita", "--role", "reviewer", "--db", db, "--cost", "4"],
                                              input: "s3cret-passphrase\n")
            #expect(status == 0, "\(out)")
            #expect(!out.contains("s3cret"))
            (status, out) = try await run(binary, ["users", "list", "--db", db], input: "")
            #expect(status == 0 && out.contains("rita\treviewer"))
            let store = try SQLiteTicketStore(path: db)
            let user = try #require(try await store.user(named: "rita"))
            #expect(user.passwordHash.hasPrefix("$2") && !user.passwordHash.contains("s3cret"))
            #expect(PasswordHash.verify("s3cret-passphrase", hash: user.passwordHash))
            #expect(!PasswordHash.verify("s3cret-passphrasf", hash: user.passwordHash))
            // Too short, bad role, bad name.
            (status, _) = try await run(binary, ["users", "add", "bob", "--db", db, "--cost", "4"], input: "short\n")
            #expect(status != 0)
            (status, _) = try await run(binary, ["users", "add", "bob", "--role", "god", "--db", db], input: "long-enough-1\n")
            #expect(status != 0)
            (status, _) = try await run(binary, ["users", "add", "../bob", "--db", db], input: "long-enough-1\n")
            #expect(status != 0)
            #expect(try await store.users().map(\.name) == ["rita"])
        }
    }

    @Test func exportTrainingWritesConfirmedAndRejectedCrops() async throws {
        try await CLIProcess.withWorkFolder { binary, dir in
            // A real 243 × 161 image from the codec fixtures stands in for a frame.
            let image = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("CodecsTests/Fixtures/baseline.ref.png").path
            let db = dir.appendingPathComponent("t.sqlite").path
            let store = try SQLiteTicketStore(path: db)
            let p = GeoPoint(latitude: 47.37, longitude: 8.54)
            let findings = [
                Finding(defectClass: .crack, confidence: 0.9, bbox: BoundingBox(x: 10, y: 10, width: 30, height: 20),
                        latitude: p.latitude, longitude: p.longitude, uncertaintyM: 0.5, lengthM: 1, widthMm: 5),
                Finding(defectClass: .leak, confidence: 0.7, bbox: BoundingBox(x: 100, y: 60, width: 40, height: 40),
                        latitude: p.latitude + 0.001, longitude: p.longitude, uncertaintyM: 0.5, areaM2: 1),
                Finding(defectClass: .crack, confidence: 0.6, bbox: BoundingBox(x: 150, y: 100, width: 20, height: 20),
                        latitude: p.latitude + 0.002, longitude: p.longitude, uncertaintyM: 0.5, lengthM: 1, widthMm: 5),
            ]
            _ = try await store.ingest(SurveyBatch(surveyName: "s", frames: [
                .init(report: FrameReport(file: image, width: 243, height: 161, findings: findings), contentHash: "h"),
            ]), actor: "survey:s")
            let tickets = try await store.tickets(TicketQuery(orderByPriority: false))
            #expect(tickets.count == 3)
            _ = try await store.transition(ticketId: tickets[0].id!, to: .confirmed, actor: "rita", note: nil)
            _ = try await store.transition(ticketId: tickets[1].id!, to: .rejected, actor: "rita", note: nil)
            let out = dir.appendingPathComponent("reviewed").path
            let (status, text) = try await run(binary, ["export", "--training", out, "--db", db], input: "")
            #expect(status == 0, "\(text)")
            #expect(text.contains("crack 1, leak 0, background 1"))
            let fm = FileManager.default
            #expect(try fm.contentsOfDirectory(atPath: out + "/crack") == ["t\(tickets[0].id!)-f1.png"])
            #expect(try fm.contentsOfDirectory(atPath: out + "/background").count == 1)
            #expect(try fm.contentsOfDirectory(atPath: out + "/leak").isEmpty)
            let png = try Data(contentsOf: URL(fileURLWithPath: out + "/crack/t\(tickets[0].id!)-f1.png"))
            #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
            let (bad, _) = try await run(binary, ["export", "--db", db], input: "")
            #expect(bad != 0, "--format or --training is required")
        }
    }
}
