import Findings
import Foundation
import HummingbirdTesting
import Logging
import PostgresStore
import ReviewServer
import TestSupport
import Testing
import Tickets

/// The review pages served from the PostgreSQL store: the same list, actions and survey page as on SQLite,
/// plus the job progress of a survey that workers share.
@Suite struct PostgresPagesTests {
    func postgresStore() async throws -> PostgresTicketStore {
        let url = try await TemporaryPostgres.shared().createDatabase()
        return try await PostgresTicketStore(location: try PostgresLocation(url: url), timeout: .seconds(60), logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
    }

    @Test("list, confirm and the survey page's jobs per worker on PostgreSQL")
    func pagesOnPostgres() async throws {
        let store = try await postgresStore()
        defer { store.close() }
        let fx = try await ReviewFixture(store: store)
        defer { fx.removeFiles() }
        // A distributed survey: three frames enqueued, one done and one held by worker w1, one waiting.
        let enqueued = try await store.enqueue(surveyName: "flight 7", folder: "/shared/flight7",
                                               paths: ["a.jpg", "b.jpg", "c.jpg"])
        let first = try #require(try await store.claimJob(worker: "w1", lease: 300, maxAttempts: 3, survey: enqueued.surveyId))
        let frame = SurveyBatch.Frame(report: FrameReport(file: first.path, width: 10, height: 10, findings: []),
                                      contentHash: "flight7-a")
        #expect(try await store.completeJob(first, worker: "w1", frame: frame, actor: "worker:w1") != nil)
        _ = try #require(try await store.claimJob(worker: "w1", lease: 300, maxAttempts: 3, survey: enqueued.surveyId))

        try await fx.application().test(.router) { client in
            let viewer = try await client.login("vera")
            let list = try await client.page("/", viewer).html
            #expect(list.contains("/tickets/\(fx.crack)") && list.contains("/tickets/\(fx.leak)"))
            let jobs = try await client.page("/surveys/\(enqueued.surveyId)", viewer).html
            #expect(jobs.contains("1 of 3 frames done, 1 running, 1 waiting, 0 failed for good."), "\(jobs)")
            #expect(jobs.contains("<tr><td>w1</td><td>1</td><td>1</td><td>0</td></tr>"))
            // A survey stored on one machine has no job section.
            #expect(!(try await client.page("/surveys/\(fx.surveyId)", viewer).html.contains("id=\"jobs\"")))

            let reviewer = try await client.login("rita")
            let r = try await client.form("/tickets/\(fx.crack)/confirm", [("csrf", reviewer.csrf)], reviewer)
            #expect(r.status == .seeOther)
            #expect(try await store.ticket(id: fx.crack)?.status == .confirmed)
            #expect(try await store.events(ticketId: fx.crack).last?.actor == "rita")
        }
    }
}
