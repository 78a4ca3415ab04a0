import Foundation

/// The JSON body of `POST /api/v1/tickets/{id}/status`, `{"status": "confirmed", "note": "…"}`, read apart from the
/// route so that `Fuzz/run forms` can compile this file into its harness.
struct StatusChangeBody: Equatable {
    /// The status asked for, as sent (the route checks it is a ``Tickets/TicketStatus``).
    var status: String
    /// The note, at most 2000 characters; `nil` when absent or empty.
    var note: String?

    /// Reads a body; `nil` when it is not a JSON object with a string `status`.
    init?(json data: Data) {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let status = object["status"] as? String else { return nil }
        self.status = status
        self.note = (object["note"] as? String).flatMap { $0.isEmpty ? nil : String($0.prefix(2000)) }
    }
}
